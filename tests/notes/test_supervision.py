"""Supervision on screen (/supervision): supervisors and admins link a supervisor to a trainee from a date, end links
(history kept), and the links decide whose co-sign queue a trainee's note waits in and who opens process notes."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from care.models import Patient
from notes import digest
from notes.models import IntegrationNote, ProcessNote, Supervision
from server.models import AuditEvent, Clinic, Role, User
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.notes.conftest import PASSWORD, casey_infusion, note_form


async def _second_supervisor() -> User:
    """Another supervisor of the demo clinic (same password as the demo's)."""
    priya = await User.get(email="supervisor@demo.clinic")
    return await User.create(
        clinic_id=priya.clinic_id,
        email="supervisor2@demo.clinic",
        name="Morgan Ellis",
        role=Role.SUPERVISOR,
        password_hash=priya.password_hash,
    )


async def _link(client, csrf: str, supervisor: User, supervisee: User, key: str | None = None, **fields: str):
    data = {
        "csrf_token": csrf,
        "form_key": key or secrets.token_urlsafe(24),
        "supervisor_id": str(supervisor.id),
        "supervisee_id": str(supervisee.id),
        "started_on": "2026-11-22",
        **fields,
    }
    return await client.post("/supervision", data=data)


async def _signed_note(client, email: str) -> IntegrationNote:
    """`email` writes and signs a note on Casey's fifth session (its own browser)."""
    csrf = await sign_in(client, email)
    data = note_form(csrf)
    assert (await client.post(f"/infusions/{(await casey_infusion()).id}/notes/new", data=data)).status_code == 303
    note = await IntegrationNote.get(draft_key=data["draft_key"])
    signed = await client.post(
        f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD}
    )
    assert signed.status_code == 303, signed.text[-1500:]
    return await IntegrationNote.get(id=note.id)


def _queue(html: str) -> tuple[str, str]:
    """The supervisor's own part of the co-sign queue, and the unassigned part."""
    mine, _, unassigned = html.partition("<h2>Unassigned</h2>")
    return mine, unassigned


async def test_a_linked_trainees_signed_note_lands_in_that_supervisors_queue_and_no_other(client, demo):
    morgan, sam = await _second_supervisor(), await User.get(email="therapist@demo.clinic")
    await User.filter(id=sam.id).update(is_trainee=True)
    csrf = await sign_in(client, "supervisor2@demo.clinic")
    page = await client.get("/supervision")
    assert page.status_code == 200 and 'value="2026-11-22"' in page.text  # the start date defaults to today
    assert "No supervisor now for Sam Okafor" in page.text
    linked = await _link(client, csrf, morgan, sam)
    assert linked.status_code == 303 and linked.headers["location"] == "/supervision?done=linked"
    page = await client.get(linked.headers["location"])
    assert "The link is recorded." in page.text and "No supervisor now for Sam" not in page.text
    assert "<strong>Morgan Ellis</strong> supervises <strong>Sam Okafor</strong>" in page.text
    assert '<span class="muted">(therapist, trainee)</span>' in page.text
    event = await AuditEvent.get(action="supervision.linked")
    assert event.actor_id == morgan.id and event.detail["supervisee"] == sam.id and event.detail["until"] is None

    async with another(client) as trainee:
        note = await _signed_note(trainee, "therapist@demo.clinic")
    assert note.status == "cosign_pending"
    mine, unassigned = _queue((await client.get("/oversight/cosign")).text)
    assert f"/notes/{note.id}" in mine and f"/notes/{note.id}" not in unassigned
    async with another(client) as priya:
        priya_csrf = await sign_in(priya, "supervisor@demo.clinic")
        assert f"/notes/{note.id}" not in (await priya.get("/oversight/cosign")).text
        shown = await priya.get(f"/notes/{note.id}")
        assert shown.status_code == 200 and f"/notes/{note.id}/cosign" not in shown.text
        assert "Waiting for Morgan Ellis to co-sign (supervising Sam Okafor when it was signed)." in shown.text
        data = {"csrf_token": priya_csrf, "version": str(note.version), "password": PASSWORD}
        refused = await priya.post(f"/notes/{note.id}/cosign", data=data)
        assert refused.status_code in (403, 404) and (await IntegrationNote.get(id=note.id)).status == "cosign_pending"
    # the morning summary counts the same queue: Priya has the demo's note by Jordan, Morgan has Sam's
    priya = await User.get(email="supervisor@demo.clinic")
    assert (await digest.counts(priya))["cosign"] == 1 and (await digest.counts(morgan))["cosign"] == 1
    data = {"csrf_token": csrf, "version": str(note.version), "password": PASSWORD}
    assert (await client.post(f"/notes/{note.id}/cosign", data=data)).status_code == 303
    assert (await IntegrationNote.get(id=note.id)).cosigned_by_id == morgan.id


