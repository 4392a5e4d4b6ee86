"""No per-row queries (N+1) on the care room's list pages: the SQL statements a page runs do not grow with the
rows it lists. (Caseload, chart, alerts and progress: tests/care/test_patients.py.)"""

from __future__ import annotations

import secrets

from care.models import CareTeam, Course, Infusion, MeasureResponse, Patient, VitalSign
from journal.models import JournalEntry
from notes.models import IntegrationNote
from server.models import Role, User
from tests.care.conftest import casey, last_infusion, sign_in


async def more_patients(count: int) -> list[Patient]:
    """`count` more demo-clinic patients on both demo therapists' care teams, each with a course and one session
    given when Casey's first was (so its note is overdue)."""
    model = await casey()
    first = await Infusion.get(patient_id=model.id, number=1)
    therapists = await User.filter(email__in=["therapist@demo.clinic", "therapist2@demo.clinic"])
    made = []
    for n in range(count):
        user = await User.create(
            clinic_id=model.clinic_id,
            email=f"grown{n}@demo.clinic",
            name=f"Grown {n:02}",
            role=Role.PATIENT,
            password_hash="!",
        )
        patient = await Patient.create(
            clinic_id=model.clinic_id,
            user=user,
            mrn=f"GR-{n:04}",
            date_of_birth=model.date_of_birth,
            weight_kg=model.weight_kg,
            created_at=model.created_at,
        )
        for therapist in therapists:
            await CareTeam.create(
                clinic_id=model.clinic_id, patient=patient, therapist=therapist, added_at=model.created_at
            )
        course = await Course.create(
            clinic_id=model.clinic_id,
            patient=patient,
            protocol="iv_induction",
            planned_count=6,
            started_on=first.scheduled_at.date(),
            created_at=model.created_at,
        )
        await Infusion.create(
            clinic_id=model.clinic_id,
            course=course,
            patient=patient,
            number=1,
            scheduled_at=first.scheduled_at,
            started_at=first.started_at,
            ended_at=first.ended_at,
            route="iv",
            agent="racemic_ketamine",
            created_at=first.created_at,
            updated_at=first.created_at,
        )
        made.append(patient)
    return made


async def entry_on(infusion: Infusion, text: str, **extra: object) -> JournalEntry:
    """The patient's journal entry about `infusion` (titled and worded `text`), written when the session began."""
    at = infusion.started_at
    return await JournalEntry.create(
        clinic_id=infusion.clinic_id,
        patient_id=infusion.patient_id,
        infusion=infusion,
        kind="post_session",
        draft_key=secrets.token_urlsafe(12),
        title=text,
        body=text,
        search_text=text.casefold(),
        created_at=at,
        updated_at=at,
        **extra,
    )


async def note_on(infusion: Infusion, author: User, status: str = "signed", **extra: object) -> IntegrationNote:
    """A note by `author` on `infusion`, signed (or left in `status`) when the session ended."""
    at = infusion.ended_at or infusion.started_at
    return await IntegrationNote.create(
        clinic_id=infusion.clinic_id,
        infusion=infusion,
        patient_id=infusion.patient_id,
        author=author,
        draft_key=secrets.token_urlsafe(12),
        status=status,
        signed_at=at,
        created_at=at,
        updated_at=at,
        **extra,
    )


async def grow_session(infusion: Infusion, count: int) -> None:
    """More of everything an infusion's pages list: vitals, measures, shared entries and signed notes."""
    author = await User.get(email="therapist@demo.clinic")
    at = infusion.started_at
    for n in range(count):
        await VitalSign.create(
            infusion=infusion, minute_offset=200 + n, systolic=120, diastolic=80, heart_rate=70, spo2=98, recorded_at=at
        )
        await MeasureResponse.create(
            clinic_id=infusion.clinic_id,
            patient_id=infusion.patient_id,
            infusion=infusion,
            instrument="PHQ9",
            answers={},
            total=9,
            severity="mild",
            item9=0,
            source="paper",
            taken_at=at,
        )
        await entry_on(infusion, f"Grown reflection {n}", shared=True, shared_at=at)
        await note_on(infusion, author, signed_by=author)


async def test_it_lists_care_teams_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "supervisor@demo.clinic")
    before = await queries.page(client, "/care-teams", caplog)
    await more_patients(12)
    assert await queries.page(client, "/care-teams", caplog) == before
    assert "Grown 11" in queries.text


async def test_it_shows_the_infusion_page_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "therapist@demo.clinic")
    infusion = await last_infusion(await casey())
    before = await queries.page(client, f"/infusions/{infusion.id}", caplog)
    await grow_session(infusion, 12)
    assert await queries.page(client, f"/infusions/{infusion.id}", caplog) == before
    assert "Grown reflection 11" in queries.text
