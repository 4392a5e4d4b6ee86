"""Supervision relationships on screen: who supervises which trainee, from which day until which day.

Supervisors and admins of the clinic record a link (a supervisor, a therapist or medical-staff member, a start date,
optionally a last day) and end one; a link is never deleted or edited, so the page keeps the history. The links
decide two things (notes/access.py): whose co-sign queue a trainee's signed note waits in (the supervisors whose
link ran when it was signed; with none, every supervisor of the clinic sees it as unassigned), and which
supervisor may open a supervisee's process notes (a link running now). Whether a note needs a co-signature at all
is the account's trainee flag, set by an admin; a link alone does not make anyone a trainee.

The page shows staff names, roles and dates only — no clinical content, so admins use it too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from notes import access
from notes.access import MAY_SUPERVISION_MANAGE
from notes.models import IntegrationNote, Status, Supervision
from server import audit, once
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.models import Role, User
from server.policy import require

KIND = "supervision"
TRAINEE_ROLES = (Role.THERAPIST, Role.MEDICAL)
STAFF_ROLES = (Role.SUPERVISOR, Role.THERAPIST, Role.MEDICAL, Role.ADMIN)
HISTORY = 200  # ended links shown, newest first


@dataclass(frozen=True)
class Row:
    link: Supervision
    since: date
    until: date | None  # the last day it runs (None: open-ended)
    state: str  # current | planned | ended | cancelled (ended before it began)
    linked_by: str
    ended_by: str


@dataclass
class Board:
    current: list[Row]  # running now, or starting later
    history: list[Row]  # ended
    supervisors: list[User]
    trainees: list[User]  # therapists and medical staff who can be supervised
    unsupervised: list[User]  # trainees (co-signature needed) with no link running now


def _local(actor: Actor, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(actor.tz)).date()


def _row(actor: Actor, link: Supervision, names: dict[int, str]) -> Row:
    until = _local(actor, link.ended_at - timedelta(microseconds=1)) if link.ended_at else None
    if link.ended_at is not None and link.ended_at <= link.started_at:
        state = "cancelled"
    elif link.ended_at is not None and link.ended_at <= actor.now:
        state = "ended"
    else:
        state = "planned" if link.started_at > actor.now else "current"
    by, ended = names.get(link.linked_by_id or 0, ""), names.get(link.ended_by_id or 0, "")
    return Row(link, _local(actor, link.started_at), until, state, by, ended)


async def board(actor: Actor) -> Board:
    """Every link of the clinic (the ended ones newest first) and who can be chosen for a new one (two queries)."""
    await require(actor.user, MAY_SUPERVISION_MANAGE)
    staff = await User.filter(clinic_id=actor.clinic_id, role__in=STAFF_ROLES).order_by("name", "id")
    links = await Supervision.filter(clinic_id=actor.clinic_id).select_related("supervisor", "supervisee")
    names = {u.id: u.name for u in staff}
    rows = [_row(actor, link, names) for link in links]
    current = sorted((r for r in rows if r.state in {"current", "planned"}), key=_by_names)
    history = sorted((r for r in rows if r.state not in {"current", "planned"}), key=_by_end, reverse=True)
    active = [u for u in staff if u.is_active]
    running = {r.link.supervisee_id for r in current if r.state == "current"}
    return Board(
        current,
        history[:HISTORY],
        [u for u in active if u.role == Role.SUPERVISOR],
        [u for u in active if u.role in TRAINEE_ROLES],
        [u for u in active if u.is_trainee and u.role in TRAINEE_ROLES and u.id not in running],
    )


def _by_names(row: Row) -> tuple[str, str, datetime]:
    return row.link.supervisor.name, row.link.supervisee.name, row.link.started_at


def _by_end(row: Row) -> tuple[datetime, int]:
    return row.link.ended_at or row.link.started_at, row.link.id


def _bounds(actor: Actor, starts: date, ends: date | None) -> tuple[datetime, datetime | None]:
    """From the start of the first day to the end of the last day, in the clinic's time zone."""
    zone = ZoneInfo(actor.tz)
    started = datetime.combine(starts, time.min, zone).astimezone(UTC)
    ended = datetime.combine(ends + timedelta(days=1), time.min, zone).astimezone(UTC) if ends else None
    return started, ended


async def _member(actor: Actor, user_id: int | None) -> User | None:
    """A person of the actor's clinic; an id of another clinic (or of nobody) is 404, as everywhere."""
    if user_id is None:
        return None
    found = await User.get_or_none(id=user_id, clinic_id=actor.clinic_id)
    if found is None:
        raise NotFound("user")
    return found


def _check(supervisor: User | None, supervisee: User | None, starts: date | None, ends: date | None) -> dict:
    errors: dict[str, str] = {}
    if supervisor is not None and (supervisor.role != Role.SUPERVISOR or not supervisor.is_active):
        errors["supervisor_id"] = "Choose a supervisor of this clinic whose account is active."
    if supervisee is not None and supervisor is not None and supervisee.id == supervisor.id:
        errors["supervisee_id"] = "Nobody can supervise themselves: choose someone else."
    elif supervisee is not None and (supervisee.role not in TRAINEE_ROLES or not supervisee.is_active):
        errors["supervisee_id"] = "Choose a therapist or medical-staff member of this clinic whose account is active."
    if starts and ends and ends < starts:
        errors["ended_on"] = "The last day cannot be before the start date."
    return errors