async def test_a_trainee_nobody_supervises_goes_to_every_supervisor_as_unassigned(client, demo, clock):
    morgan, sam = await _second_supervisor(), await User.get(email="therapist@demo.clinic")
    await User.filter(id=sam.id).update(is_trainee=True)
    async with another(client) as trainee:
        note = await _signed_note(trainee, "therapist@demo.clinic")
    for email in ("supervisor@demo.clinic", "supervisor2@demo.clinic"):
        async with another(client) as sup:
            await sign_in(sup, email)
            mine, unassigned = _queue((await sup.get("/oversight/cosign")).text)
            assert f"/notes/{note.id}" in unassigned and f"/notes/{note.id}" not in mine
            shown = (await sup.get(f"/notes/{note.id}")).text
            assert "Unassigned: signed while nobody supervised Sam Okafor" in shown and "/cosign" in shown
    # a link recorded later, from an earlier day, covers the signing moment: the note is now that supervisor's
    csrf = await sign_in(client, "supervisor2@demo.clinic")
    assert (await _link(client, csrf, morgan, sam, started_on="2026-11-01")).status_code == 303
    mine, unassigned = _queue((await client.get("/oversight/cosign")).text)
    assert f"/notes/{note.id}" in mine
    # ending the link later keeps the note with the supervisor who supervised it when it was signed
    clock.advance(minutes=5)
    link = await Supervision.get(supervisee_id=sam.id)
    assert (await client.post(f"/supervision/{link.id}/end", data={"csrf_token": csrf})).status_code == 303
    assert f"/notes/{note.id}" in _queue((await client.get("/oversight/cosign")).text)[0]


async def test_a_double_submit_links_once(client, demo):
    csrf = await sign_in(client, "admin@demo.clinic")  # admins manage links too
    priya, sam = await User.get(email="supervisor@demo.clinic"), await User.get(email="therapist@demo.clinic")
    key = secrets.token_urlsafe(24)
    first, second = await _link(client, csrf, priya, sam, key), await _link(client, csrf, priya, sam, key)
    assert first.status_code == second.status_code == 303 and first.headers["location"] == second.headers["location"]
    assert await Supervision.filter(supervisee_id=sam.id).count() == 1
    assert await AuditEvent.filter(action="supervision.linked").count() == 1
    # a new form for the same pair and overlapping days is refused at the field, the choices kept
    again = await _link(client, csrf, priya, sam, started_on="2026-12-01")
    assert again.status_code == 400 and 'id="e-supervisee_id"' in again.text
    assert "Priya Raman already supervises Sam Okafor from 22 Nov 2026" in again.text
    assert 'value="2026-12-01"' in again.text and await Supervision.filter(supervisee_id=sam.id).count() == 1


