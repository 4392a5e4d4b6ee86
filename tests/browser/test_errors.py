"""Error pages in a real browser: calm, no existence leaks, and the header still works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in, user_id

pytestmark = pytest.mark.browser


def test_a_therapist_opening_an_admin_page_gets_a_calm_403(page: Page):
    sign_in(page, "therapist@demo.clinic")
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do that here")
    expect(page.locator("main")).to_contain_text(re.compile(r"Error 403 · reference [0-9a-f]{16}"))
    expect(page.locator("main")).not_to_contain_text("Dana Whitfield")  # no account list leaks
    expect(page.locator("header.site-header")).to_contain_text("Sam Okafor")
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(re.compile(r"/caseload$"))


def test_an_admin_cannot_tell_another_clinics_account_from_a_missing_one(page: Page, server_dir: Path):
    stranger = user_id(server_dir, "therapist@other.clinic")
    sign_in(page, "admin@demo.clinic")
    seen = []
    for target in (stranger, 987_654):
        response = page.goto(f"/admin/users/{target}")
        assert response is not None and response.status == 404
        seen.append(re.sub(r"[0-9a-f]{16}", "<id>", page.locator("main").inner_text()))
    assert seen[0] == seen[1]
    assert "Taylor Brooks" not in page.content() and "other.clinic" not in page.content()


def test_sign_out_works_from_an_error_page(page: Page, live_server: str):
    sign_in(page, "therapist@demo.clinic")
    page.goto("/admin/users")  # 403, with the signed-in header and its Sign out button
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign out").click()
    assert navigation.value is not None and navigation.value.status == 200
    assert page.url == live_server + "/login"
