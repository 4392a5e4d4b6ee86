"""An admin manages accounts in a real browser: create one, a supervisor approves it and hands over the link, its
owner chooses a password and signs in, disabling ends the session."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.checks import checkpoint, expect_announced, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out

pytestmark = pytest.mark.browser

GOOD_PASSWORD = "copper-meadow-lantern-fjord"


def create_account(page: Page, name: str, email: str, role: str = "therapist") -> int:
    """Fill the new-account form and submit it; returns the status of the page the server sends back."""
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(role)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create account").click()
    response = navigation.value
    assert response is not None
    return response.status


def approve(page: Page, name: str, password: str = DEMO_PASSWORD) -> str:
    """As a signed-in supervisor: approve `name`'s request on Approvals; returns the one-time link shown."""
    page.get_by_role("link", name=re.compile("^Approvals")).click()
    request = page.locator("section.card", has=page.get_by_role("heading", name=re.compile(re.escape(name))))
    request.get_by_label("Approve").check()
    request.get_by_label("Your password").fill(password)
    with page.expect_navigation():
        request.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    return page.get_by_label("Link").input_value()


def choose_password(page: Page, link: str, password: str) -> None:
    """As the new person: open the link and choose a password (lands on the sign-in page)."""
    page.goto(link)
    page.get_by_label("New password").fill(password)
    page.get_by_label("Type it again").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("status")).to_have_text("Your password is set. Sign in with it now.")


def test_admin_creates_a_therapist_who_signs_in_and_is_then_disabled(
    page: Page, new_context: Callable[..., BrowserContext], live_server: str
):
    name = "Avery Quinn"
    email = f"avery.{uuid.uuid4().hex[:8]}@demo.clinic"

    problems = watch(page)
    sign_in(page, "admin@demo.clinic")
    assert page.url == live_server + "/admin/users"
    checkpoint(page, problems, "accounts")
    page.get_by_role("link", name="New account").click()
    expect(page).to_have_url(live_server + "/admin/users/new")
    checkpoint(page, problems, "new-account")

    # A malformed email: the error is shown by its field and what was typed is kept.
    assert create_account(page, name, "avery-at-nowhere") == 400
    assert page.url == live_server + "/admin/users/new"
    field = page.get_by_label("Email")
    expect(page.locator("#e-email")).to_have_text(re.compile(r"^Enter an email address like"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\be-email\b"))
    expect_announced(page, field, "Enter an email address like name@example.org.")
    expect(page.get_by_label("Full name")).to_have_value(name)
    expect(field).to_have_value("avery-at-nowhere")
    expect(page.get_by_label("Role")).to_have_value("therapist")
    expect(page.locator("#e-name")).to_have_count(0)
    checkpoint(page, problems, "new-account-error")

    # A good email creates the account, which waits for a supervisor: the admin is given no link.
    assert create_account(page, name, email) == 200
    expect(page.get_by_role("status")).to_have_text(f"Account created for {email}.")
    expect(page.get_by_role("heading", name="Waiting for a supervisor")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("/enrol/")
    checkpoint(page, problems, "account-created")
    page.get_by_role("link", name="Open the account").click()
    account_url = page.url
    expect(page.locator("main")).to_contain_text("Waiting for a supervisor to approve this new account")
    page.get_by_role("link", name="All accounts").click()
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row).to_contain_text("therapist")
    sign_out(page)
    assert page.url == live_server + "/login"
    checkpoint(page, problems, "signed-out")

    # A supervisor approves it and is shown the one-time link to pass on.
    supervisor = new_context().new_page()
    supervisor_problems = watch(supervisor)
    sign_in(supervisor, "supervisor@demo.clinic")
    expect(supervisor.get_by_role("link", name=re.compile("^Approvals"))).to_contain_text("access requests waiting")
    link = approve(supervisor, name)
    assert link.startswith(live_server + "/enrol/")
    checkpoint(supervisor, supervisor_problems, "approved-with-link")

    # The new therapist opens the link in their own browser, chooses a password and signs in.
    therapist = new_context().new_page()
    therapist_problems = watch(therapist)
    choose_password(therapist, link, GOOD_PASSWORD)
    checkpoint(therapist, therapist_problems, "password-chosen")
    sign_in(therapist, email, GOOD_PASSWORD)
    assert therapist.url == live_server + "/caseload"
    expect(therapist.locator("header.site-header")).to_contain_text(name)
    expect(therapist.locator("header.site-header")).to_contain_text("Demo Clinic")
    checkpoint(therapist, therapist_problems, "empty-caseload")

    # The admin comes back and disables the account.
    sign_in(page, "admin@demo.clinic")
    page.goto(account_url)
    expect(page.locator("main")).to_contain_text("Latest one-time link: issued")
    expect(page.locator("main")).to_contain_text("used")
    with page.expect_navigation():
        page.get_by_role("button", name="Disable account").click()
    expect(page).to_have_url(account_url + "?done=disabled")
    expect(page.get_by_role("status")).to_contain_text("Account disabled")
    expect(page.get_by_role("button", name="Enable account")).to_be_visible()
    checkpoint(page, problems, "account-disabled")
    page.goto("/admin/users")
    expect(page.get_by_role("row", name=re.compile(re.escape(name)))).to_contain_text("Disabled")
    checkpoint(page, problems, "accounts-with-disabled")

    # The therapist's open session ended: their next click lands on the sign-in page.
    with therapist.expect_navigation():
        therapist.get_by_role("link", name="Password").click()
    assert therapist.url == live_server + "/login?next=/account/password"
    expect(therapist.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(therapist.get_by_text(name)).to_have_count(0)
    checkpoint(therapist, therapist_problems, "session-ended-login")

    # And the disabled account can't sign in again; the message is the generic one (no enumeration).
    sign_in(therapist, email, GOOD_PASSWORD)
    assert therapist.url == live_server + "/login"
    expect(therapist.get_by_role("alert")).to_have_text("That email or password is wrong.")
    checkpoint(therapist, therapist_problems, "disabled-login-refused")


def test_a_rejected_edit_keeps_the_accounts_name_as_the_page_heading(page: Page):
    sign_in(page, "admin@demo.clinic")
    page.get_by_role("link", name="Jordan Lee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Lee")
    page.get_by_label("Full name").fill("")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save changes").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(page.locator("#e-name")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("")  # what was typed is kept in the field...
    # ...but the page is still about Jordan (checked at once: the page has loaded, nothing changes it later).
    assert page.get_by_role("heading", level=1).inner_text() == "Jordan Lee"
    assert page.title().startswith("Jordan Lee")
