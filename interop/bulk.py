"""`python -m server fhir-export --out DIR`: a clinic's record as FHIR Bulk Data NDJSON, one file per resource type
and a manifest, written patient batch by patient batch (memory is bounded by the batch, not by the clinic), with a
progress line, audited as one event per clinic with the counts."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any, cast

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from care.models import Patient
from interop import access, mapping
from interop.mapping import Resource
from interop.record import load, resources
from interop.validate import validate
from server import audit
from server.actor import Actor
from server.models import Clinic, Role, User
from server.passwords import Passwords
from server.settings import Settings

BATCH = 100  # patients per batch: nine queries each, and at most this many patients' rows in memory
Progress = Callable[[int, int, int], None]  # patients done, patients in all, resources written
Heartbeat = Callable[[int, int, int], Awaitable[None]]


class NdjsonFiles:
    """One NDJSON file per resource type in a folder only the owner can read (it holds PHI)."""

    def __init__(self, folder: Path, check: bool) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder, self.check = folder, check
        self.files: dict[str, IO[str]] = {}
        self.counts: Counter[str] = Counter()

    def write(self, resource: Resource) -> None:
        if self.check:
            validate(resource)
        kind = resource["resourceType"]
        if kind not in self.files:
            fd = os.open(self.folder / f"{kind}.ndjson", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self.files[kind] = os.fdopen(fd, "w", encoding="utf-8")
        self.files[kind].write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.counts[kind] += 1

    def abort(self) -> None:
        """Close the files of an export that failed (the caller deletes them)."""
        for file in self.files.values():
            file.close()

    def close(self, manifest: dict[str, Any]) -> None:
        for file in self.files.values():
            file.close()
        fd = os.open(self.folder / "manifest.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(manifest, file, indent=2)


def _manifest(at: str, request: str, counts: Counter[str]) -> dict[str, Any]:
    """The Bulk Data export manifest (its `output` names each file, its type and its count)."""
    return {
        "transactionTime": at,
        "request": request,
        "requiresAccessToken": False,
        "output": [{"type": kind, "url": f"{kind}.ndjson", "count": counts[kind]} for kind in sorted(counts)],
        "error": [],
    }


async def _next_ids(patients: QuerySet[Patient], after: int, batch: int) -> list[int]:
    """The next batch of patient ids (keyset paging: each batch costs the same however far in)."""
    rows = await patients.filter(id__gt=after).order_by("id").limit(batch).values_list("id", flat=True)
    return list(cast("list[int]", rows))  # flat: plain ids, though typed as tuples


async def write_clinic(
    actor: Actor, clinic: Clinic, folder: Path, progress: Progress | None = None, *, check: bool = False,
    batch: int = BATCH, request: str = "", heartbeat: Heartbeat | None = None,
) -> tuple[dict[str, int], int]:  # fmt: skip
    """Write the clinic's record to `folder`, the manifest last: the counts per resource type and the patients.
    `heartbeat` is awaited after every batch (an export job records its progress there)."""
    out = NdjsonFiles(folder, check)
    try:
        done = await _write_all(actor, clinic, out, progress, batch, heartbeat)
    except BaseException:
        out.abort()
        raise
    request = request or f"fhir-export --clinic {clinic.slug}"
    out.close(_manifest(mapping.instant(actor.now), request, out.counts))
    return dict(sorted(out.counts.items())), done


async def _write_all(
    actor: Actor, clinic: Clinic, out: NdjsonFiles, progress: Progress | None, batch: int, heartbeat: Heartbeat | None
) -> int:
    out.write(mapping.organization(clinic))
    for user in await User.filter(clinic_id=clinic.id).exclude(role=Role.PATIENT).order_by("id"):
        out.write(mapping.practitioner(user))
    patients = Patient.filter(clinic_id=clinic.id)
    total, done, last = await patients.count(), 0, 0
    while ids := await _next_ids(patients, last, batch):
        for record in await load(clinic, ids, today=actor.now.date()):
            for resource in resources(record):
                out.write(resource)
            await asyncio.sleep(0)  # one patient's resources at a time: a web worker exporting keeps serving pages
        done, last = done + len(ids), ids[-1]
        if progress:
            progress(done, total, out.counts.total())
        if heartbeat:
            await heartbeat(done, total, out.counts.total())
    return done


async def export_clinic(
    actor: Actor, clinic: Clinic, folder: Path, progress: Progress | None = None, *, check: bool = False,
    batch: int = BATCH,
) -> dict[str, int]:  # fmt: skip
    """Write the clinic's record to `folder` and audit it; the counts per resource type."""
    counts, done = await write_clinic(actor, clinic, folder, progress, check=check, batch=batch)
    async with in_transaction():
        await audit.record(
            actor, access.BULK_EXPORTED, object_type="clinic", object_id=clinic.id, clinic_id=clinic.id,
            detail={"patients": done, "resources": counts},
        )  # fmt: skip
    return counts


def _progress(slug: str) -> Progress:
    def show(done: int, total: int, written: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{slug}: {done:,}/{total:,} patients, {written:,} resources", end=end, file=sys.stderr, flush=True)

    return show


async def run(settings: Settings, args: argparse.Namespace) -> int:
    actor = Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="cli")
    clinics = Clinic.filter(slug=args.clinic) if args.clinic else Clinic.all()
    found = await clinics.order_by("id")
    if not found:
        print(f"No clinic {args.clinic!r}." if args.clinic else "No clinics to export.")
        return 2
    out = Path(args.out)
    for clinic in found:
        counts = await export_clinic(actor, clinic, out / clinic.slug, _progress(clinic.slug), check=args.validate)
        print(f"{clinic.slug}: {sum(counts.values()):,} resources in {out / clinic.slug}")
    return 0


def arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", required=True, help="folder to write into (one subfolder per clinic)")
    command.add_argument("--clinic", help="one clinic's slug (default: every clinic, each in its own subfolder)")
    command.add_argument("--validate", action="store_true", help="check each resource with fhir.resources")
