"""Writes record what they did, and no reads of their own: an autosave writes its save event alone; a refusal that is
recorded (a wrong step-up password, a stale version) is the only event of its request, though its page is shown
again; a refusal that records nothing (a field message) shows its page with that page's reads, once each; opening the
note editor with copy=previous records the previous note it copies from, once (docs/audit-actions.md)."""

from __future__ import annotations

import re
from unittest.mock import ANY

from care.infusion_forms import form_values
from care.models import Infusion
from journal.models import JournalEntry
from notes.models import IntegrationNote, Status
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.conftest import DEMO_PASSWORD, another
from tests.notes.conftest import HX, note_form
from tests.server.read_audit_pages import demo_records

WRONG = "not-the-password-at-all"
PLAIN = re.compile(r"[A-Za-z0-9_]{1,64}")  # a field name, an enumerated value or a hex digest


async def _written(before: int) -> list[tuple[str, str, str, str, dict]]:
    rows = await AuditEvent.filter(seq__gt=before).order_by("seq")
    return [(e.action, e.object_type, e.object_id, e.outcome, e.detail) for e in rows]


async def _seq() -> int:
    return await AuditEvent.all().count()


async def test_a_note_autosave_writes_the_save_and_no_read(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    d = await demo_records()
    draft = await IntegrationNote.get(id=d.draft_note)
    before = await _seq()
    data = {**note_form(csrf, version=draft.version, key=draft.draft_key), "s_plan": "Walk."}
    assert (await client.post(f"/notes/{draft.id}/draft", data=data, headers=HX)).status_code == 200
    assert [a for a, *_ in await _written(before)] == ["note.saved"]


async def test_a_journal_autosave_writes_the_save_and_no_read(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await JournalEntry.get(id=(await demo_records()).entry)
    before = await _seq()
    data = {"csrf_token": csrf, "kind": entry.kind, "version": str(entry.version), "draft_key": entry.draft_key}
    saved = await client.post(f"/journal/{entry.id}/draft", data={**data, "body": "New words."}, headers=HX)
    assert saved.status_code == 200
    assert [a for a, *_ in await _written(before)] == ["journal.entry_saved"]


async def test_a_wrong_password_at_signing_a_note_writes_that_alone(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    draft = await IntegrationNote.get(id=(await demo_records()).draft_note)
    before = await _seq()
    data = {"csrf_token": csrf, "version": str(draft.version), "password": WRONG}
    refused = await client.post(f"/notes/{draft.id}/sign", data=data)
    assert refused.status_code == 400 and "That password is wrong" in refused.text
    assert await _written(before) == [("note.step_up_failed", "note", str(draft.id), "denied", {})]
    stale = await client.post(f"/notes/{draft.id}/sign", data={**data, "version": "99", "password": DEMO_PASSWORD})
    assert stale.status_code == 409 and 'id="editor"' in stale.text  # the editor, shown again
    assert (await _written(before))[1:] == [("note.save_conflict", "note", str(draft.id), "denied", ANY)]


async def test_a_wrong_password_at_co_signing_writes_that_alone(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    pending = await IntegrationNote.get(status=Status.COSIGN_PENDING)
    before = await _seq()
    data = {"csrf_token": csrf, "version": str(pending.version), "password": WRONG}
    assert (await client.post(f"/notes/{pending.id}/cosign", data=data)).status_code == 400
    assert await _written(before) == [("note.cosign_step_up_failed", "note", str(pending.id), "denied", {})]


async def test_a_wrong_password_at_signing_an_infusion_writes_that_alone(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    d = await demo_records()
    for infusion_id in (d.infusion, d.infusion4):  # infusion 4 has shared entries (not on the nurse's page)
        infusion = await Infusion.get(id=infusion_id)
        before = await _seq()
        data = {"csrf_token": csrf, "version": str(infusion.version), "password": WRONG}
        refused = await client.post(f"/infusions/{infusion.id}/sign", data=data)
        assert refused.status_code == 400 and "That password is wrong" in refused.text
        assert await _written(before) == [("infusion.step_up_failed", "infusion", str(infusion.id), "denied", {})]


async def test_opening_the_editor_with_copy_previous_reads_the_previous_note_once(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    d = await demo_records()
    before = await _seq()
    assert (await client.get(f"/infusions/{d.infusion}/notes/new?copy=previous")).status_code == 200
    assert await _written(before) == [
        ("infusion.viewed", "infusion", str(d.infusion), "ok", {}),
        ("journal.shared_viewed", "patient", str(d.casey), "ok", {"entries": d.prefill_5}),
        ("note.read", "note", str(d.previous_note), "ok", {"copied": ["plan", "practices"]}),
    ]


async def test_a_refused_form_shows_its_page_with_that_pages_reads_once(client, demo):
    d = await demo_records()
    infusion4 = [("infusion.viewed", "infusion", str(d.infusion4), "ok", {})]
    prefill4 = [("journal.shared_viewed", "patient", str(d.casey), "ok", {"entries": d.prefill_4})]
    form = {"form": "edit"}
    async with another(client) as nurse:  # the dosing record is the medical staff's: they see no journal entries
        csrf = await sign_in(nurse, "nurse@demo.clinic")
        key = {"csrf_token": csrf, "form_key": "k" * 24}
        await _refused(nurse, [
            (f"/infusions/{d.infusion4}/vitals", {**key, "minute_offset": "x"}, infusion4),
            (f"/infusions/{d.infusion4}/vitals/strike", {"csrf_token": csrf}, infusion4),
            (f"/infusions/{d.infusion}/edit", {"csrf_token": csrf, "version": "1", "number": "x"},
             [("infusion.form_viewed", "infusion", str(d.infusion), "ok", form)]),
            (f"/patients/{d.casey}/infusions/new", {**key, "number": "x"},
             [("infusion.form_viewed", "patient", str(d.casey), "ok", {"form": "new"})]),
        ])  # fmt: skip
    csrf = await sign_in(client, "therapist@demo.clinic")
    key = {"csrf_token": csrf, "form_key": "k" * 24}
    await _refused(client, [
        (f"/notes/{d.signed_note}/addenda", {**key, "body": ""}, [("note.read", "note", str(d.signed_note), "ok", {})]),
        (f"/notes/{d.draft_note}", {**note_form(csrf, version=1), "format": "nope"}, infusion4 + prefill4),
        (f"/patients/{d.casey}/measures/new", {**key, "instrument": "phq9"},
         [("measure.form_viewed", "patient", str(d.casey), "ok", {"instrument": "PHQ9"})]),
        (f"/patients/{d.casey}/cssrs/new", key,
         [("measure.form_viewed", "patient", str(d.casey), "ok", {"instrument": "CSSRS"})]),
    ])  # fmt: skip


async def _refused(client, cases) -> None:
    for path, data, expected in cases:
        before = await _seq()
        assert (await client.post(path, data=data)).status_code == 400, path
        assert await _written(before) == expected, path


async def test_a_refused_journal_save_shows_the_words_typed_and_reads_nothing(client, demo):
    """The journal editor shown again holds what was typed, not the stored entry: no read. A stale save is not
    refused: it is saved (journal.entry_saved) and the text it replaced kept in a conflict copy
    (journal.save_conflict), and those are its only events."""
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await JournalEntry.get(id=(await demo_records()).entry)
    data = {"csrf_token": csrf, "kind": entry.kind, "draft_key": entry.draft_key, "body": "Typed words."}
    before = await _seq()
    refused = await client.post(f"/journal/{entry.id}/edit", data={**data, "version": str(entry.version), "mood": "99"})
    assert refused.status_code == 400 and "Typed words." in refused.text and await _written(before) == []
    stale = await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "0"})
    assert stale.status_code == 303
    assert [a for a, *_ in await _written(before)] == ["journal.save_conflict", "journal.entry_saved"]


async def test_a_stale_infusion_save_shows_the_saved_record_with_one_read(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    d = await demo_records()
    infusion = await Infusion.get(id=d.infusion)
    typed = {k: ("on" if v is True else v) for k, v in form_values(infusion, "UTC").items() if v is not False}
    await Infusion.filter(id=infusion.id).update(version=infusion.version + 1)  # someone else saved meanwhile
    before = await _seq()
    data = {**typed, "csrf_token": csrf, "version": str(infusion.version)}
    r = await client.post(f"/infusions/{d.infusion}/edit", data=data)
    assert r.status_code == 409 and "Someone else saved this record while you were editing it" in r.text
    assert [a for a, *_ in await _written(before)] == ["infusion.form_viewed"]


async def test_the_review_list_writes_a_read_event_naming_its_notes(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    await client.post("/oversight/reviews", data={"csrf_token": csrf, "count": "5", "days": "30"})
    before = await _seq()
    assert (await client.get("/oversight/reviews")).status_code == 200
    [(action, *_, detail)] = await _written(before)
    assert action == "review.list_viewed" and len(detail["notes"]) == 2


async def test_a_refused_route_is_recorded_by_its_pattern_never_by_the_text_typed(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    before = await _seq()
    assert (await client.get("/measures/call me on 555 0100/new")).status_code == 404
    assert await _written(before) == [("access.denied", "route", "/measures/{slug:str}/new", "denied", {"ids": {}})]


async def test_audit_detail_holds_ids_field_names_and_enumerated_values_only(client, demo):
    """Across the demo's own history and the writes above: no detail value is free text."""
    for flow in (
        test_a_refused_form_shows_its_page_with_that_pages_reads_once,
        test_a_wrong_password_at_signing_a_note_writes_that_alone,
        test_a_note_autosave_writes_the_save_and_no_read,
        test_a_refused_route_is_recorded_by_its_pattern_never_by_the_text_typed,
    ):
        async with another(client) as browser:
            await flow(browser, demo)

    def leaves(value: object) -> list[object]:
        if isinstance(value, dict):
            return [*value.keys(), *(x for v in value.values() for x in leaves(v))]
        return [x for v in value for x in leaves(v)] if isinstance(value, list) else [value]

    for action, detail in await AuditEvent.all().values_list("action", "detail"):
        for leaf in leaves(detail):
            assert not isinstance(leaf, str) or PLAIN.fullmatch(leaf), f"{action}: {leaf!r}"
