"""Process notes (HIPAA "psychotherapy notes", 45 CFR 164.501): kept apart from the record, readable by their author
and a supervisor whose recorded supervision of the author runs now, never in the portal or exports, every access
audited."""

from __future__ import annotations

from functools import partial

from tortoise.transactions import in_transaction

from care import access as care_access
from care.models import Patient
from notes import access
from notes.models import ProcessNote, Supervision
from server import audit, once, step_up
from server.actor import Actor
from server.errors import Invalid
from server.models import Role

MAX_BODY = 50_000


async def listing(actor: Actor, patient_id: int) -> tuple[object, list[ProcessNote]]:
    """Titles and dates only (never bodies) of the process notes the actor may open for this patient."""
    patient = await care_access.get_patient_for(actor, patient_id)
    authors: list[int] = [actor.user_id]
    if actor.role == Role.SUPERVISOR:
        links = Supervision.filter(access.during(actor.now), supervisor_id=actor.user_id)
        authors += [link.supervisee_id for link in await links]
    notes = (
        await ProcessNote.filter(patient_id=patient.id, author_id__in=authors)
        .select_related("author")
        .order_by("-created_at")
    )
    await audit.record_read(
        actor,
        access.PROCESS_LISTED,
        object_type="patient",
        object_id=patient.id,
        patient_id=patient.id,
        detail={"count": len(notes)},
    )
    return patient, notes


async def create(actor: Actor, patient_id: int, key: str, body: str) -> ProcessNote:
    """Write a process note, once per form `key`; Invalid (with the list page) when the body is empty or too long."""
    patient = await care_access.get_patient_for(actor, patient_id, write=True)
    if (first := await once.repeat(actor, key, "process_note")) is not None:
        return await _process_note(first)
    if not body.strip() or len(body) > MAX_BODY:
        message = f"Write the note (up to {MAX_BODY:,} characters)."
        raise Invalid({"body": message}, page=await listing(actor, patient_id))
    return await once.create(actor, key, "process_note", partial(_insert, actor, patient, body), _process_note)


async def _process_note(note_id: int) -> ProcessNote:
    return await ProcessNote.get(id=note_id)


async def _insert(actor: Actor, patient: Patient, body: str) -> ProcessNote:
    async with in_transaction():
        note = await ProcessNote.create(
            clinic_id=patient.clinic_id,
            author=actor.user,
            patient=patient,
            body=body,
            created_at=actor.now,
            updated_at=actor.now,
        )
        await audit.record(
            actor, access.PROCESS_CREATED, object_type="process_note", object_id=note.id, patient_id=patient.id
        )
    return note


async def get(actor: Actor, note_id: int) -> ProcessNote:
    """The note's existence for someone allowed to open it (no body is shown before step-up)."""
    return await access.get_process_note_for(actor, note_id)


async def open_note(actor: Actor, note_id: int, password: step_up.Proof | str) -> ProcessNote:
    """Step-up: re-enter the password to read the body; both outcomes are audited."""
    note = await access.get_process_note_for(actor, note_id)
    ok = await step_up.verify(actor, password)
    async with in_transaction():
        await audit.record(
            actor,
            access.PROCESS_OPENED if ok else access.PROCESS_DENIED,
            object_type="process_note",
            object_id=note.id,
            patient_id=note.patient_id,
            outcome="ok" if ok else "denied",
        )
    if not ok:
        raise Invalid(ok.errors("That password is wrong."), page=note)
    return note
