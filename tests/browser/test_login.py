"""Signing in and out in a real browser, for every role."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import DEMO_PASSWORD, ROLES, sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signs_in_lands_on_its_home_and_signs_out(page: Page, live_server: str, role: str):
    email, name, home = ROLES[role]
    problems = watch(page)
    sign_in(page, email)

    assert page.url == live_server + home
    header = page.locator("header.site-header")
    expect(header).to_contain_text(name)
    expect(header).to_contain_text(f"({role})")
    expect(header).to_contain_text("Demo Clinic")
    expect(page.locator("main#main h1")).to_be_visible()
    assert "Other Clinic" not in page.content()
    # The session cookie is the server's and invisible to scripts.
    cookie = next(c for c in page.context.cookies() if c["name"] == "afterglow")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    checkpoint(page, problems, "home")

    sign_out(page)
    assert page.url == live_server + "/login"
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # The browser's Back button must not show the signed-in page again (no-store + revoked session).
    page.go_back()
    expect(page).to_have_url(re.compile(r"/login\?next=" + re.escape(home) + "$"))
    expect(page.get_by_text(name)).to_have_count(0)

    # Nor does typing the home address: the old session is gone, so the server sends the sign-in page.
    page.goto(home)
    assert page.url == f"{live_server}/login?next={home}"
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    checkpoint(page, problems, "login-next")


def test_signing_in_from_a_bookmarked_page_returns_to_it(page: Page, live_server: str):
    page.goto("/admin/users/new")
    assert page.url == live_server + "/login?next=/admin/users/new"
    page.get_by_label("Email").fill("admin@demo.clinic")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == live_server + "/admin/users/new"
    expect(page.get_by_role("heading", name="New account")).to_be_visible()


def test_a_wrong_password_shows_the_message_by_the_form_and_keeps_the_email(page: Page, live_server: str):
    page.goto("/login")
    page.get_by_label("Email").fill("therapist2@demo.clinic")
    page.get_by_label("Password").fill("not-the-right-password")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    response = navigation.value
    assert response is not None and response.status == 400
    assert response.request.method == "POST"

    assert page.url == live_server + "/login"
    card = page.locator("section.card", has=page.locator("form[action='/login']"))
    alert = card.get_by_role("alert")
    expect(alert).to_have_text("That email or password is wrong.")
    expect(alert).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("therapist2@demo.clinic")
    expect(page.get_by_label("Password")).to_have_value("")
    assert not any(c["name"] == "afterglow" for c in page.context.cookies())

    # The form still works after the error: the right password signs in.
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == live_server + "/caseload"
    expect(page.locator("header.site-header")).to_contain_text("Jordan Lee")
