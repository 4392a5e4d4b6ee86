"""The journal's history in a real browser, at a phone's 390 px and a laptop's 1280 px: one entry edited in two tabs
keeps both texts (the other in a conflict copy, linked both ways); an older version restored; delete and undo; a
10-second check-in.

Riley (patient2@demo.clinic) writes here, so Casey's journal stays as the other journeys expect it. Every page is a
checkpoint (tests/browser/checks.py): no console errors, axe clean, no sideways scrolling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from tests.browser.checks import Problems, checkpoint, watch
from tests.browser.conftest import sign_in, submit
from tests.browser.journal_notes_helpers import (
    AUTOSAVE_MS,
    autosave_carrying,
    editor_ready,
    entry_id_from,
    save_status,
    start_free_entry,
)

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]
RILEY = "patient2@demo.clinic"


def _riley(new_context: Callable[..., BrowserContext], width: int) -> tuple[BrowserContext, Page, Problems]:
    context = new_context(viewport={"width": width, "height": 844 if width < 600 else 800})
    page = context.new_page()
    problems = watch(page)
    sign_in(page, RILEY)
    return context, page, problems


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _type_and_wait(page: Page, text: str) -> Response:
    """Fill the entry's text box and wait for the autosave carrying `text` to be answered."""

    def carries(response: Response) -> bool:
        sent = parse_qsl(response.request.post_data or "") if response.request.method == "POST" else []
        return any(text in value for _, value in sent)

    with page.expect_response(carries, timeout=AUTOSAVE_MS) as answer:
        page.get_by_label("Your entry", exact=True).fill(text)
    assert answer.value.status == 200, answer.value.status
    expect(save_status(page)).to_contain_text("Saved")
    return answer.value


def _new_entry(page: Page, words: str) -> int:
    start_free_entry(page)
    with autosave_carrying(page, words):
        page.get_by_label("Your entry", exact=True).fill(words)
    return entry_id_from(page.url)


@pytest.mark.parametrize("width", WIDTHS)
def test_one_entry_edited_in_two_tabs_keeps_both_texts(new_context: Callable[..., BrowserContext], width: int) -> None:
    context, tab_a, problems = _riley(new_context, width)
    entry = _new_entry(tab_a, f"Started at {width} px.")
    tab_b = context.new_page()
    problems_b = watch(tab_b)
    tab_b.goto(f"/journal/{entry}/edit")
    editor_ready(tab_b)

    words_a, words_b = f"Tab A at {width}: the walk home.", f"Tab B at {width}: the long call with my sister."
    _type_and_wait(tab_a, words_a)
    _type_and_wait(tab_b, words_b)  # B started from the version before A's save: both are kept
    expect(save_status(tab_b)).to_contain_text("Both texts are kept")
    expect(tab_b.get_by_text("somewhere safe")).to_have_count(0)
    checkpoint(tab_b, problems_b, "later-tab-saved")

    more = words_a + " And the rain."
    _type_and_wait(tab_a, more)  # tab A writes on, into the conflict copy that holds its words
    expect(save_status(tab_a)).to_contain_text("kept in a conflict copy")
    expect(tab_a).to_have_url(re.compile(r"/journal/\d+/edit$"))
    copy = entry_id_from(tab_a.url)
    assert copy != entry
    _no_sideways_scroll(tab_a)
    checkpoint(tab_a, problems, "moved-tab-saved")

    tab_b.goto(f"/journal/{entry}")
    expect(tab_b.locator("article.entry")).to_contain_text(words_b)
    expect(tab_b.get_by_text("both texts were kept")).to_be_visible()
    checkpoint(tab_b, problems_b, "entry-with-its-copy")
    tab_b.get_by_role("link", name=re.compile("^a conflict copy")).click()
    expect(tab_b).to_have_url(re.compile(rf"/journal/{copy}$"))
    expect(tab_b.locator("article.entry")).to_contain_text(more)
    expect(tab_b.get_by_text("This is a conflict copy")).to_be_visible()
    checkpoint(tab_b, problems_b, "conflict-copy")
    tab_b.get_by_role("link", name="this entry", exact=True).click()
    expect(tab_b).to_have_url(re.compile(rf"/journal/{entry}$"))


