"""Demo notes: signed, draft, overdue (no note), returned and awaiting co-signature, and one process note."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from care.models import Infusion, Patient
from journal.models import Prompt
from notes.content import digest
from notes.models import IntegrationNote, ProcessNote, SignedVersion, Status, Supervision
from server.actor import Actor
from server.models import Clinic, User

CONTENT = {
    "session_summary": "IV ketamine 0.5 mg/kg over 40 minutes. Calm onset; music helped.",
    "patient_experience": "Described floating above a quiet lake; sadness about her father.",
    "themes": "Grief held with more gentleness.",
    "data": "Engaged, tearful at times, oriented at discharge.",
    "assessment": "Mood lifting (PHQ-9 trending down). No safety concerns raised.",
    "plan": "Next infusion as planned.",
    "domains": ["mind", "relationships"],
    "interventions": ["music", "meaning-making dialogue"],
    "risk": {
        "ideation": "none",
        "intent": False,
        "access_to_means": False,
        "protective_factors": "Sister nearby",
        "safety_plan_reviewed": True,
    },
    "practices": ["Morning walk, 10 minutes"],
}


async def _note(
    patient: Patient, infusion: Infusion, author: User, status: Status, returned_by: User | None = None, **extra: Any
) -> IntegrationNote:
    at = (infusion.ended_at or infusion.scheduled_at) + timedelta(hours=20)
    note = await IntegrationNote.create(
        clinic_id=patient.clinic_id,
        infusion=infusion,
        patient=patient,
        author=author,
        draft_key=secrets.token_urlsafe(24),
        content=CONTENT,
        shared_summary="Thank you for today. Keep the morning walk going.",
        status=status,
        created_at=at,
        updated_at=at,
        **extra,
    )
    if status != Status.DRAFT:
        await IntegrationNote.filter(id=note.id).update(signed_at=at, signed_by=author, content_sha256=digest(note))
        await SignedVersion.create(
            note=note,
            version=1,
            content=CONTENT,
            shared_summary=note.shared_summary,
            signed_at=at,
            signed_by_id=author.id,
            content_sha256=digest(note),
            outcome="returned" if returned_by else "",
            outcome_by_id=returned_by.id if returned_by else None,
        )
    return note


async def seed(actor: Actor, clinics: dict[str, Clinic], users: dict[str, User]) -> list[str]:
    therapist, trainee, supervisor = (
        users[e] for e in ("therapist@demo.clinic", "therapist2@demo.clinic", "supervisor@demo.clinic")
    )
    await User.filter(id=trainee.id).update(is_trainee=True)
    await Supervision.create(
        clinic_id=trainee.clinic_id,
        supervisor=supervisor,
        supervisee=trainee,
        started_at=actor.now - timedelta(days=60),
    )
    casey = await Patient.get(user_id=users["patient@demo.clinic"].id)
    riley = await Patient.get(user_id=users["patient2@demo.clinic"].id)
    by_number = {i.number: i for i in await Infusion.filter(patient_id=casey.id)}
    for n in (1, 2):
        note = await _note(casey, by_number[n], therapist, Status.SIGNED)
    await Prompt.create(
        clinic_id=casey.clinic_id,
        patient=casey,
        infusion=by_number[2],
        due_at=note.created_at,
        text="Morning walk, 10 minutes",
        created_at=note.created_at,
        created_by_id=therapist.id,
    )
    await _note(casey, by_number[4], therapist, Status.DRAFT)  # infusion 3 and 5: no note, overdue
    riley_infusions = {i.number: i for i in await Infusion.filter(patient_id=riley.id)}
    await _note(
        riley,
        riley_infusions[3],
        trainee,
        Status.RETURNED,
        returned_by=supervisor,
        return_comment="Please document the risk assessment in more detail.",
    )
    await _note(riley, riley_infusions[4], trainee, Status.COSIGN_PENDING)
    await ProcessNote.create(
        clinic_id=casey.clinic_id,
        author=therapist,
        patient=casey,
        created_at=actor.now,
        updated_at=actor.now,
        body="Noticed my own urge to rescue; bring to supervision.",
    )
    return [
        "Notes: signed, draft, overdue, returned and awaiting co-signature; therapist2 is a trainee supervised "
        "by supervisor@demo.clinic."
    ]
