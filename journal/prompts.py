"""Journal prompts: guided questions for an entry, the schedule after each infusion, and practice prompts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Subquery

from care import reads
from care.calendar import OPEN
from care.calendar_models import Booking, BookingKind
from care.clinic_settings import PROMPT_HOURS_MAX, ClinicSettings
from care.models import Infusion, Patient
from journal.models import JournalEntry, Prompt
from server import compiled
from server.compiled_together import Batch

SHOW_FOR = timedelta(days=7)  # a due prompt stays on the home page this long, then quietly drops off (no nagging)

GUIDED = {
    "post_session": (
        ("stood_out", "What stood out from the session?"),
        ("emotions", "What feelings came up, then or since?"),
        ("body", "What did you notice in your body?"),
        ("insights", "Any insights, images or memories you want to keep?"),
        ("carry_forward", "What would you like to carry forward into daily life?"),
        ("intention", "An intention until your next session"),
    ),
    "check_in": (
        ("today", "How are you today?"),
        ("helping", "What has been helping, even a little?"),
    ),
    "free": (),
}


def questions(kind: str, prompt_text: str) -> tuple[tuple[str, str], ...]:
    """The guided questions an editor offers: an entry answering a prompt is headed by the prompt's own words
    instead of its kind's questions (a week after a session is not "What stood out from the session?")."""
    return () if prompt_text else GUIDED.get(kind, ())


@dataclass(frozen=True)
class Due:
    ref: str
    text: str
    due_at: datetime
    infusion: Infusion | None


def _label(hours: int) -> str:
    if hours < 24:
        return "an hour" if hours == 1 else f"{hours} hours"
    if hours % 168 == 0:
        weeks = hours // 168
        return "a week" if weeks == 1 else f"{weeks} weeks"
    days = hours // 24
    return "a day" if days == 1 else f"{days} days"


def schedule_text(hours: int, infusion: Infusion, intention: str = "") -> str:
    """A scheduled prompt's words; the first one after a session quotes the patient's intention back to them."""
    if intention:
        return (
            f"You came in wanting “{intention}”. It has been {_label(hours)} since session {infusion.number}."
            " What do you notice now?"
        )
    return f"It has been {_label(hours)} since session {infusion.number}. How are things now?"


def intention_ref(booking_id: int) -> str:
    return f"intention:{booking_id}"


def intention_question(booking: Booking, tz: str) -> str:
    local = booking.starts_at.astimezone(ZoneInfo(tz))
    return (
        f"Before your session on {local:%A %-d %B}: what would you like to bring to it? A word, a question or a"
        " hope is enough."
    )


async def upcoming_dosing(patient: Patient, booking_id: int, now: datetime) -> Booking | None:
    """The patient's own open dosing session that has not ended yet (the one an intention is written for)."""
    return await Booking.get_or_none(
        id=booking_id, patient_id=patient.id, kind=BookingKind.DOSING, status__in=OPEN, ends_at__gt=now
    )


def quote(entry: JournalEntry) -> str:
    """An intention's words on one line, shortened at a word (to quote back after the session)."""
    words = " ".join(" ".join([*entry.answers.values(), entry.body]).split())
    return words if len(words) <= 140 else words[:140].rsplit(" ", 1)[0] + "…"


async def intentions_for(infusions: list[Infusion]) -> dict[int, str]:
    """Infusion id -> the quoted intention written for the booked session that infusion completed."""
    bookings = await Booking.filter(infusion_id__in=[i.id for i in infusions]).values_list("id", "infusion_id")
    if not bookings:
        return {}
    by_ref = {intention_ref(b): infusion_id for b, infusion_id in bookings}
    rows = JournalEntry.filter(prompt_ref__in=list(by_ref), deleted_at=None)
    return {by_ref[e.prompt_ref]: quote(e) for e in await rows if quote(e)}


def schedule_ref(infusion_id: int, hours: int) -> str:
    return f"schedule:{infusion_id}:{hours}"


# The scheduled prompts' reads (the journal home's two batches, see `due_wants`).
_GIVEN_BOOKINGS = compiled.query(
    lambda patient_id, since, until: Booking.filter(
        infusion_id__in=Subquery(
            Infusion.filter(patient_id=patient_id, started_at__gte=since, started_at__lte=until).values("id")
        )
    ).values_list("id", "infusion_id")
)
# The patient's intentions (one per dosing session booked): quoted back after the session, offered before it.
INTENTIONS = compiled.query(
    lambda patient_id: JournalEntry.filter(
        patient_id=patient_id, deleted_at=None, prompt_ref__startswith="intention:"
    ).order_by("id")
)
_ANSWERED = compiled.query(
    lambda patient_id, refs: JournalEntry.filter(
        patient_id=patient_id, deleted_at=None, prompt_ref__in=refs
    ).values_list("prompt_ref", flat=True)
)
Showing = list[tuple[str, datetime, int, Infusion]]


