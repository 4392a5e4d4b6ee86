"""Keyboard use: the skip link comes first and takes focus to the page's main content."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim().slice(0, 40)}; }"
    )


@pytest.mark.parametrize("signed_in", [False, True], ids=["login", "therapist-home"])
def test_the_first_tab_focuses_the_skip_link_and_it_moves_focus_to_main(page: Page, signed_in: bool):
    if signed_in:
        sign_in(page, "therapist@demo.clinic")
        page.goto("/caseload")  # a fresh load, so focus starts at the top of the document
    else:
        page.goto("/login")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # hidden off-screen until it is focused

    page.keyboard.press("Tab")
    assert focused(page) == {"tag": "a", "id": "", "text": "Skip to main content"}
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # a sighted keyboard user sees where focus is

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")

    # The next Tab continues after the skip target, never back into the header's links.
    page.keyboard.press("Tab")
    assert not page.evaluate("document.querySelector('header').contains(document.activeElement)")
    if not signed_in:
        expect(page.get_by_label("Email")).to_be_focused()
