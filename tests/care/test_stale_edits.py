"""Two people editing one record: the later save of a stale form is refused (409) with what was saved meanwhile
shown beside the typed values; nothing is overwritten silently and nothing typed is lost."""

from __future__ import annotations

import re
from decimal import Decimal

from care.models import Course, Infusion
from server.models import AuditEvent
from tests.care.conftest import casey, last_infusion, sign_in
from tests.care.test_infusions import GOOD
from tests.conftest import another

VERSION = re.compile(r'name="version" value="(\d+)"')


async def _edit(client, csrf: str, infusion: Infusion, version: str, **changes: str):
    data = {**GOOD, "number": str(infusion.number), "version": version, "csrf_token": csrf, **changes}
    return await client.post(f"/infusions/{infusion.id}/edit", data=data)


async def test_a_stale_infusion_edit_is_refused_with_both_versions_shown(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    page = await client.get(f"/infusions/{infusion.id}/edit")
    version = VERSION.search(page.text).group(1)  # type: ignore[union-attr]
    async with another(client) as tab:
        tab_csrf = await sign_in(tab, "nurse@demo.clinic")
        first = await _edit(tab, tab_csrf, infusion, version, dose_mg_per_kg="0.5", cadss="20", lot_number="KET-A")
        assert first.status_code == 303
    stale = await _edit(client, csrf, infusion, version, dose_mg_per_kg="0.7", lot_number="KET-B")
    assert stale.status_code == 409
    assert "Someone else saved this record while you were editing it" in stale.text
    assert "Saved by someone else meanwhile" in stale.text and "KET-A" in stale.text  # theirs, listed
    assert 'value="KET-B"' in stale.text and 'value="0.7"' in stale.text  # mine, kept in the form
    saved = await Infusion.get(id=infusion.id)
    assert saved.lot_number == "KET-A" and saved.dose_mg_per_kg == Decimal("0.5") and saved.cadss == 20
    again = VERSION.search(stale.text).group(1)  # type: ignore[union-attr]
    assert int(again) == saved.version
    assert (await _edit(client, csrf, infusion, again, lot_number="KET-B")).status_code == 303
    assert (await Infusion.get(id=infusion.id)).lot_number == "KET-B"


async def test_an_infusion_edit_audits_the_names_of_the_fields_it_changed(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    fresh = await Infusion.get(id=infusion.id)
    r = await _edit(client, csrf, fresh, str(fresh.version), lot_number="KET-NEW", cadss="31")
    assert r.status_code == 303
    event = await AuditEvent.filter(action="infusion.updated", object_id=str(infusion.id)).order_by("-seq").first()
    assert "lot_number" in event.detail["changed"] and "cadss" in event.detail["changed"]
    assert "KET-NEW" not in str(event.detail)


async def test_a_stale_course_status_change_is_refused_and_says_what_it_is_now(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    course = await Course.get(patient__mrn="DC-1001", status="active")
    seen = str(course.version)
    first = {"csrf_token": csrf, "status": "maintenance", "version": seen}
    assert (await client.post(f"/courses/{course.id}/status", data=first)).status_code == 303
    stale = await client.post(f"/courses/{course.id}/status", data={**first, "status": "completed"})
    assert stale.status_code == 409 and "This course was changed meanwhile: it is now maintenance" in stale.text
    assert "Your choice (completed) was not saved" in stale.text
    assert (await Course.get(id=course.id)).status == "maintenance"
