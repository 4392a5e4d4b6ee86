"""Break the glass in a real browser: a therapist's emergency access to a patient outside their care team, from the
request (a refused password first) to the supervisor's review. The rest of oversight: test_oversight.py.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, no sideways scrolling there, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.care_helpers import expect_error_next_to
from tests.browser.checks import checkpoint, expect_announced, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out
from tests.browser.oversight_helpers import NOT_FOUND, main_nav, patient_id

pytestmark = pytest.mark.browser

# --- 3. break the glass: request, refused password, emergency access, supervisor review ------------------------


def test_a_therapist_breaks_the_glass_and_a_supervisor_reviews_it(
    new_context: Callable[..., BrowserContext], live_server: str, server_dir: Path
) -> None:
    riley = patient_id(server_dir, "patient2@demo.clinic")
    reason = f"Riley's therapist is away and Riley called in crisis (ref {uuid.uuid4().hex[:6]})"
    page = new_context().new_page()
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")

    # Riley is not on Sam's caseload: the chart looks like a missing page.
    response = page.goto(f"/patients/{riley}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
    expect(page.locator("main")).not_to_contain_text("Riley Chen")
    checkpoint(page, problems, "not-found")

    main_nav(page).get_by_role("link", name="Emergency access").click()
    expect(page).to_have_url(live_server + "/break-glass")
    expect(page.get_by_role("heading", level=1)).to_have_text("Break the glass")
    checkpoint(page, problems, "break-glass")

    # A wrong password: refused, the message by the password field, the MRN and reason kept.
    page.get_by_label("Patient's MRN").fill("DC-1002")
    page.get_by_label("Why is this an emergency?").fill(reason)
    page.get_by_label("Re-enter your password").fill("not-my-password-at-all")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Request emergency access").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(page).to_have_url(live_server + "/break-glass")
    expect_error_next_to(page, "password", "That password is wrong.")
    expect_announced(page, page.get_by_label("Re-enter your password"), "That password is wrong.")
    expect(page.get_by_label("Patient's MRN")).to_have_value("DC-1002")
    expect(page.get_by_label("Why is this an emergency?")).to_have_value(reason)
    expect(page.get_by_label("Re-enter your password")).to_have_value("")  # never sent back
    checkpoint(page, problems, "break-glass-wrong-password")

    # The right password: straight to Riley's chart, read-only, under the emergency banner.
    page.get_by_label("Re-enter your password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Request emergency access").click()
    expect(page).to_have_url(live_server + f"/patients/{riley}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Chen")
    banner = page.locator(".banner-glass")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("Emergency access (break the glass).")
    expect(banner).to_contain_text("You are not on this patient's care team.")
    expect(page.locator("main")).to_contain_text("MRN DC-1002")
    expect(page.get_by_role("link", name="Record infusion")).to_have_count(0)
    expect(page.get_by_role("link", name="Enter PHQ-9")).to_have_count(0)
    checkpoint(page, problems, "emergency-chart")
    response = page.goto(f"/patients/{riley}/infusions/new")  # read access only
    assert response is not None and response.status == 404
    checkpoint(page, problems, "not-found-write")
    page.goto(f"/patients/{riley}")
    sign_out(page)

    # The supervisor sees the access, with its reason, and records a review.
    sign_in(page, "supervisor@demo.clinic")
    page.get_by_role("link", name="Break-the-glass review", exact=True).click()
    expect(page).to_have_url(live_server + "/oversight/break-glass")
    expect(page.get_by_role("heading", level=1)).to_have_text("Break-the-glass review")
    grant = page.locator("main article.card", has_text=reason)
    expect(grant).to_have_count(1)
    expect(grant.get_by_role("heading", level=2)).to_have_text("Sam Okafor → Riley Chen")
    expect(grant).to_contain_text(f"reason: “{reason}”")
    expect(grant).to_have_class(re.compile(r"\bcard-alert\b"))  # not reviewed yet
    checkpoint(page, problems, "break-glass-review")

    # An empty review is refused with a message; then a real one is recorded.
    with page.expect_navigation() as navigation:
        grant.get_by_role("button", name="Mark reviewed").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(grant.locator("p.error")).to_have_text("Record what you found (up to 500 characters).")
    checkpoint(page, problems, "review-error")

    review = "Spoke with Sam: justified, Riley's own therapist was on leave."
    grant.get_by_label("Review note").fill(review)
    with page.expect_navigation() as navigation:
        grant.get_by_role("button", name="Mark reviewed").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(live_server + "/oversight/break-glass")
    expect(grant.locator("p.muted")).to_have_text(re.compile(rf"^Reviewed by Priya Raman .+: {re.escape(review)}$"))
    expect(grant.get_by_role("button", name="Mark reviewed")).to_have_count(0)
    expect(grant).not_to_have_class(re.compile(r"\bcard-alert\b"))
    checkpoint(page, problems, "reviewed")


# --- regressions for bugs found while writing these journeys --------------------------------------------------


def request_emergency_access(page: Page, mrn: str, reason: str) -> None:
    """As the signed-in therapist: Emergency access → MRN, reason, password → the patient's chart."""
    page.goto("/break-glass")
    page.get_by_label("Patient's MRN").fill(mrn)
    page.get_by_label("Why is this an emergency?").fill(reason)
    page.get_by_label("Re-enter your password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Request emergency access").click()
    expect(page.locator(".banner-glass")).to_contain_text("Emergency access (break the glass).")


