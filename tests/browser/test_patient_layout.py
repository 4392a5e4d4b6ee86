"""The patient's pages as a phone (390 px) and a laptop (1280 px) show them: a compact header and a bottom tab bar on
the phone, Hebrew entries right-aligned, search results highlighted and in view, mood charted and nothing clipped on
the progress page, the sign-out warning with a working "Stay signed in", and the whole journal printed to PDF.

Every page passes checkpoint() (axe 0 violations at 1280 and 360 px, no console errors, no sideways scroll)."""

from __future__ import annotations

import io
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import ACTION_TIMEOUT_MS, serving, sign_in, submit
from tests.browser.journal_notes_helpers import editor_ready, expect_autosaved

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
PATIENT = "patient@demo.clinic"
TABS = ["Journal", "Write", "Progress", "Me"]
HEBREW = "היום הרגשתי שקט. ישבתי ליד החלון ושתיתי תה."
TEXT_RIGHT_EDGE = """e => { const r = document.createRange(); r.selectNodeContents(e);
                           return r.getBoundingClientRect().right; }"""


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def test_on_a_phone_the_header_is_compact_and_the_tabs_sit_along_the_bottom(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(viewport=PHONE).new_page()
    problems = watch(page)
    sign_in(page, PATIENT)
    header = box(page, "header.site-header")
    assert header["height"] < 64, f"the header takes {header['height']} of 844 px"
    tabs = page.get_by_role("navigation", name="Main")
    expect(tabs.get_by_role("link")).to_have_text(TABS)
    bar = box(page, "nav.main-nav")
    assert bar["y"] + bar["height"] == PHONE["height"] and bar["width"] == PHONE["width"], bar
    expect(tabs.get_by_role("link", name="Journal")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # on the Me tab instead
    checkpoint(page, problems, "journal-phone")

    tabs.get_by_role("link", name="Me", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Me")
    expect(page.get_by_role("link", name="Change your password")).to_be_visible()
    expect(page.get_by_role("link", name="Download your journal (Markdown)")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    checkpoint(page, problems, "me-phone")

    tabs.get_by_role("link", name="Write", exact=True).click()
    expect(page).to_have_url(re.compile(r"/journal/new$"))
    editor = box(page, "#f-body")
    assert editor["width"] >= 340, editor  # the reading column uses the phone's width
    checkpoint(page, problems, "write-phone")


def test_on_a_laptop_the_same_four_links_sit_in_the_header(page: Page) -> None:
    problems = watch(page)
    page.set_viewport_size(LAPTOP)
    sign_in(page, PATIENT)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(TABS)
    assert box(page, "header.site-header")["height"] < 80
    assert box(page, "nav.main-nav")["y"] < 40  # in the header, not along the bottom
    checkpoint(page, problems, "journal-laptop")


def test_a_hebrew_entry_reads_right_to_left_everywhere(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(viewport=PHONE).new_page()
    problems = watch(page)
    sign_in(page, PATIENT)
    page.goto("/journal/new?kind=free")
    editor_ready(page)
    page.get_by_label("Your entry").fill(HEBREW)
    assert page.evaluate("document.getElementById('f-body').matches(':dir(rtl)')")
    expect_autosaved(page)
    assert submit(page.get_by_role("button", name="Save")) == 200
    expect(page).to_have_url(re.compile(r"/journal/\d+$"))
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("היום הרגשתי שקט.")  # the first sentence of the first line
    prose = page.locator("article.entry .prose p").first
    for element in (title, prose):
        assert element.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # The line of text ends at the right edge of its column (right-aligned), not at the left.
    right = prose.evaluate(TEXT_RIGHT_EDGE)
    column = box(page, "article.entry .prose")
    assert abs(right - (column["x"] + column["width"])) < 2, (right, column)
    checkpoint(page, problems, "hebrew-entry")

    page.get_by_role("link", name="← Your journal").click()
    listed = page.locator("#entries .entry-title a").first
    expect(listed).to_have_text("היום הרגשתי שקט.")
    assert listed.evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_search_results_are_highlighted_and_in_view(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(viewport=PHONE).new_page()
    problems = watch(page)
    sign_in(page, PATIENT)
    search = page.get_by_role("searchbox", name="Search your entries")
    assert box(page, "#f-q")["height"] >= 44  # a full-size box, not 20 px
    search.fill("door")
    with page.expect_navigation():
        search.press("Enter")
    expect(page).to_have_url(re.compile(r"/journal\?q=door#entries-title$"))
    match = page.locator("#entries mark").first
    expect(match).to_have_text("door")
    expect(match).to_be_in_viewport()
    checkpoint(page, problems, "search-results")


def test_progress_charts_mood_and_nothing_is_clipped_on_a_phone(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(viewport=PHONE).new_page()
    problems = watch(page)
    sign_in(page, PATIENT)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    # The server is shared with other journeys, which add scores and moods: the demo's are there at least.
    expect(page.locator(".summary-line").first).to_have_text(
        re.compile(r"^Your PHQ-9 went from 19 to \d+ — (about|less than) [a-z -]+ of where you started\.$")
    )
    mood = page.get_by_role("img", name="Mood, anxiety and sleep from your journal, 0 to 10")
    expect(mood).to_be_visible()
    assert mood.locator("circle.dot.mood").count() >= 3
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter((e) => {
             const r = e.getBoundingClientRect();
             return r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5);
           }).map((e) => e.tagName + '.' + e.className)"""
    )
    assert clipped == []
    assert page.locator(".score-card").count() >= 12  # the table became cards
    checkpoint(page, problems, "progress-phone")


@dataclass(frozen=True)
class IdleServer:
    url: str
    db: Path


IDLE_SECONDS = 20  # the warning shows 10 s before (half the idle limit, when that is under two minutes)


@pytest.fixture(scope="module")
def idle_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdleServer]:
    tmp = tmp_path_factory.mktemp("idle-warning-server")
    with serving(tmp, SESSION_IDLE_SECONDS=str(IDLE_SECONDS)) as base_url:
        yield IdleServer(base_url, tmp / "browser.sqlite3")


def last_seen(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute('SELECT last_seen_at FROM "session" ORDER BY id DESC LIMIT 1').fetchone()[0]


def test_a_warning_comes_before_the_idle_sign_out_and_stay_signed_in_keeps_the_session(
    browser: Browser, idle_server: IdleServer
) -> None:
    context = browser.new_context(base_url=idle_server.url, viewport=PHONE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        problems = watch(page)
        sign_in(page, PATIENT)
        signed_in = time.monotonic()
        warning = page.get_by_role("region", name="Still there?")
        expect(warning).to_be_hidden()
        expect(warning).to_be_visible(timeout=(IDLE_SECONDS - 10 + 3) * 1000)
        assert time.monotonic() - signed_in >= IDLE_SECONDS - 10 - 1  # not before its time
        expect(warning).to_contain_text("you'll be signed out at")
        assert page.evaluate("document.activeElement === document.body")  # it takes no one's focus
        checkpoint(page, problems, "idle-warning")

        seen = last_seen(idle_server.db)
        warning.get_by_role("button", name="Stay signed in").click()
        expect(warning).to_be_hidden()
        assert last_seen(idle_server.db) > seen  # the server counted it
        page.wait_for_timeout(int((IDLE_SECONDS - (time.monotonic() - signed_in) + 2) * 1000))
        page.reload()  # past the first deadline: still signed in
        expect(page).to_have_url(idle_server.url + "/journal")

        # Left alone this time: the warning, then the sign-out, then the sign-in page keeps the email.
        expect(warning).to_contain_text("You were signed out", timeout=(IDLE_SECONDS + 3) * 1000)
        warning.get_by_role("link", name="Sign in again").click()
        expect(page).to_have_url(re.compile(r"/login\?next=/journal&expired=1$"))
        expect(page.get_by_label("Email")).to_have_value(PATIENT)
        expect(page.locator(".words-safe")).to_contain_text("Your words are safe")
        checkpoint(page, problems, "signed-out-keeps-email")
    finally:
        context.close()


def test_the_whole_journal_prints_to_pdf_without_navigation_or_buttons(page: Page) -> None:
    problems = watch(page)
    sign_in(page, PATIENT)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me").click()
    page.get_by_role("link", name="Read or print your whole journal").click()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    checkpoint(page, problems, "print-page")
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) >= 1
    flat = " ".join(text.split())
    for words in (
        "Journal of Casey Morgan",
        "I keep seeing the same door",
        "Heavy arms, then very light.",
        "Private: I am not ready to talk about the lake yet.",
        "Questionnaire scores",
    ):
        assert words in flat, words
    for chrome in ("Sign out", "Print or save as PDF", "Skip to main content", "Progress"):
        assert chrome not in flat, chrome
