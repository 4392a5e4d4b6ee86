"""Risk continuity in a real browser: a high-risk C-SSRS raises an alert; the therapist's integration note, whose risk
assessment addresses it, closes it when signed; the chart's risk history shows the screen and what became of the
alert. Every page is a checkpoint (tests/browser/checks.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in
from tests.browser.journal_notes_helpers import autosave_carrying, editor_ready, open_casey_infusion, sign_with

pytestmark = pytest.mark.browser

ANSWERS = {"1": "Yes", "2": "Yes", "3": "Yes", "4": "Yes", "5": "No", "6": "No"}


def _risk_history(page: Page):  # noqa: ANN202 - a Locator
    return page.locator("#risk")


def test_a_high_risk_screen_raises_an_alert_that_a_signed_note_resolves_on_the_history(page: Page) -> None:
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")
    page.goto("/caseload")
    page.get_by_role("table", name=re.compile("^Patients")).get_by_role("link", name="Casey Morgan", exact=True).click()
    page.get_by_role("link", name="C-SSRS screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("C-SSRS screener for Casey Morgan")
    for number, answer in ANSWERS.items():
        page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(answer, exact=True).check()
    checkpoint(page, problems, "cssrs-answered")
    with page.expect_navigation():
        page.get_by_role("button", name="Save screen").click()
    expect(page.locator("main")).to_contain_text("Risk level: high")
    expect(page.locator("main")).to_contain_text("A risk alert was raised for the care team.")
    checkpoint(page, problems, "cssrs-result")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    alert = page.locator("li.card-alert", has_text="C-SSRS screen: high risk")
    expect(alert.locator(".badge-risk-high")).to_have_text("High risk")
    checkpoint(page, problems, "alerts")

    open_casey_infusion(page, 5)
    page.get_by_role("link", name="Write integration note").click()
    editor_ready(page)
    with autosave_carrying(page, "Talked through the screen."):
        page.get_by_label("Session summary").fill("Talked through the screen.")
    page.get_by_label("Data", exact=True).fill("Passive thoughts this week, no plan.")
    page.get_by_label("Assessment", exact=True).fill("Risk reduced after safety planning.")
    page.get_by_label("Plan", exact=True).fill("Call on Friday; session next week.")
    page.get_by_label("Suicidal ideation").select_option("passive")
    page.get_by_label("Safety plan reviewed").check()
    with autosave_carrying(page, "C-SSRS"):  # the alert's box is ticked by its label, which names the screen
        page.get_by_label(re.compile(r"^High risk alert: C-SSRS screen: high risk")).check()
        page.get_by_label("Protective factors").fill("Sister nearby; C-SSRS reviewed together.")
    checkpoint(page, problems, "note-addresses-alert")
    assert sign_with(page, DEMO_PASSWORD) == 200
    expect(page.locator(".page-head .badge")).to_have_text("Signed")

    page.goto("/caseload")
    page.get_by_role("table", name=re.compile("^Patients")).get_by_role("link", name="Casey Morgan", exact=True).click()
    history = _risk_history(page)
    expect(history).to_contain_text("C-SSRS screen: high risk (highest yes: question 4)")
    resolved = history.locator("li", has_text="High risk alert")
    expect(resolved.locator(".badge-state-resolved").first).to_have_text("resolved")
    expect(resolved.first).to_contain_text("Resolved by Sam Okafor: Risk assessment documented in the integration note")
    checkpoint(page, problems, "chart-risk-history")
