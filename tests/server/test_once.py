"""Every create form answers a repeat with its first result: sent twice in a row, or six times at once, a create
route makes exactly one row and never answers 5xx (on SQLite and on PostgreSQL, whichever the suite runs on)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from tortoise.models import Model

from care.calendar_models import Booking
from care.chart_models import Allergy, Diagnosis, Medication, SafetyPlan, SafetyPlanStep
from care.models import BreakGlass, Consent, Course, Infusion, MeasureResponse, Patient, VitalSign
from interop.models import ExportJob
from journal.models import JournalEntry
from notes.models import Addendum, IntegrationNote, ProcessNote, Supervision
from notes.reply_models import EntryReply
from oversight.models import NoteReview
from server.models import User
from server.web import leaf_routes
from tests.conftest import DEMO_PASSWORD, login, token


@dataclass(frozen=True)
class Create:
    """One create route: who sends it, to which of the demo's records, with what, and which table it adds to."""

    who: str
    path: Callable[[dict[str, int]], str]
    data: Callable[[], dict[str, Any]]
    model: type[Model]
    key: str = "form_key"  # the journal's and the note editor's first save are keyed by their draft key


def _infusion() -> dict[str, Any]:
    return {
        "number": "9",
        "phase": "dosing",
        "scheduled_at": "2026-11-24T09:00",
        "route": "iv",
        "agent": "racemic_ketamine",
        "dose_mg_per_kg": "0.5",
        "weight_kg": "70",
    }


CREATES: dict[str, Create] = {
    "/patients/{patient_id}/bookings/new": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/bookings/new",
        lambda: {"kind": "integration", "starts_at": "2026-12-01T10:00", "room": "Room 4", "staff": "__therapist__"},
        Booking,
    ),
    "/patients/{patient_id}/medications": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/medications",
        lambda: {"name": "Lorazepam", "dose": "1 mg", "frequency": "at night", "started_on": "2026-10-01"},
        Medication,
    ),
    "/patients/{patient_id}/allergies": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/allergies",
        lambda: {"substance": "Penicillin", "reaction": "hives", "severity": "moderate"},
        Allergy,
    ),
    "/patients/{patient_id}/diagnoses": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/diagnoses",
        lambda: {"code": "F33.2"},
        Diagnosis,
    ),
    "/me/safety-plan/steps": Create(
        "patient@demo.clinic", lambda ids: "/me/safety-plan/steps", lambda: {"step": "Play the piano"}, SafetyPlanStep
    ),
    "/shared-entries/{entry_id}/replies": Create(
        "therapist@demo.clinic",
        lambda ids: f"/shared-entries/{ids['shared_entry']}/replies",
        lambda: {"body": "Thank you for sharing this."},
        EntryReply,
    ),
    "/admin/users/new": Create(
        "admin@demo.clinic",
        lambda ids: "/admin/users/new",
        lambda: {"email": "noor@demo.clinic", "name": "Noor Haddad", "role": "admin"},  # its page shows the link
        User,
    ),
    "/patients/new": Create(
        "therapist@demo.clinic",
        lambda ids: "/patients/new",
        lambda: {
            "name": "Alex Rivera",
            "email": "alex@example.org",
            "password": "a long enough passphrase 42",
            "mrn": "DC-2001",
            "date_of_birth": "1980-04-02",
            "pronouns": "they/them",
            "weight_kg": "70",
        },
        Patient,
    ),
    "/patients/{patient_id}/courses": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/courses",
        lambda: {
            "protocol": "iv_induction",
            "planned_count": "6",
            "started_on": "2026-11-22",
            "close_current": "completed",
        },
        Course,
    ),
    "/courses/{course_id}/consents": Create(
        "therapist@demo.clinic",
        lambda ids: f"/courses/{ids['course']}/consents",
        lambda: {"kind": "kap", "signed_on": "2026-11-22"},
        Consent,
    ),
    "/patients/{patient_id}/infusions/new": Create(
        "nurse@demo.clinic", lambda ids: f"/patients/{ids['patient']}/infusions/new", _infusion, Infusion
    ),
    "/infusions/{infusion_id}/vitals": Create(
        "nurse@demo.clinic",
        lambda ids: f"/infusions/{ids['infusion']}/vitals",
        lambda: {"minute_offset": "75", "systolic": "128", "diastolic": "80", "heart_rate": "72", "spo2": "98"},
        VitalSign,
    ),
    "/measures/{slug}/new": Create(
        "patient@demo.clinic",
        lambda ids: "/measures/gad7/new",
        lambda: {f"q{n}": "1" for n in range(1, 8)},
        MeasureResponse,
    ),
    "/patients/{patient_id}/measures/new": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/measures/new",
        lambda: {"instrument": "phq9", "taken_on": "2026-11-21", **{f"q{n}": "0" for n in range(1, 10)}},
        MeasureResponse,
    ),
    "/patients/{patient_id}/cssrs/new": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/cssrs/new",
        lambda: {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "no", "q6_lifetime": "no"},
        MeasureResponse,
    ),
    "/break-glass": Create(
        "therapist2@demo.clinic",
        lambda ids: "/break-glass",
        lambda: {"mrn": "DC-1001", "reason": "Patient in the emergency department now", "password": DEMO_PASSWORD},
        BreakGlass,
    ),
    "/notes/{note_id}/addenda": Create(
        "therapist@demo.clinic",
        lambda ids: f"/notes/{ids['signed_note']}/addenda",
        lambda: {"body": "Patient called: slept well."},
        Addendum,
    ),
    "/patients/{patient_id}/process-notes": Create(
        "therapist@demo.clinic",
        lambda ids: f"/patients/{ids['patient']}/process-notes",
        lambda: {"body": "My own impressions, kept apart."},
        ProcessNote,
    ),
    "/oversight/reviews": Create(
        "supervisor@demo.clinic", lambda ids: "/oversight/reviews", lambda: {"count": "1", "days": "30"}, NoteReview
    ),
    "/supervision": Create(
        "supervisor@demo.clinic",
        lambda ids: "/supervision",
        lambda: {"supervisor_id": "__supervisor__", "supervisee_id": "__therapist__", "started_on": "2026-11-22"},
        Supervision,
    ),
    "/oversight/exports": Create(
        "supervisor@demo.clinic", lambda ids: "/oversight/exports", lambda: {"password": DEMO_PASSWORD}, ExportJob
    ),
    "/journal/new": Create(
        "patient@demo.clinic",
        lambda ids: "/journal/new",
        lambda: {"kind": "free", "version": "0", "body": "A quiet morning."},
        JournalEntry,
        key="draft_key",
    ),
    "/infusions/{infusion_id}/notes/new": Create(
        "therapist@demo.clinic",
        lambda ids: f"/infusions/{ids['unnoted_infusion']}/notes/new",
        lambda: {"format": "DAP", "kap_phase": "integration", "version": "0", "s_data": "Calm, engaged."},
        IntegrationNote,
        key="draft_key",
    ),
}