async def test_ending_keeps_the_history_and_a_second_end_answers_calmly(client, demo, clock):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    priya, jordan = await User.get(email="supervisor@demo.clinic"), await User.get(email="therapist2@demo.clinic")
    link = await Supervision.get(supervisor_id=priya.id, supervisee_id=jordan.id)  # the demo's
    clock.advance(minutes=5)
    ended = await client.post(f"/supervision/{link.id}/end", data={"csrf_token": csrf})
    assert ended.status_code == 303 and ended.headers["location"] == "/supervision?done=ended"
    async with another(client) as tab:  # a second window that still showed the link running
        tab_csrf = await sign_in(tab, "admin@demo.clinic")
        calm = await tab.post(f"/supervision/{link.id}/end", data={"csrf_token": tab_csrf}, follow_redirects=True)
        assert calm.status_code == 200 and "had already ended" in calm.text
    row = await Supervision.get(id=link.id)
    assert row.ended_at == clock.now and row.ended_by_id == priya.id
    assert await AuditEvent.filter(action="supervision.ended").count() == 1
    page = (await client.get("/supervision")).text
    history = page[page.index('id="history-h"') :]
    assert "Jordan Lee" in history and "ended by Priya Raman" in history and "– 22 Nov 2026" in history
    assert "No supervisor now for Jordan Lee" in page  # the demo's trainee
    # the pair can be linked again from a later day; cancelling that planned link keeps it too
    assert (await _link(client, csrf, priya, jordan, started_on="2026-11-23")).status_code == 303
    planned = await Supervision.get(supervisee_id=jordan.id, ended_at__isnull=True)
    assert "planned" in (await client.get("/supervision")).text
    assert (await client.post(f"/supervision/{planned.id}/end", data={"csrf_token": csrf})).status_code == 303
    assert (await Supervision.get(id=planned.id)).ended_at == planned.started_at
    assert "Cancelled before it began (23 Nov 2026)" in (await client.get("/supervision")).text
    assert await Supervision.filter(supervisee_id=jordan.id).count() == 2


