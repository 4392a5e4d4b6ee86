"""The patient downloads their record as FHIR from /me, choosing which journal entries go in (a real browser)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _shared_entries(server_dir: Path) -> int:
    """How many entries Casey has shared and not deleted now (other journeys on this server write more)."""
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        row = db.execute(
            "SELECT count(*) FROM journal_entry e JOIN patient p ON p.id = e.patient_id"
            ' JOIN "user" u ON u.id = p.user_id WHERE u.email = ? AND e.shared AND e.deleted_at IS NULL',
            ("patient@demo.clinic",),
        ).fetchone()
    return int(row[0])


def test_the_patient_downloads_their_fhir_record_with_the_entries_they_shared(
    new_context: Callable[..., BrowserContext], live_server: str, server_dir: Path
) -> None:
    page = new_context().new_page()
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    page.goto("/me")
    expect(page.get_by_label("Without my journal entries")).to_be_checked()
    checkpoint(page, problems, "me-fhir-download")

    page.get_by_label("With the entries I shared with my care team").check()
    with page.expect_download() as started:
        page.get_by_role("button", name="Download my record (FHIR)").click()
    download = started.value
    assert download.failure() is None and download.suggested_filename == "record.fhir.json"
    with open(download.path(), encoding="utf-8") as saved:
        bundle = json.load(saved)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    entries = [e["resource"] for e in bundle["entry"] if e["resource"]["id"].startswith("journal-")]
    assert len(entries) == _shared_entries(server_dir) >= 2, "every entry the patient shared, and only those"
