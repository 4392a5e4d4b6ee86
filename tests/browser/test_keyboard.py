"""Keyboard use: the skip link comes first and takes focus to the page's main content, and a patient can do the whole
journal loop — sign in, PHQ-9, write, save, share, sign out — with the keyboard alone, seeing where focus is at every
step (a focus ring of at least 2 px with 3:1 contrast against what surrounds it, WCAG 1.4.11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.browser

PATIENT_NAV = ["Journal", "Write", "Progress", "Me"]  # password and who saw my record: on Me
PATIENT_HEADER = ["Skip to main content", "Afterglow", *PATIENT_NAV, "Sign out"]

# The focused element: its tag, id, form field name and accessible-ish name (label, aria-label or text).
FOCUSED = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].textContent : "";
  const name = e.getAttribute("aria-label") || label || e.textContent || "";
  return {tag: e.tagName.toLowerCase(), id: e.id, field: e.getAttribute("name") || "",
          name: name.trim().replace(/\\s+/g, " ").slice(0, 60)};
}"""

# How the focused element shows focus: its outline, and the outline's contrast with the first opaque background
# behind it (the ring is drawn outside the element, over its surroundings).
FOCUS_RING = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const rgba = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92
    : ((v + 0.055) / 1.055) ** 2.4; }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = [255, 255, 255];
  for (let p = e.parentElement; p; p = p.parentElement) {
    const c = rgba(getComputedStyle(p).backgroundColor);
    if (c.length === 3 || c[3] > 0) { behind = c; break; }
  }
  const [hi, lo] = [lum(rgba(s.outlineColor)), lum(behind)].sort((a, b) => b - a);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), contrast: (hi + 0.05) / (lo + 0.05),
          css: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} over rgb(${behind.slice(0, 3)})`};
}"""


def focused(page: Page) -> dict[str, str]:
    return page.evaluate(FOCUSED)


def expect_visible_focus(page: Page) -> None:
    ring = page.evaluate(FOCUS_RING)
    where = f"{focused(page)} on {page.url}: {ring['css']}"
    assert ring["style"] != "none" and ring["width"] >= 2, f"no focus ring: {where}"
    assert ring["contrast"] >= 3, f"focus ring contrast {ring['contrast']:.2f}:1 is under 3:1: {where}"


def tab_to(page: Page, name: str, *, key: str = "Tab", limit: int = 40) -> list[str]:
    """Press `key` until the control named `name` has focus; returns the names of the controls passed on the way
    (ending with `name`). Every control that takes focus on the way must show it."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        passed.append(focused(page)["name"])
        expect_visible_focus(page)
        if passed[-1] == name:
            return passed
    raise AssertionError(f"{name!r} not reached with {key} in {limit} presses: {passed}")


def press_enter_and_wait(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


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
    assert focused(page) == {"tag": "a", "id": "", "field": "", "name": "Skip to main content"}
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # a sighted keyboard user sees where focus is
    expect_visible_focus(page)

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")

    # The next Tab continues after the skip target, never back into the header's links.
    page.keyboard.press("Tab")
    assert not page.evaluate("document.querySelector('header').contains(document.activeElement)")
    if not signed_in:
        expect(page.get_by_label("Email")).to_be_focused()


def test_a_patient_answers_phq9_writes_saves_and_shares_an_entry_and_signs_out_with_the_keyboard_alone(
    page: Page, live_server: str
) -> None:
    words = "The room felt warm; I kept thinking about the open door."
    problems = watch(page)

    # Sign in: the skip link, the brand, then the form's fields in reading order; Enter submits.
    page.goto("/login")
    assert tab_to(page, "Email") == ["Skip to main content", "Afterglow", "Email"]
    page.keyboard.type("patient@demo.clinic")
    assert tab_to(page, "Password") == ["Password"]
    page.keyboard.type(DEMO_PASSWORD)
    assert tab_to(page, "Sign in") == ["Sign in"]
    press_enter_and_wait(page)
    expect(page).to_have_url(live_server + "/journal")
    checkpoint(page, problems, "journal-home")

    # The skip link passes the header; the first stops in main are the page's own actions, in the order shown.
    assert tab_to(page, "Skip to main content") == ["Skip to main content"]
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    on_the_way = tab_to(page, "Answer PHQ-9 (mood)")
    assert on_the_way[:3] == ["Write about session 5", "Check in", "Free entry"], on_the_way
    assert not set(on_the_way) & set(PATIENT_HEADER), on_the_way
    press_enter_and_wait(page)
    expect(page).to_have_url(live_server + "/measures/phq9/new")
    checkpoint(page, problems, "phq9")

    # PHQ-9: each Tab enters the next question's group of answers; Space chooses the focused answer and the
    # arrow key the next one along. Then Tab reaches Submit.
    assert tab_to(page, "Skip to main content") == ["Skip to main content"]
    page.keyboard.press("Enter")
    for number in range(1, 10):
        page.keyboard.press("Tab")
        expect_visible_focus(page)
        assert focused(page) | {"id": ""} == {"tag": "input", "id": "", "field": f"q{number}", "name": "Not at all"}
        page.keyboard.press("ArrowRight" if number <= 3 else "Space")
    assert tab_to(page, "Submit") == ["Submit"]
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/measures/\d+$"))
    expect(page.locator("p.score")).to_have_text("Score 3 — minimal.")
    checkpoint(page, problems, "phq9-result")

    # Back to the journal by the header's link, then "Write about session 5": header links come first, in order.
    assert tab_to(page, "Journal") == PATIENT_HEADER[:3]
    press_enter_and_wait(page)
    assert tab_to(page, "Write about session 5") == [*PATIENT_HEADER, "Write about session 5"]
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/journal/new\?infusion=\d+$"))
    page.wait_for_load_state("load")  # the editor's scripts are deferred: typing before they run saves nothing
    checkpoint(page, problems, "new-entry")

    # The editor: back link, title, then the questions in order. Type, then Tab on to Save and press Enter.
    on_the_way = tab_to(page, "What stood out from the session?")
    assert on_the_way[-3:] == ["← Your journal", "Title (optional)", "What stood out from the session?"], on_the_way
    page.keyboard.type(words)
    on_the_way = tab_to(page, "Save")
    assert on_the_way[-3:] == ["Sleep", "Share this entry with my care team", "Save"], on_the_way
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/journal/\d+$"))
    expect(page.locator("article.entry")).to_contain_text(words)
    # One version: the autosave when focus left the text box. Save then sent the same words, which make no new
    # version (nor does tabbing past untouched fields).
    expect(page.get_by_role("link", name=re.compile("^Version history"))).to_have_text("Version history (1)")
    expect(page.locator("#share-control")).to_contain_text("Private: only you can see this entry.")
    checkpoint(page, problems, "entry-saved")

    # Share it: Enter on the button; focus stays on the control that replaced it, so the next key press works.
    on_the_way = tab_to(page, "Share with my care team")
    assert on_the_way[-3:] == ["Edit", "Version history (1)", "Share with my care team"], on_the_way
    page.keyboard.press("Enter")
    expect(page.locator("#share-control")).to_contain_text("Shared with your care team since")
    expect(page.get_by_role("button", name="Stop sharing")).to_be_focused()
    expect_visible_focus(page)
    checkpoint(page, problems, "entry-shared")

    # Sign out, going back up the page with Shift+Tab.
    on_the_way = tab_to(page, "Sign out", key="Shift+Tab")
    assert on_the_way[:3] == ["Version history (1)", "Edit", "← Your journal"], on_the_way
    press_enter_and_wait(page)
    expect(page).to_have_url(live_server + "/login")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    checkpoint(page, problems, "signed-out")