async def test_six_windows_ending_one_link_at_once_end_it_once(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    link = await Supervision.get(supervisee__email="therapist2@demo.clinic")
    answers = await asyncio.gather(
        *(client.post(f"/supervision/{link.id}/end", data={"csrf_token": csrf}) for _ in range(6))
    )
    assert [a.status_code for a in answers] == [303] * 6
    assert sorted(a.headers["location"] for a in answers) == ["/supervision?done=already"] * 5 + [
        "/supervision?done=ended"
    ]
    assert await AuditEvent.filter(action="supervision.ended").count() == 1


async def test_process_notes_follow_the_link_from_its_first_day_until_it_ends(client, demo, clock):
    priya, jordan = await User.get(email="supervisor@demo.clinic"), await User.get(email="therapist2@demo.clinic")
    riley = await Patient.get(mrn="DC-1002")
    at = clock.now - timedelta(hours=1)
    kept = await ProcessNote.create(
        clinic_id=riley.clinic_id, author=jordan, patient=riley, body="Mine.", created_at=at, updated_at=at
    )
    csrf = await sign_in(client, "supervisor@demo.clinic")
    assert (await client.get(f"/process-notes/{kept.id}")).status_code == 200
    await client.get(f"/patients/{riley.id}/process-notes")
    assert (await AuditEvent.filter(action="process_note.listed").order_by("-seq").first()).detail == {"count": 1}
    link = await Supervision.get(supervisor_id=priya.id, supervisee_id=jordan.id)
    assert (await client.post(f"/supervision/{link.id}/end", data={"csrf_token": csrf})).status_code == 303
    assert (await client.get(f"/process-notes/{kept.id}")).status_code == 404
    opened = await client.post(f"/process-notes/{kept.id}/open", data={"csrf_token": csrf, "password": PASSWORD})
    assert opened.status_code == 404
    await client.get(f"/patients/{riley.id}/process-notes")
    assert (await AuditEvent.filter(action="process_note.listed").order_by("-seq").first()).detail == {"count": 0}
    # a link planned from tomorrow opens nothing yet; from its first day it does
    assert (await _link(client, csrf, priya, jordan, started_on="2026-11-23")).status_code == 303
    assert (await client.get(f"/process-notes/{kept.id}")).status_code == 404
    clock.advance(days=1)
    await sign_in(client, "supervisor@demo.clinic")  # the session ended overnight
    assert (await client.get(f"/process-notes/{kept.id}")).status_code == 200


async def test_wrong_people_and_dates_are_refused_at_their_fields(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    priya, sam = await User.get(email="supervisor@demo.clinic"), await User.get(email="therapist@demo.clinic")
    casey = await User.get(email="patient@demo.clinic")
    backwards = await _link(client, csrf, priya, sam, started_on="2026-11-22", ended_on="2026-11-01")
    assert backwards.status_code == 400 and 'id="e-ended_on"' in backwards.text
    assert "cannot be before the start date" in backwards.text and 'value="2026-11-01"' in backwards.text
    self_link = await _link(client, csrf, priya, priya)
    assert self_link.status_code == 400 and "Nobody can supervise themselves" in self_link.text
    wrong_roles = await _link(client, csrf, sam, casey)
    assert wrong_roles.status_code == 400 and 'id="e-supervisor_id"' in wrong_roles.text
    assert 'id="e-supervisee_id"' in wrong_roles.text
    empty = await client.post("/supervision", data={"csrf_token": csrf, "form_key": secrets.token_urlsafe(24)})
    assert empty.status_code == 400 and "Enter the start date." in empty.text
    assert not await Supervision.filter(supervisee_id=sam.id).exists()
    assert not await AuditEvent.filter(action="supervision.linked").exists()


async def test_other_clinics_and_other_roles_get_nothing(client, demo, actor):
    other = await Clinic.get(slug="other.clinic")
    taylor = await User.get(email="therapist@other.clinic")
    boss = await User.create(
        clinic_id=other.id, email="supervisor@other.clinic", name="Kim Other", role=Role.SUPERVISOR, password_hash="x"
    )
    theirs = await Supervision.create(clinic_id=other.id, supervisor=boss, supervisee=taylor, started_at=actor.now)
    csrf = await sign_in(client, "supervisor@demo.clinic")
    priya = await User.get(email="supervisor@demo.clinic")
    assert (await _link(client, csrf, priya, taylor)).status_code == 404
    assert (await _link(client, csrf, boss, await User.get(email="therapist@demo.clinic"))).status_code == 404
    assert (await client.post(f"/supervision/{theirs.id}/end", data={"csrf_token": csrf})).status_code == 404
    assert "Taylor Brooks" not in (await client.get("/supervision")).text
    assert (await Supervision.get(id=theirs.id)).ended_at is None
    for email in ("therapist@demo.clinic", "patient@demo.clinic", "nurse@demo.clinic"):
        async with another(client) as them:
            their_csrf = await sign_in(them, email)
            assert (await them.get("/supervision")).status_code == 403
            assert (await _link(them, their_csrf, priya, taylor)).status_code == 403
            link = await Supervision.filter(clinic_id=priya.clinic_id).first()
            assert (await them.post(f"/supervision/{link.id}/end", data={"csrf_token": their_csrf})).status_code == 404
    assert await Supervision.filter(ended_at__isnull=False).count() == 0


async def test_hostile_input_is_refused_without_a_5xx(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    key = secrets.token_urlsafe(24)
    huge = {"csrf_token": csrf, "form_key": key, "supervisor_id": "9" * 40, "supervisee_id": "-1", "started_on": "x"}
    r = await client.post("/supervision", data=huge)
    assert r.status_code == 400 and 'id="e-supervisor_id"' in r.text and 'id="e-supervisee_id"' in r.text
    assert 'id="e-started_on"' in r.text
    nul = await client.post("/supervision", data={**huge, "supervisor_id": "1\x00", "started_on": "2026-11-22\x00"})
    assert nul.status_code == 400
    stale = await client.post("/supervision", data={**huge, "form_key": "not a key!"})
    assert stale.status_code == 400 and "out of date" in stale.text
    assert (await client.post("/supervision/99999999999/end", data={"csrf_token": csrf})).status_code == 404
    assert (await client.post("/supervision/2147483000/end", data={"csrf_token": csrf})).status_code == 404
    far = await client.post(
        "/supervision", data={**huge, "supervisor_id": "1", "supervisee_id": "2", "started_on": "9999-12-31"}
    )
    assert far.status_code in (400, 404) and await Supervision.all().count() == 1  # the demo's link only
