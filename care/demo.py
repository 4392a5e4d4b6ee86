"""Demo care records: each demo patient gets a course, past infusions with vitals, improving scores, one open alert."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

from care import demo_chart
from care.calendar_models import Booking, BookingKind, BookingStaff
from care.clinical import GAD7_BANDS, PHQ9_BANDS, band, total_mg
from care.models import (
    AlertSource,
    CareTeam,
    Consent,
    Course,
    Infusion,
    Instrument,
    MeasureResponse,
    Patient,
    RiskAlert,
    VitalSign,
)
from server.actor import Actor
from server.models import Clinic, User

# patient email -> (care-team therapist, MRN, date of birth, pronouns, weight kg)
PATIENTS = {
    "patient@demo.clinic": ("therapist@demo.clinic", "DC-1001", date(1984, 5, 12), "she/her", Decimal("68.0")),
    "patient2@demo.clinic": ("therapist2@demo.clinic", "DC-1002", date(1979, 11, 3), "they/them", Decimal("81.5")),
    "patient@other.clinic": ("therapist@other.clinic", "OC-2001", date(1991, 2, 20), "he/him", Decimal("90.0")),
}
# The medical staff on each demo clinic's care teams (the nurse gives the doses); other.clinic has none, and its
# past doses name its therapist, as records made before the medical-staff role did.
MEDICAL = {"demo.clinic": ("nurse@demo.clinic", "physician@demo.clinic")}
DAYS_AGO = (20, 18, 15, 13, 11)  # 5 infusions, 2–3 a week (an induction course is typically 6 over 2–3 weeks)
PHQ9 = (19, 16, 13, 11, 9, 8)  # baseline, then after each infusion
GAD7 = (14, 12, 10, 9, 7, 6)
VITALS = (
    (-5, 128, 82, 76, 98),
    (0, 130, 84, 78, 98),
    (15, 142, 90, 84, 97),
    (30, 146, 92, 86, 97),
    (45, 138, 88, 82, 98),
    (60, 132, 84, 78, 98),
    (90, 126, 80, 74, 99),
)


def answers(total: int, count: int, item9: int = 0) -> dict[str, int]:
    """Spread a total over the items (0–3 each), with item 9 as given (PHQ-9 only)."""
    values, rest = [0] * count, total - item9
    for i in range(count - (1 if count == 9 else 0)):
        values[i] = min(3, rest // (count - i - (1 if count == 9 else 0)) + (1 if rest % (count - i) else 0))
        values[i] = min(values[i], rest)
        rest -= values[i]
    if count == 9:
        values[8] = item9
    return {f"q{i}": v for i, v in enumerate(values, 1)}


async def seed(actor: Actor, clinics: dict[str, Clinic], users: dict[str, User]) -> list[str]:
    for clinic in clinics.values():  # the demo's accounts sign in with a password alone (a new clinic asks for two)
        clinic.settings = {**(clinic.settings or {}), "staff_two_factor": False}
        await Clinic.filter(id=clinic.id).update(settings=clinic.settings)
    for email, (therapist, mrn, dob, pronouns, weight) in PATIENTS.items():
        medical = [users[m] for m in MEDICAL.get(email.split("@")[1], ())]
        async with in_transaction():
            patient = await _patient(actor, users[email], users[therapist], mrn, dob, pronouns, weight, medical)
            for member in medical:
                await CareTeam.create(
                    clinic_id=patient.clinic_id, patient=patient, therapist=member, added_at=actor.now
                )
    return [
        "Each demo patient has a course, 5 past infusions with vitals, PHQ-9/GAD-7 history, one open alert and a"
        " dosing session booked two days from now.",
        *await demo_chart.seed(users),
    ]


async def _patient(
    actor: Actor, user: User, therapist: User, mrn: str, dob: date, pronouns: str, weight: Decimal, medical: list[User]
) -> Patient:
    now, clinic_id = actor.now, user.clinic_id
    patient = await Patient.create(
        clinic_id=clinic_id,
        user=user,
        mrn=mrn,
        date_of_birth=dob,
        pronouns=pronouns,
        weight_kg=weight,
        created_at=now - timedelta(days=30),
        created_by_id=therapist.id,
    )
    await CareTeam.create(clinic_id=clinic_id, patient=patient, therapist=therapist, added_at=now - timedelta(days=30))
    course = await Course.create(
        clinic_id=clinic_id,
        patient=patient,
        protocol="iv_induction",
        planned_count=6,
        started_on=(now - timedelta(days=21)).date(),
        created_at=now - timedelta(days=21),
        created_by_id=therapist.id,
    )
    await Consent.create(
        clinic_id=clinic_id,
        course=course,
        kind="off_label_ketamine",
        signed_on=(now - timedelta(days=22)).date(),
        recorded_by=therapist,
        recorded_at=now - timedelta(days=22),
    )
    await _measures(patient, None, now - timedelta(days=21), 0, therapist)
    giver = medical[0] if medical else therapist
    for n, days in enumerate(DAYS_AGO, 1):
        start = (now - timedelta(days=days)).replace(hour=15, minute=0, second=0, microsecond=0)
        infusion = await Infusion.create(
            clinic_id=clinic_id,
            course=course,
            patient=patient,
            number=n,
            phase="dosing",
            scheduled_at=start,
            started_at=start,
            ended_at=start + timedelta(minutes=40),
            route="iv",
            agent="racemic_ketamine",
            dose_mg_per_kg=Decimal("0.5"),
            weight_kg=weight,
            total_mg=total_mg(Decimal("0.5"), weight),
            lot_number=f"KET-{2400 + n}",
            administered_by=giver,
            cadss=20 - 2 * n,
            moaas=4,
            adverse_events=["nausea"] if n == 1 else [],
            discharge_ready_at=start + timedelta(minutes=110),
            escort_confirmed=True,
            pre_dose_systolic=VITALS[0][1],  # the checklist, complete before the dose (care/rules.py)
            pre_dose_diastolic=VITALS[0][2],
            fasting_confirmed=True,
            medications_reviewed=True,
            created_at=start,
            updated_at=start,
            created_by_id=therapist.id,
        )
        rise = 12 if n == 3 else 0  # infusion 3 shows a BP-rise flag
        await VitalSign.bulk_create(
            [
                VitalSign(
                    infusion=infusion,
                    minute_offset=m,
                    systolic=s + (rise * 3 if m > 0 else 0),
                    diastolic=d + (rise if m > 0 else 0),
                    heart_rate=h,
                    spo2=o,
                    recorded_at=start + timedelta(minutes=m),
                    recorded_by_id=giver.id,
                )
                for m, s, d, h, o in VITALS
            ]
        )
        await _measures(patient, infusion, start + timedelta(days=1), n, therapist)
    nxt = (now + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    booking = await Booking.create(  # the upcoming session on the calendar, in the patient's own chair
        clinic_id=clinic_id,
        patient=patient,
        course_id=course.id,
        kind=BookingKind.DOSING,
        starts_at=nxt,
        ends_at=nxt + timedelta(hours=2),
        room=f"Chair {1 + patient.id % 3}",
        created_at=now,
        created_by_id=therapist.id,
        updated_at=now,
    )
    await BookingStaff.create(booking=booking, user=therapist)
    await Infusion.create(
        clinic_id=clinic_id,
        course=course,
        patient=patient,
        number=6,
        phase="dosing",
        scheduled_at=nxt,
        route="iv",
        agent="racemic_ketamine",
        dose_mg_per_kg=Decimal("0.5"),
        weight_kg=weight,
        total_mg=total_mg(Decimal("0.5"), weight),
        created_at=now,
        updated_at=now,
        created_by_id=therapist.id,
    )
    return patient


async def _measures(patient: Patient, infusion: Infusion | None, at: datetime, n: int, therapist: User) -> None:
    item9 = 1 if n == 2 else 0  # one PHQ-9 with item 9 > 0: the open alert
    phq = await MeasureResponse.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        instrument=Instrument.PHQ9,
        answers=answers(PHQ9[n], 9, item9),
        total=PHQ9[n],
        severity=band(PHQ9[n], PHQ9_BANDS),
        item9=item9,
        taken_at=at,
        infusion=infusion,
        source="self_report",
        entered_by_id=patient.user_id,
    )
    await MeasureResponse.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        instrument=Instrument.GAD7,
        answers=answers(GAD7[n], 7),
        total=GAD7[n],
        severity=band(GAD7[n], GAD7_BANDS),
        taken_at=at + timedelta(minutes=3),
        infusion=infusion,
        source="self_report",
        entered_by_id=patient.user_id,
    )
    if item9:
        await RiskAlert.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            source=AlertSource.PHQ9_ITEM9,
            level="moderate",
            summary=f"PHQ-9 item 9 answered 1 (total {PHQ9[n]})",
            measure=phq,
            created_at=at,
        )
