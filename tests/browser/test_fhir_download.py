"""The patient downloads their record as FHIR from /me, choosing which journal entries go in (a real browser)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_patient_downloads_their_fhir_record_with_the_entries_they_shared(
    new_context: Callable[..., BrowserContext], live_server: str
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
    assert len(entries) == 2, "the demo patient shared two of their three entries"
