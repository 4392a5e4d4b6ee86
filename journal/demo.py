"""Demo journal entries: each demo patient has a few reflections after sessions, some shared, some private."""

from __future__ import annotations

import secrets
from datetime import timedelta

from care.models import Infusion, Patient
from journal.models import JournalEntry, JournalRevision
from journal.prompts import GUIDED
from server.actor import Actor
from server.models import Clinic, User

ENTRIES = [
    # (session number, shared, answers, body, mood, anxiety, sleep)
    (
        1,
        True,
        {
            "stood_out": "The music. I felt held by it, like floating above a quiet lake.",
            "emotions": "Relief, then a wave of sadness about my dad.",
        },
        "",
        5,
        6,
        4,
    ),
    (
        2,
        False,
        {"body": "Heavy arms, then very light."},
        "Private: I am not ready to talk about the lake yet.",
        4,
        5,
        5,
    ),
    (
        4,
        True,
        {
            "insights": "I keep seeing the same door. Maybe it is okay to open it slowly.",
            "carry_forward": "A short walk every morning.",
        },
        "Slept better two nights in a row.",
        7,
        3,
        7,
    ),
]


async def seed(actor: Actor, clinics: dict[str, Clinic], users: dict[str, User]) -> list[str]:
    for email in ("patient@demo.clinic", "patient2@demo.clinic", "patient@other.clinic"):
        patient = await Patient.get(user_id=users[email].id)
        for number, shared, answers, body, mood, anxiety, sleep in ENTRIES:
            infusion = await Infusion.get(patient_id=patient.id, number=number)
            at = infusion.started_at + timedelta(hours=26)  # type: ignore[operator]
            prompts = [{"key": k, "question": q} for k, q in GUIDED["post_session"]]
            entry = await JournalEntry.create(
                clinic_id=patient.clinic_id,
                patient=patient,
                infusion=infusion,
                kind="post_session",
                draft_key=secrets.token_urlsafe(24),
                prompts=prompts,
                answers=answers,
                body=body,
                mood=mood,
                anxiety=anxiety,
                sleep=sleep,
                shared=shared,
                shared_at=at if shared else None,
                version=1,
                created_at=at,
                updated_at=at,
                prompt_ref=f"schedule:{infusion.id}:24",
                search_text="\n".join([*answers.values(), body]).casefold(),
            )
            await JournalRevision.create(entry=entry, version=1, body=body, answers=answers, saved_at=at)
    return ["Each demo patient has three journal entries: two shared with the care team, one private."]
