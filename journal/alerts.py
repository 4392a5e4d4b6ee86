"""The care team's alert about a journal entry: raised when an entry with crisis language is shared, or when the
patient presses "Let my care team know" on a private one. Either way one entry makes at most one alert."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from care.access import own_patient
from care.measures import raise_alert
from care.models import AlertSource, Patient, RiskAlert
from journal import access
from journal.models import JournalEntry
from server import audit
from server.actor import Actor

SHARED_CRISIS = "Crisis language in a shared journal entry"
ASKED = "Asked the care team to know about a private journal entry with worrying words (the entry stays private)"


async def alert_if_needed(actor: Actor, patient: Patient, entry: JournalEntry) -> None:
    """One alert per shared entry with crisis language, whenever it becomes both shared and flagged."""
    fresh = await JournalEntry.get(id=entry.id)
    if fresh.shared and fresh.crisis_language:
        await _alert_once(actor, patient, entry.id, SHARED_CRISIS)


async def _alert_once(actor: Actor, patient: Patient, entry_id: int, summary: str) -> bool:
    """Raise the entry's alert unless it has one. The claim is one conditional UPDATE of `alerted_at`, which the
    database serialises, so two requests at once (a double click, two tabs) make one alert on SQLite and
    PostgreSQL alike. Alerts raised before `alerted_at` existed are found by their source_ref."""
    claimed = await JournalEntry.filter(id=entry_id, alerted_at=None).update(alerted_at=actor.now)
    ref = f"journal_entry:{entry_id}"
    if not claimed or await RiskAlert.filter(source_ref=ref).exists():
        return False
    await raise_alert(actor, patient, AlertSource.JOURNAL_LANGUAGE, "high", summary, source_ref=ref)
    return True


async def tell_care_team(actor: Actor, entry_id: int) -> JournalEntry:
    """The patient pressed "Let my care team know": the care team gets the same alert a shared entry's crisis words
    raise (once, however often it is pressed); the entry itself stays as private as it was."""
    entry = await access.get_own_entry(actor, entry_id)
    patient = await own_patient(actor)
    async with in_transaction():
        raised = await _alert_once(actor, patient, entry.id, SHARED_CRISIS if entry.shared else ASKED)
        await audit.record(
            actor,
            access.CARE_TEAM_ASKED,
            object_type="journal_entry",
            object_id=entry.id,
            patient_id=patient.id,
            detail={"alert_raised": raised},
        )
    return await access.get_own_entry(actor, entry_id)
