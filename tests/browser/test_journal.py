"""The journal in a real browser: autosave (also through a network outage), sharing with the care team, and the
crisis box. The therapist's integration notes: test_journal_notes.py (named to run right after this file: the
browser tests share one live server).

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from tests.browser.checks import assert_clean, checkpoint, watch
from tests.browser.conftest import sign_in, sign_out
from tests.browser.journal_notes_helpers import (
    AUTOSAVE_MS,
    SAVED,
    autosave_carrying,
    editor_ready,
    entry_id_from,
    expect_autosaved,
    expect_not_found,
    open_casey_infusion,
    save_status,
    section,
    start_free_entry,
)

pytestmark = pytest.mark.browser

# --- 1. patient: autosave, reload, share; the therapist reads it; nobody else can ---------------------------


def test_a_journal_entry_autosaves_survives_a_reload_and_once_shared_reaches_the_therapist_only(
    new_context: Callable[..., BrowserContext], live_server: str
) -> None:
    words = "The drumming at the end, and the light on the ceiling like water."
    page = new_context().new_page()
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    expect(page).to_have_url(live_server + "/journal")
    checkpoint(page, problems, "journal-home")

    page.get_by_role("link", name="Write about session 5").click()
    expect(page).to_have_url(re.compile(r"/journal/new\?infusion=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("After session 5")
    expect(page.get_by_label("Share this entry with my care team")).not_to_be_checked()
    editor_ready(page)
    checkpoint(page, problems, "new-entry")

    page.get_by_label("What stood out from the session?").fill(words)
    expect_autosaved(page)  # without pressing Save
    expect(page).to_have_url(re.compile(r"/journal/\d+/edit$"))
    entry = entry_id_from(page.url)
    checkpoint(page, problems, "autosaved")

    page.reload()
    expect(page).to_have_url(f"{live_server}/journal/{entry}/edit")
    expect(page.get_by_label("What stood out from the session?")).to_have_value(words)
    expect(save_status(page)).to_have_text("All changes saved")
    checkpoint(page, problems, "reloaded-editor")

    page.get_by_role("link", name="← Your journal").click()
    expect(page).to_have_url(live_server + "/journal")
    page.locator("#entries").get_by_role("link", name=words, exact=True).and_(  # titled by its first line
        page.locator(f'a[href="/journal/{entry}"]')
    ).click()
    expect(page).to_have_url(f"{live_server}/journal/{entry}")
    expect(page.locator("article.entry")).to_contain_text(words)
    sharing = page.locator("#share-control")
    expect(sharing).to_contain_text("Private: only you can see this entry.")
    checkpoint(page, problems, "entry")
    sharing.get_by_role("button", name="Share with my care team").click()
    expect(sharing).to_contain_text("Shared with your care team since")
    expect(sharing.get_by_role("button", name="Stop sharing")).to_be_visible()
    checkpoint(page, problems, "shared")
    sign_out(page)

    # Her therapist reads it on the infusion page of session 5.
    sign_in(page, "therapist@demo.clinic")
    open_casey_infusion(page, 5, problems)
    shared = section(page, "Journal entries shared about this session")
    expect(shared).to_contain_text("What stood out from the session?")
    expect(shared).to_contain_text(words)
    checkpoint(page, problems, "infusion-with-shared-entry")
    # The entry's own address is the patient's alone.
    expect_not_found(page, f"/journal/{entry}")
    expect(page.locator("main")).not_to_contain_text(words)
    checkpoint(page, problems, "not-found")

    # Another therapist of the clinic (not on her care team) and a therapist of another clinic: the same 404 as an
    # entry that does not exist, with nothing of the entry in it.
    for email in ("therapist2@demo.clinic", "therapist@other.clinic"):
        other = new_context().new_page()
        other_problems = watch(other)
        sign_in(other, email)
        seen = {expect_not_found(other, f"/journal/{entry}"), expect_not_found(other, "/journal/987654")}
        assert len(seen) == 1, f"{email}: an existing entry must look exactly like a missing one"
        expect(other.locator("main")).not_to_contain_text(words)
        assert words not in other.content()
        assert_clean(other, other_problems)


# --- 2. crisis language -------------------------------------------------------------------------------------


def test_crisis_language_shows_the_crisis_box_after_autosave_and_is_still_saved(page: Page, live_server: str) -> None:
    words = "Some nights I want to die"
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    body = start_free_entry(page)
    crisis = page.locator("#crisis-slot section.crisis")
    expect(crisis).to_have_count(0)
    checkpoint(page, problems, "free-entry")

    box = body.bounding_box()
    body.fill(words)
    # The save is acknowledged, and the status line (a polite live region) says that support is below: the panel
    # opens under the editor, so the text box has not moved.
    expect(save_status(page)).to_contain_text(re.compile(r"^\s*Saved \d\d:\d\d · Support is below"))
    expect(crisis).to_be_visible()
    assert body.bounding_box() == box
    expect(crisis.get_by_role("heading", level=2)).to_have_text("You don't have to carry this alone")
    expect(crisis.get_by_role("link", name="Call 988", exact=True)).to_have_attribute("href", "tel:988")
    expect(crisis.get_by_role("link", name="Text 988", exact=True)).to_have_attribute("href", "sms:988")
    expect(crisis).to_contain_text("Only you can see this entry. Nobody has been alerted")
    expect(crisis).to_contain_text("not watching in real time")
    expect(body).to_have_value(words)  # the screen never blocks or changes what was written
    checkpoint(page, problems, "crisis-box")

    entry = entry_id_from(page.url)
    page.goto(f"/journal/{entry}")
    expect(page.locator("article.entry .prose")).to_have_text(words)
    expect(page.locator("main section.crisis").get_by_role("link", name="Call 988", exact=True)).to_be_visible()
    expect(page.locator("#share-control")).to_contain_text("Private")
    checkpoint(page, problems, "entry-with-crisis")


# --- 3. autosave through a network outage -------------------------------------------------------------------

# What the browser reports while it is offline: the failed autosave requests and htmx's own error log lines.
OFFLINE_NOISE = re.compile(r"ERR_INTERNET_DISCONNECTED|^console error: htmx:(sendError|afterRequest), ")


def test_autosave_retries_through_a_network_outage_and_keeps_every_word(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    first = "Walked by the river before work."
    more = " Then the rain came and I did not mind it."
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    body = start_free_entry(page)
    body.fill(first)
    expect_autosaved(page)
    entry = entry_id_from(page.url)
    checkpoint(page, problems, "free-entry-autosaved")

    found, console = len(problems.found), len(problems.console)
    context.set_offline(True)
    try:
        body.press_sequentially(more)
        expect(save_status(page)).to_have_text("Not saved — retrying", timeout=AUTOSAVE_MS)
        expect(page.locator("#save-status .save-problem")).to_be_visible()
    finally:
        context.set_offline(False)
    expect_autosaved(page, timeout=35_000)
    outage = problems.found[found:] + [text for text, _ in problems.console[console:]]
    assert outage, "the offline saves should have failed in the browser"
    assert [p for p in outage if not OFFLINE_NOISE.search(p)] == [], outage
    del problems.found[found:], problems.console[console:]

    page.reload()
    expect(page).to_have_url(f"{live_server}/journal/{entry}/edit")
    expect(page.get_by_label("Your entry", exact=True)).to_have_value(first + more)
    page.goto(f"/journal/{entry}/history")
    expect(page.locator("details.revision").first).to_contain_text(first + more)
    checkpoint(page, problems, "history")


# --- known bugs: strict xfails, each asserting what should happen ------------------------------------------


def test_reloading_right_after_typing_warns_or_keeps_the_words(page: Page) -> None:
    first = "A quiet morning."
    more = " Then a call from my sister that I want to remember."
    sign_in(page, "patient@demo.clinic")
    body = start_free_entry(page)
    with autosave_carrying(page, first):
        body.fill(first)
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    body.press_sequentially(more)
    page.reload()
    kept = page.get_by_label("Your entry", exact=True).input_value()
    assert dialogs == ["beforeunload"] or kept == first + more, f"no warning, and the entry holds only {kept!r}"


def test_unticking_share_on_a_new_entry_after_its_first_autosave_keeps_it_private(page: Page) -> None:
    first = "Something I am not ready to share after all."
    more = " Keeping this one to myself."
    sign_in(page, "patient@demo.clinic")
    body = start_free_entry(page)
    share = page.get_by_label("Share this entry with my care team")
    share.check()
    with autosave_carrying(page, first):
        body.fill(first)
    entry = entry_id_from(page.url)
    share.uncheck()
    with autosave_carrying(page, more):
        body.press_sequentially(more)
    expect(share).not_to_be_checked()
    expect(save_status(page)).to_have_text(SAVED)  # the page says all is saved, with the box unticked
    page.goto(f"/journal/{entry}")
    expect(page.locator("article.entry")).to_contain_text(first + more)
    expect(page.locator("#share-control")).to_contain_text("Private: only you can see this entry.", timeout=1_000)


def test_save_pressed_while_an_autosave_is_on_its_way_saves_once_without_a_conflict(
    page: Page, live_server: str
) -> None:
    words = "Typed, then straight to Save."
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    body = start_free_entry(page)
    body.press_sequentially(words)
    posts: list[str] = []
    page.on(
        "request",
        lambda request: posts.append(request.headers.get("hx-request") or "form") if request.method == "POST" else None,
    )
    # Clicking Save takes focus out of the text box (an autosave goes out) and submits the form at once.
    with page.expect_response(lambda r: r.request.resource_type == "document" and r.request.method == "POST") as post:
        page.get_by_role("button", name="Save", exact=True).click()
    assert post.value.status == 303, post.value.status  # saved and sent on, not a 409 conflict
    expect(page).to_have_url(re.compile(r"/journal/\d+$"))
    expect(page.locator("article.entry .prose")).to_have_text(words)
    expect(page.get_by_role("alert")).to_have_count(0)  # no "changed in another window"
    assert posts.count("form") == 1, posts
    checkpoint(page, problems, "saved")


def test_moving_through_the_editor_without_typing_saves_nothing(page: Page) -> None:
    sign_in(page, "patient@demo.clinic")
    body = start_free_entry(page)
    with autosave_carrying(page, "Only this."):
        body.fill("Only this.")
    entry = entry_id_from(page.url)
    for _ in range(8):  # Title ← … → the scales and the share box: focus leaves fields that were never touched
        page.keyboard.press("Tab")
    page.wait_for_timeout(2_500)  # longer than the autosave's pause
    page.goto(f"/journal/{entry}")
    expect(page.get_by_role("link", name=re.compile(r"^Version history"))).to_have_text("Version history (1)")
