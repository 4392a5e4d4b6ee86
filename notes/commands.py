"""Command-line checks the notes room adds to `python -m server`."""

from __future__ import annotations

import argparse

from notes.models import IntegrationNote, Status
from notes.service import verify_signed
from server.settings import Settings


async def verify_notes(settings: Settings, _args: argparse.Namespace) -> int:
    """Recompute every signed note's SHA-256; exit non-zero naming each note whose row changed after signing."""
    broken = []
    count = 0
    async for note in IntegrationNote.filter(status__in=[Status.SIGNED, Status.COSIGN_PENDING, Status.COSIGNED]):
        count += 1
        if not await verify_signed(note):
            broken.append(note.id)
    if broken:
        print(f"Signed notes CHANGED after signing: {', '.join(map(str, broken))} ({count} checked).")
        return 1
    print(f"All {count} signed notes match their signatures.")
    return 0