# POST routes that change or act on what exists: none of them makes a new row a repeat could duplicate.
NOT_CREATES = {
    "/login",
    "/logout",
    "/session/stay",
    "/account/password",
    "/account/passkeys/options",  # a challenge for one ceremony, used once: a repeat makes another, never a passkey
    "/account/passkeys",  # answers a challenge used once, and a credential is kept once: a repeat is refused
    "/account/passkeys/{passkey_id:int}/name",
    "/account/passkeys/{passkey_id:int}/remove",  # removes once: a repeat finds it gone (404)
    "/account/passkeys/step-up",
    "/login/passkey/options",
    "/login/passkey",  # as /login: each sign-in opens its session and ends the one the browser had
    "/admin/users/{user_id:int}",
    "/admin/users/{user_id:int}/disable",
    "/admin/users/{user_id:int}/enable",
    "/admin/users/{user_id:int}/password",  # a reset ends the earlier link: a repeat issues one more, never a row more
    "/me/reminders",  # saves one's own settings: a repeat saves the same
    "/login/code",  # a code is used once and the waiting sign-in replaced: a repeat is told the sign-in ended
    "/account/sessions/end-others",  # a repeat finds nothing more to end
    "/account/two-factor",  # one unconfirmed secret per account, kept for an hour: a repeat shows the same one
    "/account/two-factor/confirm",  # confirms once: a repeat (its form_key) gets a fresh set of recovery codes
    "/account/two-factor/remove",  # removes once: a repeat is refused (nothing left to remove)
    "/account/recovery-codes",  # replaces the set: a repeat replaces it again (never two working sets)
    "/password-reset",  # asking again replaces the link (at most three an hour): never two working links
    "/enrol/{token}",  # a link is used once: a repeat is told it was used
    "/approvals/{approval_id:int}",  # decides once: a repeat by the same supervisor gets the first decision back
    "/courses/{course_id:int}/status",
    "/patients/{patient_id:int}/care-team",  # add is get-or-create, remove deletes: both idempotent
    "/alerts/{alert_id:int}/ack",
    "/infusions/{infusion_id:int}/edit",
    "/bookings/{booking_id:int}/status",  # moves a session on once: a repeat is answered with it as moved
    "/infusions/{infusion_id:int}/sign",  # locks once: a repeat finds it signed
    "/infusions/{infusion_id:int}/vitals/strike",  # strikes once: a repeat is told it was struck
    "/journal/preferences",
    "/journal/{entry_id:int}/edit",
    "/journal/{entry_id:int}/draft",  # a repeat finds its words stored (even one that made a conflict copy)
    "/journal/{entry_id:int}/delete",  # moves once: a repeat finds it in Recently deleted
    "/journal/{entry_id:int}/undelete",  # puts back once: a repeat finds it back
    "/journal/{entry_id:int}/history/{revision_id:int}/restore",  # a repeat finds the entry already holding it
    "/journal/{entry_id:int}/share",
    "/journal/{entry_id:int}/tell",  # one alert per entry, claimed by a conditional update: a repeat finds it raised
    "/journal/practices/{prompt_id:int}/done",  # one tick per practice per day: a repeat finds it ticked
    "/notes/{note_id:int}",
    "/notes/{note_id:int}/draft",
    "/notes/{note_id:int}/sign",
    "/notes/{note_id:int}/cosign",
    "/notes/{note_id:int}/return",
    "/dashboard/seen",
    "/process-notes/{note_id:int}/open",
    "/oversight/audit/verify",
    "/oversight/reviews/{review_id:int}",
    "/oversight/break-glass/{grant_id:int}/review",
    "/admin/settings",
    "/medications/{medication_id:int}",  # an edit from a version: a repeat is refused as stale (409)
    "/allergies/{allergy_id:int}",
    "/diagnoses/{diagnosis_id:int}",
    "/patients/{patient_id:int}/contacts",  # the one profile row, from a version: a repeat is stale
    "/patients/{patient_id:int}/no-known-allergies",  # the same profile row, from a version
    "/patients/{patient_id:int}/safety-plan",  # the one plan, from a version (0: none yet): a repeat is stale
    "/supervision/{link_id:int}/end",  # ends once: a repeat is told it had already ended
}