def due_wants(batch: Batch, patient: Patient, now: datetime, settings: ClinicSettings) -> dict[str, int]:
    """What the scheduled prompts due now depend on, put in the journal home's first batch: the sessions given
    recently, their bookings and the patient's intentions."""
    since = now - timedelta(hours=max(settings.prompt_schedule_hours)) - SHOW_FOR
    given = {"patient_id": patient.id, "since": since, "until": now}
    return {
        "given": batch.want(reads.GIVEN_BETWEEN, **given),
        "bookings": batch.want(_GIVEN_BOOKINGS, **given),
        "intentions": batch.want(INTENTIONS, patient_id=patient.id),
    }


def showing(infusions: list[Infusion], now: datetime, settings: ClinicSettings) -> Showing:
    """The scheduled prompts of these sessions showing now (answered or not)."""
    found: Showing = []
    for infusion in infusions:
        for h in settings.prompt_schedule_hours:
            at: datetime = infusion.started_at + timedelta(hours=h)  # type: ignore[operator, assignment]
            if at <= now < at + SHOW_FOR:
                found.append((schedule_ref(infusion.id, h), at, h, infusion))
    return found


def want_answered(batch: Batch, patient: Patient, shown: Showing) -> int | None:
    """Only the prompts showing now are looked up among the answers, so a long journal costs nothing extra (the
    journal home's second batch; None: nothing shows)."""
    return batch.want(_ANSWERED, patient_id=patient.id, refs=[ref for ref, *_ in shown]) if shown else None


def due(
    shown: Showing,
    answered: list[str],
    bookings: list[tuple[int, int]],
    intentions: list[JournalEntry],
    settings: ClinicSettings,
) -> list[Due]:
    """Scheduled prompts due now and not yet answered: the clinic's schedule after recent infusions, the first one
    quoting the intention written for the session. (Practices from the care team are listed apart, with their
    tally: see `practices`.)"""
    ids = {i.id for *_, i in shown}
    by_ref = {intention_ref(b): infusion_id for b, infusion_id in bookings if infusion_id in ids}
    quoted = {by_ref[e.prompt_ref]: quote(e) for e in intentions if e.prompt_ref in by_ref and quote(e)}
    first = min(settings.prompt_schedule_hours)
    found = [
        Due(ref, schedule_text(h, i, quoted.get(i.id, "") if h == first else ""), at, i)
        for ref, at, h, i in shown
        if ref not in set(answered)
    ]
    return sorted(found, key=lambda d: d.due_at, reverse=True)


async def resolve(patient: Patient, ref: str, now: datetime) -> Due | None:
    """The prompt a reference names, with its words, when it is the patient's own and has fallen due: a scheduled
    prompt ("schedule:<infusion id>:<hours>") or a practice from the care team ("practice:<prompt id>"). None for
    anything else, so a made-up reference opens an ordinary editor."""
    kind, _, rest = ref.partition(":")
    parts = rest.split(":")
    if not all(p.isdigit() and len(p) < 10 for p in parts):
        return None
    if kind == "schedule" and len(parts) == 2 and 0 < int(parts[1]) <= PROMPT_HOURS_MAX:
        infusion = await Infusion.get_or_none(id=int(parts[0]), patient_id=patient.id, started_at__lte=now)
        hours = int(parts[1])
        if infusion is None:
            return None
        at: datetime = infusion.started_at + timedelta(hours=hours)  # type: ignore[operator, assignment]
        first = min(ClinicSettings.of(await patient.clinic).prompt_schedule_hours) == hours
        quoted = (await intentions_for([infusion])).get(infusion.id, "") if first else ""
        return Due(ref, schedule_text(hours, infusion, quoted), at, infusion)
    if kind == "intention" and len(parts) == 1:
        booking = await upcoming_dosing(patient, int(parts[0]), now)
        tz = (await patient.clinic).timezone if booking else ""
        return Due(ref, intention_question(booking, tz), now, None) if booking else None
    if kind == "practice" and len(parts) == 1:
        practice = await Prompt.get_or_none(id=int(parts[0]), patient_id=patient.id, due_at__lte=now).select_related(
            "infusion"
        )
        return Due(ref, practice.text, practice.due_at, practice.infusion) if practice else None
    return None