def pending_grant(page: Page, reason: str) -> Locator:
    grant = page.locator("main article.card", has_text=reason)
    expect(grant).to_have_count(1)
    expect(grant.get_by_role("button", name="Mark reviewed")).to_be_visible()
    return grant


def test_an_empty_review_shows_its_message_only_on_the_grant_submitted(
    new_context: Callable[..., BrowserContext],
) -> None:
    tag = uuid.uuid4().hex[:6]
    first, second = (f"Covering for Riley's therapist, call {n} (ref {tag})" for n in (1, 2))
    therapist = new_context().new_page()
    sign_in(therapist, "therapist@demo.clinic")
    for reason in (first, second):
        request_emergency_access(therapist, "DC-1002", reason)

    page = new_context().new_page()
    sign_in(page, "supervisor@demo.clinic")
    page.goto("/oversight/break-glass")
    acted_on, other = pending_grant(page, first), pending_grant(page, second)
    with page.expect_navigation() as navigation:
        acted_on.get_by_role("button", name="Mark reviewed").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(acted_on.locator("p.error")).to_have_text("Record what you found (up to 500 characters).")
    expect(other.locator("p.error")).to_have_count(0, timeout=1_000)


def test_an_empty_review_marks_its_field_invalid_for_screen_readers(
    new_context: Callable[..., BrowserContext],
) -> None:
    reason = f"Riley's therapist unreachable, urgent call (ref {uuid.uuid4().hex[:6]})"
    therapist = new_context().new_page()
    sign_in(therapist, "therapist@demo.clinic")
    request_emergency_access(therapist, "DC-1002", reason)

    page = new_context().new_page()
    sign_in(page, "supervisor@demo.clinic")
    page.goto("/oversight/break-glass")
    grant = pending_grant(page, reason)
    with page.expect_navigation():
        grant.get_by_role("button", name="Mark reviewed").click()
    grant = page.locator("main article.card", has_text=reason)
    expect(grant.locator("p.error")).to_have_text("Record what you found (up to 500 characters).")
    field = grant.get_by_label("Review note")
    expect(field).to_have_attribute("aria-invalid", "true", timeout=1_000)
    expect(field).to_have_accessible_description("Record what you found (up to 500 characters).", timeout=1_000)
    expect_announced(page, field, "Record what you found (up to 500 characters).")
