"""`python -m server seed --scale N`: a deterministic clinic network for load tests and benchmarks.

Scale 1 is 20 therapists, 1,000 patients, 12,000 infusions with vitals, 50,000 measures, 100,000 journal entries,
20,000 notes and 1,000,000 audit events, in a new clinic `scale.clinic`; N scales every count linearly. Rows go in
with bulk inserts; the audit events are chained on after the current head by server.audit.append_rows, the same
code that appends the application's own events, so `python -m server audit verify` passes over them.

This is a load-test tool, not part of any room: it writes every room's tables. It lives with the benchmarks in a
source checkout (not in the installed packages); oversight/commands.py registers the command and imports it lazily.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from benchmarks import seed_chart
from care import access as care_access
from care.clinical import GAD7_BANDS, PHQ9_BANDS, band
from care.models import CareTeam, Course, Infusion, MeasureResponse, Patient, VitalSign
from journal import access as journal_access
from journal.models import JournalEntry, JournalRevision
from notes import access as notes_access
from notes.content import digest
from notes.models import IntegrationNote
from server import audit
from server.models import Clinic, Role, User
from server.passwords import Passwords
from server.settings import Settings

SCALE_1 = {
    "therapists": 20,
    "patients": 1000,
    "infusions": 12_000,
    "measures": 50_000,
    "entries": 100_000,
    "notes": 20_000,
    "audit": 1_000_000,
}
BATCH = 2000
PASSWORD = "quiet-harbor-lantern"  # noqa: S105 - the documented demo password, for seeded test clinics only
WORDS = (
    "lake",
    "door",
    "music",
    "light",
    "breath",
    "father",
    "walk",
    "garden",
    "sleep",
    "calm",
    "grief",
    "hope",
    "river",
    "morning",
    "held",
    "open",
    "heavy",
    "soft",
    "wave",
    "quiet",
)


class Report:
    def __init__(self) -> None:
        self.rows = 0
        self.started = time.perf_counter()
        self.lines: list[str] = []

    def add(self, what: str, count: int) -> None:
        self.rows += count
        self.lines.append(f"  {what:<22} {count:>10,}")

    def summary(self) -> list[str]:
        seconds = time.perf_counter() - self.started
        return [*self.lines, f"{self.rows:,} rows in {seconds:.1f} s ({self.rows / max(seconds, 1e-9):,.0f} rows/s)"]


async def _bulk(model: type[Model], rows: Sequence[Model]) -> None:
    for start in range(0, len(rows), BATCH):
        await model.bulk_create(rows[start : start + BATCH])


async def _ids(model: type[Model], key: Callable[[Any], Any], **where: Any) -> dict[Any, int]:
    return {key(row): row.pk for row in await model.filter(**where).order_by("id")}


async def seed(settings: Settings, scale: float) -> list[str]:
    counts = {k: max(1, int(v * scale)) for k, v in SCALE_1.items()}
    rng = random.Random(20261122)
    now = settings.clock().astimezone(UTC).replace(microsecond=0)
    report = Report()
    slug = (
        "scale.clinic"
        if not await Clinic.filter(slug="scale.clinic").exists()
        else f"scale-{secrets.token_hex(3)}.clinic"
    )
    # Its staff sign in with a password alone, as the benchmarks do (a real new clinic asks for two factors).
    clinic = await Clinic.create(
        name="Scale Clinic", slug=slug, timezone="America/New_York", settings={"staff_two_factor": False}
    )
    password_hash = await Passwords(settings).hash(PASSWORD)
    staff = [
        User(
            clinic=clinic, email=f"t{n}@{slug}", name=f"Therapist {n}", role=Role.THERAPIST, password_hash=password_hash
        )
        for n in range(counts["therapists"])
    ]
    staff.append(
        User(
            clinic=clinic,
            email=f"supervisor@{slug}",
            name="Scale Supervisor",
            role=Role.SUPERVISOR,
            password_hash=password_hash,
        )
    )
    people = [
        User(clinic=clinic, email=f"p{n}@{slug}", name=f"Patient {n}", role=Role.PATIENT, password_hash=password_hash)
        for n in range(counts["patients"])
    ]
    await _bulk(User, staff + people)
    report.add("users", len(staff) + len(people))
    users = await _ids(User, lambda u: u.email, clinic_id=clinic.id)
    therapist_ids = [users[f"t{n}@{slug}"] for n in range(counts["therapists"])]
    patients = [
        Patient(
            clinic=clinic,
            user_id=users[f"p{n}@{slug}"],
            mrn=f"S-{n:06d}",
            date_of_birth=datetime(1950 + n % 50, 1 + n % 12, 1 + n % 28).date(),
            weight_kg=Decimal(60 + n % 40),
            created_at=now,
        )
        for n in range(counts["patients"])
    ]
    await _bulk(Patient, patients)
    patient_ids = list((await _ids(Patient, lambda p: p.mrn, clinic_id=clinic.id)).values())
    await _bulk(
        CareTeam,
        [
            CareTeam(
                clinic_id=clinic.id, patient_id=p, therapist_id=therapist_ids[i % len(therapist_ids)], added_at=now
            )
            for i, p in enumerate(patient_ids)
        ],
    )
    await _bulk(
        Course,
        [
            Course(
                clinic_id=clinic.id,
                patient_id=p,
                protocol="iv_induction",
                planned_count=6,
                started_on=(now - timedelta(days=730)).date(),
                created_at=now,
            )
            for p in patient_ids
        ],
    )
    courses = await _ids(Course, lambda c: c.patient_id, clinic_id=clinic.id)
    report.add("patients (+team, course)", 3 * len(patient_ids))
    await _infusions(clinic, patient_ids, courses, therapist_ids, counts["infusions"], rng, now, report)
    await _measures(clinic, patient_ids, counts["measures"], rng, now, report)
    await _journal(clinic, patient_ids, counts["entries"], rng, now, report)
    await _notes(clinic, patient_ids, therapist_ids, counts["notes"], now, report)
    report.add("chart essentials, plans", await seed_chart.chart(clinic.id, patient_ids, therapist_ids, now))
    await _audit(settings, clinic, list(users.values()), patient_ids, counts["audit"], rng, now, report)
    return [
        f"Seeded clinic {slug} at scale {scale} (sign in as t0@{slug} / supervisor@{slug} / p0@{slug}, "
        f"password {PASSWORD}):",
        *report.summary(),
    ]


async def _infusions(
    clinic: Clinic,
    patients: list[int],
    courses: dict[int, int],
    therapists: list[int],
    total: int,
    rng: random.Random,
    now: datetime,
    report: Report,
) -> None:
    per = max(1, total // len(patients))
    rows = []
    for i, p in enumerate(patients):
        for n in range(1, per + 1):
            at = now - timedelta(days=730 * (per - n + 1) / per, hours=rng.randint(0, 8))
            rows.append(
                Infusion(
                    clinic_id=clinic.id,
                    course_id=courses[p],
                    patient_id=p,
                    number=n,
                    scheduled_at=at,
                    started_at=at,
                    ended_at=at + timedelta(minutes=40),
                    route="iv",
                    agent="racemic_ketamine",
                    dose_mg_per_kg=Decimal("0.5"),
                    weight_kg=Decimal(70),
                    total_mg=Decimal("35.0"),
                    administered_by_id=therapists[i % len(therapists)],
                    created_at=at,
                    updated_at=at,
                )
            )
    await _bulk(Infusion, rows)
    ids = list((await _ids(Infusion, lambda x: x.id, clinic_id=clinic.id)).values())
    vitals = [
        VitalSign(
            infusion_id=i,
            minute_offset=m,
            systolic=120 + rng.randint(-10, 30),
            diastolic=80 + rng.randint(-8, 15),
            heart_rate=70 + rng.randint(-5, 20),
            spo2=rng.randint(93, 100),
            recorded_at=now,
        )
        for i in ids
        for m in (-5, 0, 15, 30, 45, 60, 90)
    ]
    await _bulk(VitalSign, vitals)
    report.add("infusions", len(rows))
    report.add("vital signs", len(vitals))


async def _measures(
    clinic: Clinic, patients: list[int], total: int, rng: random.Random, now: datetime, report: Report
) -> None:
    rows = []
    for n in range(total):
        p = patients[n % len(patients)]
        phq = n % 2 == 0
        score = rng.randint(0, 27 if phq else 21)
        rows.append(
            MeasureResponse(
                clinic_id=clinic.id,
                patient_id=p,
                instrument="PHQ9" if phq else "GAD7",
                answers={},
                total=score,
                severity=band(score, PHQ9_BANDS if phq else GAD7_BANDS),
                item9=0 if phq else None,
                taken_at=now - timedelta(hours=n % 17_000),
                source="self_report",
            )
        )
    await _bulk(MeasureResponse, rows)
    report.add("measures", len(rows))


async def _journal(
    clinic: Clinic, patients: list[int], total: int, rng: random.Random, now: datetime, report: Report
) -> None:
    rows = []
    for n in range(total):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        at = now - timedelta(hours=n % 17_000)
        rows.append(
            JournalEntry(
                clinic_id=clinic.id,
                patient_id=patients[n % len(patients)],
                kind="free",
                draft_key=f"seed-{n:08d}-{secrets.token_hex(4)}",
                body=body,
                search_text=body,
                shared=n % 3 == 0,
                shared_at=at if n % 3 == 0 else None,
                created_at=at,
                updated_at=at,
            )
        )
    await _bulk(JournalEntry, rows)
    ids = list((await _ids(JournalEntry, lambda e: e.id, clinic_id=clinic.id)).values())
    await _bulk(
        JournalRevision,
        [
            JournalRevision(entry_id=i, version=1, body=r.body, saved_at=r.created_at)
            for i, r in zip(ids, rows, strict=True)
        ],
    )
    report.add("journal entries (+rev)", 2 * len(rows))


async def _notes(
    clinic: Clinic, patients: list[int], therapists: list[int], total: int, now: datetime, report: Report
) -> None:
    infusions = await Infusion.filter(clinic_id=clinic.id).order_by("id").values_list("id", "patient_id", "ended_at")
    therapist_of = {p: therapists[i % len(therapists)] for i, p in enumerate(patients)}
    content = {"session_summary": "Calm session.", "data": "Engaged.", "assessment": "Improving.", "plan": "Continue."}
    rows = []
    for n in range(total):
        infusion_id, patient_id, ended = infusions[n % len(infusions)]
        author = therapist_of[patient_id]
        rows.append(
            IntegrationNote(
                clinic_id=clinic.id,
                infusion_id=infusion_id,
                patient_id=patient_id,
                author_id=author,
                draft_key=f"seed-{n:08d}",
                content=content,
                status="signed",
                signed_at=ended + timedelta(hours=30),
                signed_by_id=author,
                created_at=ended,
                updated_at=ended,
            )
        )
    await _bulk(IntegrationNote, rows)
    saved = await IntegrationNote.filter(clinic_id=clinic.id).order_by("id")
    for note in saved:
        note.content_sha256 = digest(note)  # over the real id, so verify-notes passes on seeded notes
    await IntegrationNote.bulk_update(saved, fields=["content_sha256"], batch_size=BATCH)
    report.add("notes", len(rows))


async def _audit(
    settings: Settings,
    clinic: Clinic,
    users: list[int],
    patients: list[int],
    total: int,
    rng: random.Random,
    now: datetime,
    report: Report,
) -> None:
    """Continue the real hash chain through server.audit.append_rows, so `audit verify` still passes."""
    actions = (
        care_access.CHART_VIEWED,
        care_access.INFUSION_VIEWED,
        journal_access.SHARED_VIEWED,
        notes_access.NOTE_READ,
        audit.LOGIN,
    )
    start = now - timedelta(days=365)
    async with in_transaction():
        rows: list[dict[str, Any]] = []
        for n in range(total):
            patient_id = patients[rng.randrange(len(patients))]
            rows.append(
                {
                    "at": start + timedelta(seconds=n * 31_536_000 // max(total, 1)),
                    "actor_id": users[n % len(users)],
                    "actor_role": "therapist",
                    "clinic_id": clinic.id,
                    "action": actions[n % len(actions)],
                    "object_type": "patient",
                    "object_id": str(patient_id),
                    "patient_id": patient_id,
                    "outcome": "ok",
                    "reason": "",
                    "ip": "seed",
                    "request_id": "",
                    "detail": {},
                }
            )
            if len(rows) >= 20_000:
                await audit.append_rows(settings.audit_key, rows)
                rows = []
        if rows:
            await audit.append_rows(settings.audit_key, rows)
    report.add("audit events", total)