async def _clash(actor: Actor, supervisor: User, supervisee: User, started: datetime, ended: datetime | None) -> str:
    """A message when this pair already has a link whose days overlap the new one's ("" when none)."""
    overlapping = Q(ended_at__isnull=True) | Q(ended_at__gt=started)
    if ended is not None:
        overlapping &= Q(started_at__lt=ended)
    rows = Supervision.filter(overlapping, supervisor_id=supervisor.id, supervisee_id=supervisee.id)
    first = await rows.order_by("started_at").first()
    if first is None:
        return ""
    row = _row(actor, first, {})
    until = f" until {row.until:%-d %b %Y}" if row.until else ""
    return (
        f"{supervisor.name} already supervises {supervisee.name} from {row.since:%-d %b %Y}{until}: end that link "
        "first, or choose days that do not overlap it."
    )


async def link(
    actor: Actor,
    key: str,
    supervisor_id: int | None,
    supervisee_id: int | None,
    days: tuple[date | None, date | None],
    errors: dict[str, str],
) -> Supervision:
    """Record that a supervisor supervises someone from `days[0]` (until `days[1]`, inclusive, when given), once
    per form `key`. Refused with field messages (and the board, 400) for wrong people or dates or a link of the same
    pair overlapping these days; a person of another clinic is 404."""
    await require(actor.user, MAY_SUPERVISION_MANAGE)
    try:
        first = await once.repeat(actor, key, KIND)
    except Invalid as exc:  # a malformed key: said above the form, shown again with the board
        raise Invalid(exc.errors, page=await board(actor), status=exc.status) from None
    if first is not None:
        return await Supervision.get(id=first)
    supervisor, supervisee = await _member(actor, supervisor_id), await _member(actor, supervisee_id)
    errors = {**errors, **_check(supervisor, supervisee, *days)}
    if errors or supervisor is None or supervisee is None or days[0] is None:
        raise Invalid(errors or {"form": "Choose a supervisor, a trainee and a start date."}, page=await board(actor))
    started, ended = _bounds(actor, days[0], days[1])
    if clash := await _clash(actor, supervisor, supervisee, started, ended):
        raise Invalid({"supervisee_id": clash}, page=await board(actor))
    make = partial(_insert, actor, supervisor, supervisee, started, ended)
    return await once.create(actor, key, KIND, make, _get, partial(board, actor))


async def _get(link_id: int) -> Supervision:
    return await Supervision.get(id=link_id)


async def _insert(
    actor: Actor, supervisor: User, supervisee: User, started: datetime, ended: datetime | None
) -> Supervision:
    # Links of one trainee are recorded one at a time (PostgreSQL row lock; SQLite has one writer), so two tabs
    # linking the same pair at once cannot both pass the overlap check.
    await User.filter(id=supervisee.id).select_for_update().first()
    if clash := await _clash(actor, supervisor, supervisee, started, ended):
        raise Invalid({"supervisee_id": clash}, page=await board(actor), status=409)
    made = await Supervision.create(
        clinic_id=actor.clinic_id,
        supervisor=supervisor,
        supervisee=supervisee,
        started_at=started,
        ended_at=ended,
        linked_by_id=actor.user_id,
    )
    detail = {"supervisor": supervisor.id, "supervisee": supervisee.id, "from": started.isoformat()}
    detail["until"] = ended.isoformat() if ended else None
    await audit.record(actor, access.SUPERVISION_LINKED, object_type="supervision", object_id=made.id, detail=detail)
    return made


async def end(actor: Actor, link_id: int) -> bool:
    """End a link now (a link that has not begun yet ends before it begins): True when this request ended it, False
    when it had already ended (another tab, another person) — nothing changes then. Never deletes."""
    await require(actor.user, MAY_SUPERVISION_MANAGE)
    found = await Supervision.get_or_none(id=link_id, clinic_id=actor.clinic_id)
    if found is None:
        raise NotFound("supervision")
    at = max(actor.now, found.started_at)
    async with in_transaction():
        running = Supervision.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at), id=found.id)
        if not await running.update(ended_at=at, ended_by_id=actor.user_id):
            return False
        detail = {"supervisor": found.supervisor_id, "supervisee": found.supervisee_id, "at": at.isoformat()}
        await audit.record(
            actor, access.SUPERVISION_ENDED, object_type="supervision", object_id=found.id, detail=detail
        )
    return True


async def queue(user: User) -> tuple[list[IntegrationNote], list[IntegrationNote]]:
    """A supervisor's co-sign queue, oldest first: the trainee notes awaiting co-signature that were signed while
    this supervisor supervised their author, and those signed while nobody did (unassigned, shown to every
    supervisor). Notes waiting for another supervisor are not in it. Two queries."""
    pending = IntegrationNote.filter(clinic_id=user.clinic_id, status=Status.COSIGN_PENDING).exclude(author_id=user.id)
    notes = await pending.select_related("author", "patient__user", "infusion")
    authors = {n.author_id for n in notes}
    links = await Supervision.filter(
        supervisee_id__in=list(authors), supervisor__role=Role.SUPERVISOR, supervisor__disabled_at__isnull=True
    )
    mine: list[IntegrationNote] = []
    unassigned: list[IntegrationNote] = []
    for note in sorted(notes, key=lambda n: (n.signed_at or n.updated_at, n.id)):
        at = note.signed_at or note.updated_at
        assigned = {s.supervisor_id for s in links if s.supervisee_id == note.author_id and _runs(s, at)}
        if user.id in assigned:
            mine.append(note)
        elif not assigned:
            unassigned.append(note)
    return mine, unassigned


def _runs(link: Supervision, at: datetime) -> bool:
    return link.started_at <= at and (link.ended_at is None or link.ended_at > at)
