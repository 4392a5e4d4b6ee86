"""Everything works with JavaScript turned off: the forms are plain HTML forms (htmx only enhances)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out

pytestmark = pytest.mark.browser

PASSWORD = "granite-orchard-whistle-9"


def test_sign_in_and_account_creation_work_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: str
):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/login")
    # Scripts really are off: htmx never ran, so its config meta was never read.
    assert page.evaluate("typeof window.htmx") == "undefined"

    # A wrong password first: the plain form round-trips with the message and the email kept.
    sign_in(page, "admin@demo.clinic", "definitely-not-it-1")
    expect(page.get_by_role("alert")).to_have_text("That email or password is wrong.")
    expect(page.get_by_label("Email")).to_have_value("admin@demo.clinic")

    sign_in(page, "admin@demo.clinic", DEMO_PASSWORD)
    assert page.url == live_server + "/admin/users"
    expect(page.locator("header.site-header")).to_contain_text("Dana Whitfield")

    name, email = "Morgan Ellis", f"morgan.{uuid.uuid4().hex[:8]}@demo.clinic"
    page.get_by_role("link", name="New account").click()
    expect(page).to_have_url(live_server + "/admin/users/new")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option("therapist")
    page.get_by_label(re.compile("^Trainee therapist")).check()
    page.get_by_label("Initial password").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create account").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(re.compile(r"/admin/users/\d+\?done=created$"))
    expect(page.get_by_role("status")).to_have_text("Account created.")
    expect(page.get_by_label(re.compile("^Trainee therapist"))).to_be_checked()

    page.get_by_role("link", name="All accounts").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(name)))).to_contain_text("therapist (trainee)")

    sign_out(page)
    assert page.url == live_server + "/login"
    page.goto("/admin/users")
    assert page.url == live_server + "/login?next=/admin/users"

    # The new account works, still without JavaScript.
    sign_in(page, email, PASSWORD)
    assert page.url == live_server + "/caseload"
    expect(page.locator("header.site-header")).to_contain_text(name)
