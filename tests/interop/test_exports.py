"""The clinic export from oversight: a supervisor starts it after step-up, a worker writes it in the background, the
files are offered only once complete (one audit event per export, one per download), and an export that fails or
stops is marked failed with nothing of it kept."""

from __future__ import annotations

import json

from fhir.resources.R4B import get_fhir_model_class

from interop import bulk, exports
from interop.models import ExportJob, ExportStatus
from server.models import AuditEvent, Clinic, User
from tests.care.conftest import sign_in
from tests.conftest import DEMO_PASSWORD, another


async def _start(client, csrf: str = ""):
    csrf = csrf or await sign_in(client, "supervisor@demo.clinic")
    data = {"csrf_token": csrf, "password": DEMO_PASSWORD, "form_key": "k" * 32}
    return await client.post("/oversight/exports", data=data)


async def test_a_supervisor_exports_the_clinic_and_downloads_each_file(client, demo, settings):
    before = await AuditEvent.all().count()
    response = await _start(client)
    assert response.status_code == 303
    (job,) = await ExportJob.all()
    assert job.status == ExportStatus.QUEUED
    page = await client.get("/oversight/exports")
    assert "Waiting for the server to start it" in page.text and 'hx-trigger="every 3s"' in page.text
    assert await exports.run_queued(settings) == [job.id]
    await job.refresh_from_db()
    assert job.status == ExportStatus.COMPLETE and job.counts and job.counts["Patient"] == 2
    assert not (settings.var_dir / "exports" / f"{job.id}.partial").exists()
    page = await client.get("/oversight/exports")
    assert f"/oversight/exports/{job.id}/Patient.ndjson" in page.text and "every 3s" not in page.text
    for kind, count in job.counts.items():
        response = await client.get(f"/oversight/exports/{job.id}/{kind}.ndjson")
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        lines = response.text.splitlines()
        assert len(lines) == count
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
    manifest = (await client.get(f"/oversight/exports/{job.id}/manifest.json")).json()
    assert {o["type"]: o["count"] for o in manifest["output"]} == job.counts
    events = await AuditEvent.filter(seq__gt=before).exclude(action__in=("auth.login", "auth.login_succeeded"))
    exported = [e for e in events if e.action == "fhir.bulk_exported"]
    assert len(exported) == 1 and exported[0].detail["resources"] == job.counts
    supervisor = await User.get(email="supervisor@demo.clinic")
    assert exported[0].actor_id == supervisor.id and exported[0].object_id == str(job.id)
    downloads = [e.detail["file"] for e in events if e.action == "fhir.export_downloaded"]
    assert sorted(downloads) == sorted([*(f"{k}.ndjson" for k in job.counts), "manifest.json"])


async def test_the_same_form_sent_again_starts_one_export_and_a_wrong_password_none(client, demo, settings):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    assert (await _start(client, csrf)).status_code == 303
    assert (await _start(client, csrf)).status_code == 303
    assert await ExportJob.all().count() == 1
    async with another(client) as browser:
        csrf = await sign_in(browser, "supervisor@demo.clinic")
        data = {"csrf_token": csrf, "password": "wrong-password", "form_key": "z" * 32}
        response = await browser.post("/oversight/exports", data=data)
        assert response.status_code == 400 and "That password is wrong" in response.text
        data["password"] = ""
        assert (await browser.post("/oversight/exports", data=data)).status_code == 400
    assert await ExportJob.all().count() == 1
    assert await AuditEvent.filter(action="fhir.bulk_export_refused").count() == 1


async def test_an_export_that_fails_midway_is_marked_failed_and_nothing_is_offered(client, demo, settings, monkeypatch):
    await _start(client)
    written = bulk.NdjsonFiles.write

    def breaks(self, resource):
        if resource["resourceType"] == "Encounter":
            raise OSError("disk full")
        written(self, resource)

    monkeypatch.setattr(bulk.NdjsonFiles, "write", breaks)
    (job_id,) = await exports.run_queued(settings)
    job = await ExportJob.get(id=job_id)
    assert job.status == ExportStatus.FAILED and "OSError" in job.error and job.counts is None
    assert not (settings.var_dir / "exports" / str(job_id)).exists()
    assert not (settings.var_dir / "exports" / f"{job_id}.partial").exists()
    assert (await client.get(f"/oversight/exports/{job_id}/Patient.ndjson")).status_code == 404
    assert [e.action for e in await AuditEvent.filter(object_type="fhir_export")] == ["fhir.bulk_export_failed"]
    assert "Nothing of it is kept" in (await client.get("/oversight/exports")).text


async def test_an_export_whose_worker_died_is_marked_failed_once_its_heartbeat_is_stale(client, demo, settings, clock):
    await _start(client)
    (job,) = await ExportJob.all()
    await ExportJob.filter(id=job.id).update(status=ExportStatus.RUNNING, heartbeat_at=clock(), patients_done=1)
    half = settings.var_dir / "exports" / f"{job.id}.partial"
    half.mkdir(parents=True)
    (half / "Patient.ndjson").write_text("{}\n")
    assert (await client.get("/oversight/exports")).status_code == 200
    assert (await ExportJob.get(id=job.id)).status == ExportStatus.RUNNING  # still within STALE
    clock.advance(minutes=11)
    page = await client.get("/oversight/exports")
    assert "The export stopped before it was complete" in page.text
    assert (await ExportJob.get(id=job.id)).status == ExportStatus.FAILED and not half.exists()
    assert await AuditEvent.filter(action="fhir.bulk_export_failed").count() == 1
    assert await exports.run_queued(settings) == []


async def test_another_clinics_export_and_unknown_files_are_404(client, demo, settings):
    other = await Clinic.get(slug="other.clinic")
    theirs = await ExportJob.create(
        clinic_id=other.id, requested_by_id=1, requested_at=settings.clock(), status=ExportStatus.COMPLETE,
        counts={"Patient": 1},
    )  # fmt: skip
    folder = settings.var_dir / "exports" / str(theirs.id)
    folder.mkdir(parents=True)
    (folder / "Patient.ndjson").write_text("{}\n")
    await sign_in(client, "supervisor@demo.clinic")
    assert (await client.get(f"/oversight/exports/{theirs.id}/Patient.ndjson")).status_code == 404
    await ExportJob.filter(id=theirs.id).update(clinic_id=(await Clinic.get(slug="demo.clinic")).id)
    assert (await client.get(f"/oversight/exports/{theirs.id}/Patient.ndjson")).status_code == 200
    for name in ("Consent.ndjson", "..%2Fsecret.key", "patient.ndjson", "x"):
        assert (await client.get(f"/oversight/exports/{theirs.id}/{name}")).status_code == 404, name
