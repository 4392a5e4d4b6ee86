"""Supervision in a real browser: the supervisor records that they supervise a therapist from today, sees the link,
is refused a last day before the first at the field, and ends the link, which stays in the history. Every state is a
checkpoint (no console errors, axe at 1280 and 360 px, no sideways scrolling, a screenshot)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import sign_in
from tests.browser.oversight_helpers import main_nav

pytestmark = pytest.mark.browser


def test_a_supervisor_links_a_therapist_and_ends_the_link(page: Page, live_server: str) -> None:
    problems = watch(page)
    sign_in(page, "supervisor@demo.clinic")
    main_nav(page).get_by_role("link", name="Supervision").click()
    expect(page).to_have_url(live_server + "/supervision")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision")
    checkpoint(page, problems, "supervision")

    page.get_by_label("Supervisor", exact=True).select_option(label="Priya Raman")
    page.get_by_label("Supervises (therapist or medical staff)").select_option(label="Sam Okafor (therapist)")
    page.get_by_label("Last day (optional)").fill("2020-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the link").click()
    expect(page.locator("#e-ended_on")).to_have_text("The last day cannot be before the start date.")
    expect(page.get_by_label("Supervises (therapist or medical staff)")).to_have_value(re.compile(r"^\d+$"))
    checkpoint(page, problems, "supervision-refused")

    page.get_by_label("Last day (optional)").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the link").click()
    expect(page.get_by_role("status").first).to_have_text("The link is recorded.")
    current = page.locator("section[aria-labelledby=current-h] li", has_text="Sam Okafor")
    expect(current).to_contain_text("Priya Raman supervises Sam Okafor (therapist)")
    checkpoint(page, problems, "supervision-linked")

    with page.expect_navigation():
        current.get_by_role("button", name="End Priya Raman's supervision of Sam Okafor").click()
    expect(page.get_by_role("status").first).to_contain_text("The link has ended")
    history = page.locator("section[aria-labelledby=history-h] li", has_text="Sam Okafor")
    expect(history).to_contain_text("ended by Priya Raman")
    checkpoint(page, problems, "supervision-ended")
