"""Clinic exports a supervisor starts from the web: the same FHIR Bulk Data NDJSON as `fhir-export`, written in the
background by a worker (any web worker: a queued job is claimed by one conditional update) into
var/exports/<id>/, each file then downloadable by the clinic's supervisors.

Files are written into `<id>.partial/` and renamed to `<id>/` only once the manifest is written, and the job is marked
complete (with its one `fhir.bulk_exported` event) only after that: a crash leaves a job that is still "running"
with a heartbeat that no longer moves. After STALE the job is marked failed (one `fhir.bulk_export_failed` event)
and whatever it wrote is deleted; nothing half-written is ever offered for download.
"""

from __future__ import annotations

import logging
import re
import shutil
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path

from tortoise.transactions import in_transaction

from interop import access, bulk
from interop.models import ExportJob, ExportStatus
from server import accounts, audit, once, outbox
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.models import Clinic, User
from server.outbox import worker_name
from server.passwords import Passwords
from server.policy import require
from server.registry import Registry
from server.settings import Settings

log = logging.getLogger("afterglow.interop.exports")
STALE = timedelta(minutes=10)  # a running export's heartbeat moves after every batch of 100 patients (about 2 s)
SHOWN = 20  # the latest exports listed
FILE = re.compile(r"^(manifest\.json|[A-Z][A-Za-z]+\.ndjson)$")
STOPPED = "The export stopped before it was complete (the server restarted or the worker died). Start it again."


def _folder(settings: Settings, job_id: int, partial: bool = False) -> Path:
    return settings.var_dir / "exports" / (f"{job_id}.partial" if partial else str(job_id))


def _remove(settings: Settings, job_id: int) -> None:
    for partial in (True, False):
        shutil.rmtree(_folder(settings, job_id, partial), ignore_errors=True)


def _actor(settings: Settings, user: User | None, registry: Registry | None = None) -> Actor:
    return Actor(
        user=user, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="worker",
        registry=registry or Registry(),
    )  # fmt: skip


async def listing(actor: Actor) -> list[ExportJob]:
    """The clinic's latest exports, stale ones marked failed first (no PHI: counts and status only)."""
    await require(actor.user, access.MAY_EXPORT)
    await fail_stale(actor.settings)
    return await ExportJob.filter(clinic_id=actor.clinic_id).order_by("-id").limit(SHOWN)


async def start(actor: Actor, key: str, password: str) -> ExportJob:
    """Queue an export of the supervisor's clinic, after step-up; a repeat of the same form gets its first job."""
    await require(actor.user, access.MAY_EXPORT)
    if (first := await once.repeat(actor, key, "fhir_export")) is not None:
        return await _job(first)
    if not password:
        raise Invalid({"password": "Enter your password to start an export."}, page=await listing(actor))
    if not await accounts.step_up(actor, password):
        async with in_transaction():
            await audit.record(
                actor, access.EXPORT_REFUSED, outcome="denied", object_type="clinic", object_id=actor.clinic_id,
                clinic_id=actor.clinic_id, detail={"fields": ["password"]},
            )  # fmt: skip
        raise Invalid({"password": "That password is wrong."}, page=await listing(actor), audited=True)
    return await once.create(actor, key, "fhir_export", lambda: _queue(actor), _job)


async def _job(job_id: int) -> ExportJob:
    return await ExportJob.get(id=job_id)


async def _queue(actor: Actor) -> ExportJob:
    return await ExportJob.create(clinic_id=actor.clinic_id, requested_by_id=actor.user_id, requested_at=actor.now)


async def download(actor: Actor, job_id: int, name: str) -> Path:
    """One file of a complete export of the supervisor's clinic (404 otherwise), audited as a read."""
    await require(actor.user, access.MAY_EXPORT)
    job = await ExportJob.get_or_none(id=job_id, clinic_id=actor.clinic_id, status=ExportStatus.COMPLETE)
    counts = (job.counts or {}) if job else {}
    known = name == "manifest.json" or name.removesuffix(".ndjson") in counts
    path = _folder(actor.settings, job_id) / name
    if job is None or not FILE.match(name) or not known or not path.is_file():
        raise NotFound("export file")
    await audit.record_read(
        actor, access.EXPORT_DOWNLOADED, object_type="fhir_export", object_id=job.id, clinic_id=actor.clinic_id,
        detail={"file": name, "lines": counts.get(name.removesuffix(".ndjson"))},
    )  # fmt: skip
    return path