@pytest.mark.parametrize("width", WIDTHS)
def test_an_older_version_is_restored_as_a_new_version(new_context: Callable[..., BrowserContext], width: int) -> None:
    _context, page, problems = _riley(new_context, width)
    first, second = f"First thoughts at {width} px.", f"Second thoughts at {width} px."
    entry = _new_entry(page, first)
    page.goto(f"/journal/{entry}/edit")  # another sitting: a second version
    editor_ready(page)
    _type_and_wait(page, second)
    page.goto(f"/journal/{entry}")
    page.get_by_role("link", name="Version history (2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version history")
    checkpoint(page, problems, "history")
    page.get_by_role("link", name="See version 1 · restore it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 1")
    checkpoint(page, problems, "version-1")
    assert submit(page.get_by_role("button", name="Restore this version")) == 200
    expect(page).to_have_url(re.compile(rf"/journal/{entry}\?restored=1$"))
    expect(page.locator("article.entry")).to_contain_text(first)
    expect(page.get_by_role("link", name="Version history (3)")).to_be_visible()
    checkpoint(page, problems, "restored")
    page.get_by_role("link", name="Version history (3)").click()
    page.get_by_role("link", name="What changed in version 3").click()
    diff = page.locator(".diff").first
    expect(diff.locator("del")).to_contain_text("Second")
    expect(diff.locator("ins")).to_contain_text("First")
    checkpoint(page, problems, "what-changed")


@pytest.mark.parametrize("width", WIDTHS)
def test_delete_then_undo_and_put_back_from_recently_deleted(
    new_context: Callable[..., BrowserContext], width: int
) -> None:
    _context, page, problems = _riley(new_context, width)
    words = f"An entry to delete at {width} px."
    entry = _new_entry(page, words)
    page.goto(f"/journal/{entry}")
    assert submit(page.get_by_role("button", name="Delete this entry")) == 200
    expect(page).to_have_url(re.compile(rf"/journal\?deleted={entry}$"))
    undo = page.locator(".undo-note")
    expect(undo).to_contain_text("Entry moved to Recently deleted")
    expect(page.locator(f'a[href="/journal/{entry}"]')).to_have_count(0)
    _no_sideways_scroll(page)
    checkpoint(page, problems, "deleted-with-undo")
    assert submit(undo.get_by_role("button", name="Undo")) == 200
    expect(page).to_have_url(re.compile(rf"/journal/{entry}$"))
    expect(page.locator("article.entry")).to_contain_text(words)
    checkpoint(page, problems, "undone")

    assert submit(page.get_by_role("button", name="Delete this entry")) == 200
    page.get_by_role("link", name="Recently deleted", exact=True).first.click()
    card = page.locator("article.deleted-entry", has_text=words)
    expect(card).to_contain_text("removed for good on")
    checkpoint(page, problems, "recently-deleted")
    assert submit(card.get_by_role("button", name="Put back")) == 200
    expect(page.locator("article.entry")).to_contain_text(words)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_ten_second_check_in(new_context: Callable[..., BrowserContext], width: int) -> None:
    _context, page, problems = _riley(new_context, width)
    page.goto("/journal")
    page.get_by_role("link", name="Check in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    editor_ready(page)
    expect(page.get_by_text("(from 1 awful to 5 great)")).to_be_visible()
    expect(page.get_by_text("0 very low · 10 very good")).to_be_visible()
    _no_sideways_scroll(page)
    checkpoint(page, problems, "check-in")
    page.get_by_text("4 · Good", exact=True).click()
    page.get_by_text("A walk", exact=True).click()
    page.get_by_text("Hopeful", exact=True).click()
    page.get_by_label(re.compile("^Hours slept last night")).fill("7.5")
    expect(page.get_by_label("4 · Good")).to_be_checked()
    assert submit(page.get_by_role("button", name="Save", exact=True)) == 200
    expect(page).to_have_url(re.compile(r"/journal/\d+$"))
    article = page.locator("article.entry")
    for part in ("Mood: Good (4 of 5)", "Slept 7.5 h", "A walk", "Hopeful"):
        expect(article).to_contain_text(part)
    checkpoint(page, problems, "check-in-saved")
    entry = entry_id_from(page.url)
    page.goto("/journal")
    expect(page.locator(".entry-row", has=page.locator(f'a[href="/journal/{entry}"]'))).to_contain_text("Good")
    checkpoint(page, problems, "timeline")
