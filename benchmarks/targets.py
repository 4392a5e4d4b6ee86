"""What the benchmarks request: the seeded therapist's patient and latest infusion, a deep audit page, and drafts
for the note-signing route (shared by benchmarks/run.py and benchmarks/breakdown.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


async def ids_of(url: str, var: str, therapist_email: str, signer_email: str | None = None) -> dict[str, Any]:
    from tortoise import Tortoise

    from afterglow import tortoise_config
    from care.models import CareTeam, Infusion, Patient
    from journal.models import JournalEntry
    from server.models import AuditEvent, User
    from server.settings import Settings

    await Tortoise.init(config=tortoise_config(Settings(database_url=url, secret_key="x", var_dir=Path(var))))
    try:
        therapist = await User.get(email=therapist_email)
        link = await CareTeam.filter(therapist_id=therapist.id).first()
        infusion = await Infusion.filter(patient_id=link.patient_id).order_by("-id").first()  # type: ignore[union-attr]
        head = await AuditEvent.filter(clinic_id=therapist.clinic_id).order_by("-seq").first()
        found: dict[str, Any] = {
            "patient": link.patient_id,  # type: ignore[union-attr]
            "infusion": infusion.id,  # type: ignore[union-attr]
            "deep_seq": max(1, head.seq - 5000),  # type: ignore[union-attr]
        }
        writer = await Patient.get_or_none(user__email=therapist_email.replace("t0@", "p0@"))
        entry = writer and await JournalEntry.filter(patient_id=writer.id, deleted_at=None).order_by("-id").first()
        found["entry"] = entry.id if entry else 0
        if signer_email:
            signer = await User.get(email=signer_email)
            theirs = await CareTeam.filter(therapist_id=signer.id).first()
            where = await Infusion.filter(patient_id=theirs.patient_id).order_by("-id").first()  # type: ignore[union-attr]
            found["drafts"] = await drafts(signer, where, NOTES_TO_SIGN)
        return found
    finally:
        await Tortoise.close_connections()


NOTES_TO_SIGN = 400  # more than a run can sign: each signature is a password step-up (argon2)


async def drafts(therapist: Any, infusion: Any, count: int) -> list[int]:
    """Complete DAP drafts by the therapist, ready to sign (signing is a one-way step, so each request needs one)."""
    from datetime import UTC, datetime

    from notes.models import IntegrationNote

    now = datetime.now(UTC)
    content = {
        "data": "Calm after the session; described the lake again.",
        "assessment": "Integrating well.",
        "plan": "Walks; next session as planned.",
        "session_summary": "Steady session, no adverse events.",
        "risk": {"ideation": "none"},
    }
    notes = [
        IntegrationNote(
            clinic_id=therapist.clinic_id,
            infusion_id=infusion.id,
            patient_id=infusion.patient_id,
            author_id=therapist.id,
            draft_key=f"bench-{now.timestamp()}-{n}",
            content=content,
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    ]
    await IntegrationNote.bulk_create(notes)
    return [n.id for n in await IntegrationNote.filter(draft_key__startswith=f"bench-{now.timestamp()}-")]
