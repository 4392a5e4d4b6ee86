"""An infusion record's lifecycle in a real browser: the clinician who gave the dose signs it, amends it with a reason,
and reads its versions with what changed. Every page is a checkpoint (tests/browser/checks.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, submit
from tests.browser.journal_notes_helpers import open_casey_infusion

pytestmark = pytest.mark.browser


def test_a_record_is_signed_amended_with_a_reason_and_its_versions_shown(page: Page) -> None:
    problems = watch(page)
    sign_in(page, "nurse@demo.clinic")  # she gave the demo's doses
    open_casey_infusion(page, 2)
    sign_box = page.locator("section", has=page.get_by_role("heading", name="Sign and lock this record"))
    sign_box.get_by_label("Re-enter your password to sign").fill(DEMO_PASSWORD)
    assert submit(sign_box.get_by_role("button", name="Sign record")) == 200
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    checkpoint(page, problems, "signed-record")

    page.get_by_role("link", name="Amend record").click()
    checkpoint(page, problems, "amendment-form")
    page.get_by_label("Lot number").fill("KET-CORRECTED")
    assert submit(page.get_by_role("button", name="Save")) == 400  # an amendment needs its reason
    expect(page.get_by_label("Why are you amending it?")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Lot number")).to_have_value("KET-CORRECTED")
    page.get_by_label("Why are you amending it?").fill("Lot number misread from the vial")
    assert submit(page.get_by_role("button", name="Save")) == 200

    page.get_by_role("link", name="versions and changes").click()
    latest = page.locator("section.card").first
    expect(latest.get_by_role("heading", level=2)).to_contain_text("Amended")
    expect(latest).to_contain_text("Lot number misread from the vial")
    expect(latest.get_by_role("row", name="Lot number")).to_contain_text("KET-CORRECTED")
    checkpoint(page, problems, "versions")