async def fail_stale(settings: Settings, registry: Registry | None = None) -> int:
    """Mark failed every running export whose heartbeat stopped STALE ago, delete its files, one event each."""
    cutoff = settings.clock() - STALE
    failed = 0
    for job in await ExportJob.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=cutoff):
        failed += await _fail(settings, registry, job, STOPPED)
    return failed


async def _fail(settings: Settings, registry: Registry | None, job: ExportJob, error: str) -> int:
    actor = _actor(settings, await User.get_or_none(id=job.requested_by_id), registry)
    async with in_transaction():
        changed = await ExportJob.filter(id=job.id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, error=error[:200], finished_at=actor.now
        )
        if changed:
            await audit.record(
                actor, access.EXPORT_FAILED, outcome="denied", object_type="fhir_export", object_id=job.id,
                clinic_id=job.clinic_id, detail={"patients": job.patients_done, "error": error[:200]},
            )  # fmt: skip
    _remove(settings, job.id)
    return changed


async def _claim(settings: Settings, worker: str) -> ExportJob | None:
    """The oldest queued export, claimed for this worker by a conditional update (two workers never both win)."""
    for job in await ExportJob.filter(status=ExportStatus.QUEUED).order_by("id").limit(5):
        now = settings.clock()
        if await ExportJob.filter(id=job.id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.RUNNING, worker=worker[:80], started_at=now, heartbeat_at=now
        ):
            return await ExportJob.get(id=job.id)
    return None


async def run_queued(settings: Settings, registry: Registry | None = None, worker: str = "") -> list[int]:
    """Fail the stale exports, then write every queued one in turn: the ids written (complete or failed)."""
    await fail_stale(settings, registry)
    done = []
    while job := await _claim(settings, worker or worker_name()):
        await _write(settings, registry, job)
        done.append(job.id)
    return done


async def _write(settings: Settings, registry: Registry | None, job: ExportJob) -> None:
    actor = _actor(settings, await User.get_or_none(id=job.requested_by_id), registry)
    clinic = await Clinic.get(id=job.clinic_id)
    partial, final = _folder(settings, job.id, partial=True), _folder(settings, job.id)
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _remove(settings, job.id)

    async def beat(done: int, total: int, written: int) -> None:
        await ExportJob.filter(id=job.id, status=ExportStatus.RUNNING).update(
            patients_done=done, patients_total=total, resources=written, heartbeat_at=settings.clock()
        )

    try:
        counts, patients = await bulk.write_clinic(
            actor, clinic, partial, request=f"oversight export {job.id}", heartbeat=beat
        )
        partial.rename(final)
    except Exception as exc:  # the export failed: say so on the job, keep nothing it wrote
        log.exception("FHIR export %s failed", job.id)
        await _fail(settings, registry, job, f"The export failed ({type(exc).__name__}). Start it again.")
        return
    await _complete(actor, job, clinic, counts, patients)


async def _complete(actor: Actor, job: ExportJob, clinic: Clinic, counts: dict[str, int], patients: int) -> None:
    async with in_transaction():
        changed = await ExportJob.filter(id=job.id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.COMPLETE, counts=counts, patients_done=patients, patients_total=patients,
            resources=sum(counts.values()), finished_at=actor.settings.clock(),
        )  # fmt: skip
        if changed:
            await audit.record(
                actor, access.BULK_EXPORTED, object_type="fhir_export", object_id=job.id, clinic_id=clinic.id,
                detail={"patients": patients, "resources": counts},
            )  # fmt: skip
    if not changed:  # marked failed meanwhile (its heartbeat was taken for stopped): its files go too
        _remove(actor.settings, job.id)


def working(settings: Settings, registry: Registry) -> AbstractAsyncContextManager[None]:
    """While the app serves, pick up queued exports every `notify_interval_seconds` (not at all at 0)."""
    return outbox.every_interval(
        settings, "afterglow-fhir-exports", lambda worker: run_queued(settings, registry, worker)
    )
