"""An admin manages accounts in a real browser: create one, its owner signs in, disabling ends the session."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.checks import checkpoint, expect_announced, watch
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

GOOD_PASSWORD = "copper-meadow-lantern-fjord"


def create_account(page: Page, name: str, email: str, password: str, role: str = "therapist") -> int:
    """Fill the new-account form and submit it; returns the status of the page the server sends back."""
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(role)
    page.get_by_label("Initial password").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create account").click()
    response = navigation.value
    assert response is not None
    return response.status


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

    # A too-short password: the error is shown by its field and what was typed is kept (except the password).
    assert create_account(page, name, email, "short-pw") == 400
    assert page.url == live_server + "/admin/users/new"
    password = page.get_by_label("Initial password")
    expect(page.locator("#e-password")).to_have_text(re.compile(r"^Use at least 12 characters\."))
    expect(page.locator("#e-password")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\be-password\b"))
    expect(password).to_have_value("")
    expect_announced(page, password, "Use at least 12 characters.")
    expect(page.get_by_label("Full name")).to_have_value(name)
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Role")).to_have_value("therapist")
    expect(page.locator("#e-name")).to_have_count(0)
    expect(page.locator("#e-email")).to_have_count(0)
    checkpoint(page, problems, "new-account-error")

    # A good password creates the account and shows it.
    assert create_account(page, name, email, GOOD_PASSWORD) == 200
    expect(page).to_have_url(re.compile(r"/admin/users/\d+\?done=created$"))
    account_url = page.url.split("?", 1)[0]
    expect(page.get_by_role("status")).to_have_text("Account created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text(email)
    checkpoint(page, problems, "account-created")
    page.get_by_role("link", name="All accounts").click()
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row).to_contain_text("therapist")
    expect(row).to_contain_text("Active")
    sign_out(page)
    assert page.url == live_server + "/login"
    checkpoint(page, problems, "signed-out")

    # The new therapist signs in, in their own browser.
    therapist = new_context().new_page()
    therapist_problems = watch(therapist)
    sign_in(therapist, email, GOOD_PASSWORD)
    assert therapist.url == live_server + "/caseload"
    expect(therapist.locator("header.site-header")).to_contain_text(name)
    expect(therapist.locator("header.site-header")).to_contain_text("Demo Clinic")
    checkpoint(therapist, therapist_problems, "empty-caseload")

    # The admin comes back and disables the account.
    sign_in(page, "admin@demo.clinic")
    page.goto(account_url)
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
