from __future__ import annotations

import asyncio
import re

from care.models import CareTeam, Infusion
from journal.models import Prompt
from notes import messages as notes_messages
from notes.content import digest
from notes.models import Addendum, IntegrationNote, SignedVersion
from notes.service import verify_signed
from server.models import AuditEvent, OutboxMessage, User
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.notes.conftest import HX, PASSWORD, casey_infusion, note_form


async def _draft(client, csrf, infusion, **fields) -> IntegrationNote:
    data = note_form(csrf, **fields)
    r = await client.post(f"/infusions/{infusion.id}/notes/new", data=data)
    assert r.status_code == 303, r.text[-2000:]
    return await IntegrationNote.get(draft_key=data["draft_key"])


async def test_the_editor_is_prefilled_from_the_record(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    infusion = await casey_infusion(5)
    page = await client.get(f"/infusions/{infusion.id}/notes/new")
    assert page.status_code == 200
    assert "0.5 mg/kg × 68.0 kg = 34.0 mg" in page.text
    assert "PHQ-9</dt><dd>8 (mild); baseline 19, change -11" in page.text
    assert "Open risk alerts" in page.text and "risk assessment is required" in page.text
    assert "Shared journal entries since the previous session" in page.text
    assert "I keep seeing the same door" in page.text and "not ready to talk about the lake" not in page.text
    assert 'data-quote-target="f-s_patient_experience"' in page.text


async def test_autosave_versions_and_a_stale_window_gets_409(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    infusion = await casey_infusion()
    data = note_form(csrf)
    first = await client.post(f"/infusions/{infusion.id}/notes/new", data=data, headers=HX)
    note = await IntegrationNote.get(draft_key=data["draft_key"])
    assert first.status_code == 200 and "Saved" in first.text and first.headers["HX-Replace-Url"] == f"/notes/{note.id}"
    ok = await client.post(f"/notes/{note.id}/draft", data={**data, "version": "1", "s_plan": "v2"}, headers=HX)
    assert ok.status_code == 200
    stale = await client.post(f"/notes/{note.id}/draft", data={**data, "version": "1", "s_plan": "old"}, headers=HX)
    assert stale.status_code == 409
    assert (await IntegrationNote.get(id=note.id)).content["plan"] == "v2"


async def test_signing_needs_the_password_and_the_required_sections(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    infusion = await casey_infusion()
    note = await _draft(client, csrf, infusion, s_data="", risk_ideation="")
    wrong = await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": "nope"})
    assert wrong.status_code == 400 and "password is wrong" in wrong.text
    assert await AuditEvent.filter(action="note.step_up_failed", outcome="denied").exists()
    missing = await client.post(
        f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD}
    )
    assert missing.status_code == 400
    assert "Data is needed before signing" in missing.text and "complete the risk assessment" in missing.text
    assert (await IntegrationNote.get(id=note.id)).status == "draft"


async def test_a_signed_note_is_locked_hashed_and_releases_practices_and_summary(app, client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    infusion = await casey_infusion()
    note = await _draft(
        client,
        csrf,
        infusion,
        practices="Morning walk, 10 minutes\nWrite one line each night",
        shared_summary="We talked about the door image. Walk each morning.",
    )
    r = await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    assert r.status_code == 303
    note = await IntegrationNote.get(id=note.id)
    assert note.status == "signed" and note.content_sha256 == digest(note) and await verify_signed(note)
    assert (await SignedVersion.get(note_id=note.id)).content_sha256 == note.content_sha256
    edit = await client.post(
        f"/notes/{note.id}/draft", data={**note_form(csrf, version=1), "s_plan": "changed"}, headers=HX
    )
    assert edit.status_code in (403, 409)
    assert (await IntegrationNote.get(id=note.id)).content["plan"] == "Continue weekly integration."
    prompts = await Prompt.filter(infusion_id=infusion.id, source="practice").values_list("text", flat=True)
    assert sorted(prompts) == ["Morning walk, 10 minutes", "Write one line each night"]
    async with another(client) as patient:
        await sign_in(patient, "patient@demo.clinic")
        home = (await patient.get("/journal")).text
        assert "From your care team" in home and "We talked about the door image" in home
        assert "Morning walk, 10 minutes" in home and "Patient described the lake image" not in home
        read = await AuditEvent.filter(action="note.summaries_read", patient_id=note.patient_id).first()
        assert read is not None and note.id in read.detail["notes"]
    [told] = await OutboxMessage.filter(kind="summary_shared")  # the patient hears something was shared, once
    assert told.to_address == "patient@demo.clinic" and told.payload == {"note": note.id}
    words = await notes_messages.render(app.state.settings, told.payload)
    assert "door image" not in words.text and "Walk each morning" not in words.text


async def test_a_trainees_summary_reaches_the_patient_only_once_co_signed(client, demo):
    await User.filter(email="therapist@demo.clinic").update(is_trainee=True)
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion(), shared_summary="A few words for Casey.")
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    assert (await IntegrationNote.get(id=note.id)).status == "cosign_pending"
    assert not await OutboxMessage.filter(kind="summary_shared").exists()
    async with another(client) as sup:
        sup_csrf = await sign_in(sup, "supervisor@demo.clinic")
        r = await sup.post(
            f"/notes/{note.id}/cosign", data={"csrf_token": sup_csrf, "version": "1", "password": PASSWORD}
        )
        assert r.status_code == 303, r.text[:300]
    told = await OutboxMessage.filter(kind="summary_shared").values_list("payload", flat=True)
    assert told == [{"note": note.id}]


async def test_any_change_to_a_signed_row_is_detected(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    await IntegrationNote.filter(id=note.id).update(
        content={**(await IntegrationNote.get(id=note.id)).content, "plan": "quietly edited"}
    )
    tampered = await IntegrationNote.get(id=note.id)
    assert not await verify_signed(tampered)
    page = await client.get(f"/notes/{note.id}")
    assert "no longer matches the content that was signed" in page.text


async def test_addenda_are_signed_and_shown_under_the_note(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    r = await client.post(f"/notes/{note.id}/addenda", data={"csrf_token": csrf, "body": "Patient called: slept well."})
    assert r.status_code == 303
    addendum = await Addendum.get(note_id=note.id)
    assert len(addendum.content_sha256) == 64
    page = await client.get(f"/notes/{note.id}")
    assert "Patient called: slept well." in page.text and "signed" in page.text
    empty = await client.post(f"/notes/{note.id}/addenda", data={"csrf_token": csrf, "body": " "})
    assert empty.status_code == 400


async def test_concurrent_sign_and_edit_exactly_one_wins(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    sign = client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    edit = client.post(f"/notes/{note.id}/draft", data={**note_form(csrf, version=1), "s_plan": "edited"}, headers=HX)
    signed, edited = await asyncio.gather(sign, edit)
    outcomes = sorted([signed.status_code, edited.status_code])
    final = await IntegrationNote.get(id=note.id)
    if signed.status_code == 303:
        assert edited.status_code in (403, 409) and final.status == "signed" and final.content["plan"] != "edited"
    else:
        assert signed.status_code == 409 and edited.status_code == 200 and final.status == "draft"
    assert outcomes != [200, 303]


async def test_trainee_flow_return_revise_sign_cosign_all_audited(client, demo):
    await User.filter(email="therapist@demo.clinic").update(is_trainee=True)
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion(), practices="Breathe 4-7-8 before bed")
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    assert (await IntegrationNote.get(id=note.id)).status == "cosign_pending"
    assert not await Prompt.filter(text="Breathe 4-7-8 before bed").exists()  # not final yet
    async with another(client) as sup:
        sup_csrf = await sign_in(sup, "supervisor@demo.clinic")
        r = await sup.post(f"/notes/{note.id}/return", data={"csrf_token": sup_csrf, "comment": "Add the risk detail."})
        assert r.status_code == 303 and (await IntegrationNote.get(id=note.id)).status == "returned"
        editor = await client.get(f"/notes/{note.id}")
        assert "Returned for revision" in editor.text and "Add the risk detail." in editor.text
        version = re.search(r'id="f-version" name="version" value="(\d+)"', editor.text).group(1)
        await client.post(
            f"/notes/{note.id}/draft",
            data={
                **note_form(csrf, version=int(version)),
                "risk_protective": "Sister nearby",
                "practices": "Breathe 4-7-8 before bed",
            },
            headers=HX,
        )
        r = await client.post(
            f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": str(int(version) + 1), "password": PASSWORD}
        )
        assert r.status_code == 303 and (await IntegrationNote.get(id=note.id)).status == "cosign_pending"
        cosign = {"csrf_token": sup_csrf, "version": str(int(version) + 1), "password": PASSWORD}
        r = await sup.post(f"/notes/{note.id}/cosign", data=cosign)
        assert r.status_code == 303
    final = await IntegrationNote.get(id=note.id)
    assert final.status == "cosigned" and final.cosigned_by_id is not None and await verify_signed(final)
    versions = await SignedVersion.filter(note_id=note.id).order_by("version")
    assert [v.outcome for v in versions] == ["returned", "cosigned"] and versions[0].outcome_comment
    actions = await AuditEvent.filter(object_type="note", object_id=str(note.id)).values_list("action", flat=True)
    for action in ("note.signed", "note.returned", "note.cosigned"):
        assert action in actions
    assert await Prompt.filter(text="Breathe 4-7-8 before bed").exists()


async def test_strangers_get_404_on_notes(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    for email in ("therapist2@demo.clinic", "therapist@other.clinic", "patient@demo.clinic", "admin@demo.clinic"):
        async with another(client) as other:
            other_csrf = await sign_in(other, email)
            assert (await other.get(f"/notes/{note.id}")).status_code == 404, email
            r = await other.post(f"/notes/{note.id}/addenda", data={"csrf_token": other_csrf, "body": "x"})
            assert r.status_code == 404, email
    assert not await Addendum.filter(note_id=note.id).exists()


async def test_drafts_are_private_to_their_author(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    async with another(client) as sup:
        await sign_in(sup, "supervisor@demo.clinic")
        assert (await sup.get(f"/notes/{note.id}")).status_code == 404


async def test_the_prefill_audits_the_shared_entries_it_shows(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    infusion = await casey_infusion(5)
    await client.get(f"/infusions/{infusion.id}/notes/new")
    therapist = await User.get(email="therapist@demo.clinic")
    views = await AuditEvent.filter(
        action="journal.shared_viewed", actor_id=therapist.id, patient_id=infusion.patient_id
    )
    assert any(v.detail["entries"] for v in views)


async def test_a_saved_draft_audits_the_names_of_what_changed_never_the_words(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    edit = {**note_form(csrf, version=1, key=note.draft_key), "s_plan": "Walk daily.", "format": "DAP"}
    assert (await client.post(f"/notes/{note.id}", data=edit)).status_code == 303
    event = await AuditEvent.filter(action="note.saved", object_id=str(note.id)).order_by("-seq").first()
    assert event.detail["changed"] == ["plan"] and "Walk daily" not in str(event.detail)


async def test_a_note_is_not_signed_before_its_session_begins(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    booked = await Infusion.filter(patient__mrn="DC-1001", started_at__isnull=True).order_by("-scheduled_at").first()
    note = await _draft(client, csrf, booked)
    sign = {"csrf_token": csrf, "version": "1", "password": PASSWORD}
    r = await client.post(f"/notes/{note.id}/sign", data=sign)
    assert r.status_code == 400 and "This session has not begun yet" in r.text
    assert (await IntegrationNote.get(id=note.id)).status == "draft"


async def test_a_therapist_taken_off_the_care_team_no_longer_reads_their_notes(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _draft(client, csrf, await casey_infusion())
    assert (await client.get(f"/notes/{note.id}")).status_code == 200
    sam = await User.get(email="therapist@demo.clinic")
    async with another(client) as supervisor:
        sup_csrf = await sign_in(supervisor, "supervisor@demo.clinic")
        removal = {"csrf_token": sup_csrf, "therapist_id": str(sam.id), "action": "remove"}
        assert (await supervisor.post(f"/patients/{note.patient_id}/care-team", data=removal)).status_code == 303
    assert not await CareTeam.filter(therapist_id=sam.id, patient_id=note.patient_id).exists()
    assert (await client.get(f"/notes/{note.id}")).status_code == 404
    signed = await IntegrationNote.filter(patient__mrn="DC-1001", author_id=sam.id, status="signed").first()
    assert (await client.get(f"/notes/{signed.id}")).status_code == 404
