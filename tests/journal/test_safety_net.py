"""The safety net tells the truth: what a private or shared entry's crisis words will (and won't) set off, the
clinic's own crisis numbers, tappable 988 / 911 links, and "Let my care team know" making exactly one alert."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from care.models import RiskAlert
from journal.models import JournalEntry
from server.models import AuditEvent, Clinic
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import HX, draft

CRISIS_WORDS = "Tonight I want to die."
CLINIC = {"crisis_phone": "+1 (555) 010-0199", "crisis_sms": "+1 555 0101", "crisis_text": "Walk in: 12 Harbor St."}


async def _crisis_in_private_entry(client) -> tuple[str, JournalEntry, str]:
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body=CRISIS_WORDS)
    saved = await client.post("/journal/new", data=data, headers=HX)
    assert saved.status_code == 200 and 'id="crisis-slot" hx-swap-oob="true"' in saved.text
    return csrf, await JournalEntry.get(draft_key=data["draft_key"]), saved.text


async def test_a_private_entry_says_only_you_can_see_it_never_that_the_care_team_will(client, demo):
    _, entry, panel = await _crisis_in_private_entry(client)
    assert "Your care team will see this" not in panel
    assert "Only you can see this entry." in panel and "Nobody has been alerted" in panel
    assert ">Let my care team know</button>" in panel and f'action="/journal/{entry.id}/tell"' in panel
    assert not await RiskAlert.filter(source_ref=f"journal_entry:{entry.id}").exists()


async def test_a_shared_entry_says_the_team_sees_it_when_they_next_check(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    saved = await client.post("/journal/new", data=draft(csrf, body=CRISIS_WORDS, shared="on"), headers=HX)
    assert "This entry is shared." in saved.text and "when they next check" in saved.text
    assert "Nobody watches in real time" in saved.text and "Let my care team know" not in saved.text


async def test_the_clinics_crisis_numbers_are_shown_and_every_number_is_tappable(client, demo):
    await Clinic.filter(slug="demo.clinic").update(settings=CLINIC)
    _, entry, panel = await _crisis_in_private_entry(client)
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
        assert link in panel
    assert '<a class="button" href="tel:+15550100199">Call +1 (555) 010-0199</a>' in panel
    assert '<a class="button" href="sms:+15550101">Text +1 555 0101</a>' in panel
    assert "Walk in: 12 Harbor St." in panel and "Demo Clinic" in panel
    for page in (f"/journal/{entry.id}", f"/journal/{entry.id}/edit"):
        assert 'href="tel:+15550100199"' in (await client.get(page)).text


CSS = Path(__file__).resolve().parents[2] / "static/css/app.css"


async def test_the_panel_sits_below_the_editor_in_a_calm_colour(client, demo):
    _, entry, _ = await _crisis_in_private_entry(client)
    editor = (await client.get(f"/journal/{entry.id}/edit")).text
    body = editor.index('id="f-body"')
    assert body < editor.index("</form>", body) < editor.index('id="crisis"')  # after the editor's form, not above
    rule = re.search(r"\.crisis \{[^}]*\}", CSS.read_text()).group(0)  # noqa: ASYNC240 (a small local file)
    assert "--error" not in rule and "red" not in rule


async def test_let_my_care_team_know_raises_one_alert_that_reaches_the_therapist(client, demo):
    csrf, entry, _ = await _crisis_in_private_entry(client)
    tell = f"/journal/{entry.id}/tell"
    answers = await asyncio.gather(*(client.post(tell, data={"csrf_token": csrf}, headers=HX) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4  # a double (or quadruple) click
    assert all("Your care team was sent an alert about this entry" in a.text for a in answers)
    assert all("nobody watches in real time" in a.text and "stays private" in a.text for a in answers)
    alerts = await RiskAlert.filter(source_ref=f"journal_entry:{entry.id}")
    assert len(alerts) == 1 and alerts[0].source == "journal_language" and alerts[0].level == "high"
    assert await AuditEvent.filter(action="journal.care_team_asked", object_id=str(entry.id)).count() == 4
    assert await AuditEvent.filter(action="alert.raised", object_id=str(alerts[0].id)).count() == 1
    async with another(client) as staff:
        await sign_in(staff, "therapist@demo.clinic")
        assert "Asked the care team to know about a private journal entry" in (await staff.get("/alerts")).text
        assert CRISIS_WORDS not in (await staff.get(f"/patients/{entry.patient_id}")).text  # still private
    await client.post(f"/journal/{entry.id}/share", data={"csrf_token": csrf, "shared": "on"})
    assert await RiskAlert.filter(source_ref=f"journal_entry:{entry.id}").count() == 1  # sharing adds none


async def test_without_javascript_the_button_posts_and_comes_back_to_the_entry(client, demo):
    csrf, entry, _ = await _crisis_in_private_entry(client)
    r = await client.post(f"/journal/{entry.id}/tell", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == f"/journal/{entry.id}#crisis"
    page = (await client.get(f"/journal/{entry.id}")).text
    assert "Your care team was sent an alert about this entry" in page and "Let my care team know" not in page


async def test_another_patient_cannot_raise_an_alert_on_my_entry(client, demo):
    _, entry, _ = await _crisis_in_private_entry(client)
    async with another(client) as stranger:
        csrf = await sign_in(stranger, "patient2@demo.clinic")
        r = await stranger.post(f"/journal/{entry.id}/tell", data={"csrf_token": csrf})
    assert r.status_code == 404 and not await RiskAlert.filter(source_ref=f"journal_entry:{entry.id}").exists()


async def test_admins_set_the_clinics_crisis_text_number_and_a_bad_number_is_refused(client, demo):
    csrf = await sign_in(client, "admin@demo.clinic")
    form = {
        "csrf_token": csrf,
        "note_signing_hours": "72",
        "escalation_hours": "24",
        "escalation_hours_cssrs_high": "1",
        "prompt_schedule_hours": "2, 24, 72, 168",
        "crisis_phone": "+1 555 0100",
        "crisis_sms": "call me",
        "settings_version": "1",
    }
    bad = await client.post("/admin/settings", data=form)
    assert bad.status_code == 400 and "digits, spaces and + ( ) - only" in bad.text and 'value="call me"' in bad.text
    ok = await client.post("/admin/settings", data={**form, "crisis_sms": "+1 555 0101"})
    assert ok.status_code == 303
    assert (await Clinic.get(slug="demo.clinic")).settings["crisis_sms"] == "+1 555 0101"