def _plain(path: str) -> str:
    return path.replace(":int", "").replace(":str", "")


def test_every_post_route_is_known_as_a_create_or_not(app):
    posts = {r.path for r in leaf_routes(app.routes) if "POST" in r.methods}
    creates = {p for p in posts if p not in NOT_CREATES}
    assert {_plain(p) for p in creates} == set(CREATES), "classify each new POST route in tests/server/test_once.py"


async def _ids() -> dict[str, int]:
    casey = await Patient.get(mrn="DC-1001")
    course = await Course.filter(patient_id=casey.id).order_by("-started_on").first()
    signed = await IntegrationNote.filter(patient_id=casey.id, status="signed").first()
    noted = await IntegrationNote.all().values_list("infusion_id", flat=True)
    unnoted = await Infusion.filter(patient_id=casey.id).exclude(id__in=list(noted)).order_by("number").first()
    infusion = await Infusion.filter(patient_id=casey.id, started_at__not_isnull=True).order_by("-number").first()
    assert course and signed and unnoted and infusion
    steps = dict.fromkeys(("warning_signs", "coping", "distractions", "helpers", "professionals", "environment"), "-")
    await SafetyPlan.get_or_create(  # the patient adds coping steps to the plan the therapist wrote
        patient_id=casey.id, defaults={"clinic_id": casey.clinic_id, "updated_at": casey.created_at, **steps}
    )
    return {
        "patient": casey.id,
        "course": course.id,
        "signed_note": signed.id,
        "unnoted_infusion": unnoted.id,
        "infusion": infusion.id,
        "therapist": (await User.get(email="therapist@demo.clinic")).id,
        "supervisor": (await User.get(email="supervisor@demo.clinic")).id,
        "shared_entry": (await JournalEntry.filter(patient_id=casey.id, shared=True).first()).id,
    }


async def _send(client, create: Create, csrf: str, key: str) -> Callable[[], Awaitable[Any]]:
    ids = await _ids()
    path = create.path(ids)
    data = {**create.data(), "csrf_token": csrf, create.key: key}
    people = {"__therapist__": str(ids["therapist"]), "__supervisor__": str(ids["supervisor"])}
    data = {k: people.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    return lambda: client.post(path, data=data)


def _answer(response: Any) -> Any:
    """What a create answered: where it redirected, or (for a page shown once, like an account's one-time link) the
    page itself."""
    return response.headers["location"] if response.status_code == 303 else (response.status_code, response.text)


@pytest.mark.parametrize("route", sorted(CREATES))
async def test_a_create_sent_twice_makes_one_row_and_answers_with_it(client, demo, route):
    create = CREATES[route]
    assert (await login(client, create.who)).status_code == 303
    send = await _send(client, create, await token(client), secrets.token_urlsafe(24))
    before = await create.model.all().count()
    first, second = await send(), await send()
    assert first.status_code in (200, 303), first.text[:500]
    assert _answer(second) == _answer(first)
    assert await create.model.all().count() == before + 1


@pytest.mark.parametrize("route", sorted(CREATES))
async def test_a_create_sent_six_times_at_once_makes_one_row_and_no_5xx(client, demo, route):
    create = CREATES[route]
    assert (await login(client, create.who)).status_code == 303
    send = await _send(client, create, await token(client), secrets.token_urlsafe(24))
    before = await create.model.all().count()
    answers = await asyncio.gather(*(send() for _ in range(6)))
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert {_answer(a) for a in answers if a.status_code < 400} == {_answer(answers[0])}
    assert await create.model.all().count() == before + 1
