"""Pages outside the room journeys are clean in a real browser: the sign-in page, the admin pages, the password page
and an error page, each with and without a form error; and narrow screens do not scroll sideways.

Each role's home page is a checkpoint of the sign-in journey in test_login.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.checks import checkpoint, expect_announced, watch
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_login_page_is_clean_and_accessible_with_and_without_an_error(page: Page):
    problems = watch(page)
    page.goto("/login")
    checkpoint(page, problems, "login")
    # The error state too (it renders an alert and aria attributes).
    page.get_by_label("Email").fill("nobody@demo.clinic")
    page.get_by_label("Password").fill("wrong-password-here")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    checkpoint(page, problems, "login-error")


def test_the_admin_pages_are_clean_and_accessible_with_and_without_errors(page: Page):
    problems = watch(page)
    sign_in(page, "admin@demo.clinic")
    checkpoint(page, problems, "accounts")
    page.get_by_role("link", name="Sam Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor")
    checkpoint(page, problems, "account")
    # With a field error shown (an emptied name).
    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#e-name")).to_be_visible()
    checkpoint(page, problems, "account-error")
    page.goto("/admin/users/new")
    checkpoint(page, problems, "new-account")
    page.get_by_role("button", name="Create account").click()  # every field missing: a 400 with errors
    expect(page.locator("#e-email")).to_be_visible()
    checkpoint(page, problems, "new-account-errors")


def test_the_supervisors_approvals_page_is_clean_and_accessible(page: Page):
    problems = watch(page)
    sign_in(page, "supervisor@demo.clinic")
    page.get_by_role("link", name=re.compile("^Approvals")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access waiting for approval")
    checkpoint(page, problems, "approvals")


def test_the_password_page_and_an_error_page_are_clean_and_accessible(page: Page):
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    page.get_by_role("link", name="Me", exact=True).click()  # a patient's account links live on Me
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    checkpoint(page, problems, "password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#e-current_password")).to_be_visible()
    message = page.locator("#e-current_password").inner_text()
    expect_announced(page, page.get_by_label("Current password"), message)
    checkpoint(page, problems, "password-errors")
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    checkpoint(page, problems, "forbidden")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide at a 360 px viewport"
    expect(page.locator("main#main h1")).to_be_in_viewport()


def test_a_narrow_screen_login_page_fits_and_shows_sign_in(new_context: Callable[..., BrowserContext]):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto("/login")
    no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_in_viewport()


def test_a_narrow_screen_therapist_home_fits(new_context: Callable[..., BrowserContext]):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, "therapist@demo.clinic")
    assert page.url.endswith("/caseload")
    no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new"])
def test_a_narrow_screen_admin_page_fits(new_context: Callable[..., BrowserContext], path: str):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, "admin@demo.clinic")
    page.goto(path)
    no_sideways_scroll(page)  # the accounts table scrolls inside its own box, not the page
