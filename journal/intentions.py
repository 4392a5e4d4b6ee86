"""Intentions: before a dosing session the patient may write what they would like to bring to it (an entry of kind
"intention", answering the prompt "intention:<booking id>"). It starts shared — the therapist reads it before the
session, on the session's page, on the infusion page and in the note editor's pre-fill — unless the patient unticks
it; and the first prompt after the session quotes it back ("You came in wanting …", journal/prompts.py)."""

from __future__ import annotations

from typing import Any

from care import calendar
from care.calendar_models import Booking, BookingKind
from care.models import Patient
from journal.access import MAY_JOURNAL_READ_SHARED
from journal.models import JournalEntry
from journal.prompts import INTENTIONS, intention_ref
from journal.shared import record_shown
from server import compiled
from server.actor import Actor
from server.compiled_together import Batch
from server.policy import can

_INTENTION = compiled.query(
    lambda patient_id, ref: (
        JournalEntry.filter(patient_id=patient_id, prompt_ref=ref, deleted_at=None).order_by("id").limit(1)
    )
)


async def next_session_wants(actor: Actor, patient: Patient, batch: Batch) -> dict[str, int]:
    """The panel's reads, put in the journal home's batch (server/panels.py): the upcoming sessions and the
    patient's intentions (one per dosing session booked)."""
    return {
        "upcoming": batch.want(calendar.UPCOMING, patient_id=patient.id, now=actor.now),
        "intentions": batch.want(INTENTIONS, patient_id=patient.id),
    }


async def next_session_panel(
    actor: Actor, patient: Patient, got: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The patient's upcoming sessions (care's panel) with, for a dosing session, the intention written for it or an
    invitation to write one."""
    data = await calendar.next_session(actor, patient, got["upcoming"] if got else None)
    if data is None:
        return None
    booking = data["next"].booking
    if booking.kind == BookingKind.DOSING:
        ref = intention_ref(booking.id)
        if got is None:
            data["intention"] = await _INTENTION.first(patient_id=patient.id, ref=ref)
        else:
            data["intention"] = next((e for e in got["intentions"] if e.prompt_ref == ref), None)
        data["intention_ref"] = ref
    return data


async def booking_panel(actor: Actor, booking: Booking) -> dict[str, Any] | None:
    """On a dosing session's page: the intention the patient shared for it (audited as a shared entry shown)."""
    patient = await Patient.get(id=booking.patient_id)
    if booking.kind != BookingKind.DOSING or not await can(actor.user, MAY_JOURNAL_READ_SHARED, patient):
        return None
    ref = intention_ref(booking.id)
    rows = JournalEntry.filter(prompt_ref=ref, patient_id=patient.id, shared=True, deleted_at=None)
    entry = await rows.first()
    if entry is None:
        return {"entry": None}
    await record_shown(actor, patient.id, [entry])
    return {"entry": entry}
