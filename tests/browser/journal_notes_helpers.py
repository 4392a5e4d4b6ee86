"""Steps shared by the journal and integration-note journeys (test_journal.py, test_journal_notes.py, test_idle.py,
test_no_js.py): the autosaving editor, the note's sign box and addenda, and the calm 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

from playwright.sync_api import Locator, Page, Response, expect

from tests.browser.checks import Problems, checkpoint
from tests.browser.conftest import submit

SAVED = re.compile(r"^\s*Saved \d\d:\d\d\s*$")  # the fragment also swaps in a hidden input
AUTOSAVE_MS = 8_000  # the editor waits 2 s after typing stops, then one round trip
NOT_FOUND = "We couldn't find that page"


def save_status(page: Page) -> Locator:
    return page.locator("#save-status")


def editor_ready(page: Page) -> None:
    """Wait until the page has loaded: htmx wires the autosave form up on DOMContentLoaded (its script is deferred),
    and typing before that would trigger no save at all."""
    page.wait_for_load_state("load")
    expect(page.locator("form[data-autosave]")).to_have_count(1)


def expect_autosaved(page: Page, timeout: float = AUTOSAVE_MS) -> None:
    """The status line says "Saved HH:MM": the server acknowledged the save (nobody clicked Save)."""
    expect(save_status(page)).to_have_text(SAVED, timeout=timeout)


@contextmanager
def autosave_carrying(page: Page, text: str) -> Iterator[None]:
    """Wait for the autosave whose form carries `text` to be answered, then for "Saved".

    A save fired earlier (on focusout, say) may already show "Saved" while the last words still wait out the
    2-second pause, so the status alone does not say the last words are stored.
    """

    def carries(response: Response) -> bool:
        request = response.request
        if request.method != "POST" or request.headers.get("hx-request") != "true":
            return False
        return any(text in value for _, value in parse_qsl(request.post_data or ""))

    with page.expect_response(carries, timeout=AUTOSAVE_MS) as answer:
        yield
    assert answer.value.status == 200, answer.value.status
    expect_autosaved(page)


def section(page: Page, heading: str) -> Locator:
    """The card whose h2 is `heading`."""
    return page.locator("section", has=page.get_by_role("heading", level=2, name=heading, exact=True))


def entry_id_from(url: str) -> int:
    match = re.search(r"/journal/(\d+)(?:/edit)?$", url)
    assert match, f"not an entry address: {url}"
    return int(match.group(1))


def note_id_from(url: str) -> int:
    match = re.search(r"/notes/(\d+)$", url)
    assert match, f"not a note address: {url}"
    return int(match.group(1))


def sign_with(page: Page, password: str) -> int:
    """Re-enter `password` in the note's sign box and press Sign note; returns the status of the page sent back."""
    sign_box = section(page, "Sign and lock")
    sign_box.get_by_label("Re-enter your password to sign").fill(password)
    return submit(sign_box.get_by_role("button", name="Sign note"))


def add_addendum(page: Page, text: str) -> None:
    """On a signed note, as its author: add `text` as the only addendum, and see it listed, signed by Sam."""
    addenda = page.locator("#addenda")
    addenda.get_by_label(re.compile("^Add an addendum")).fill(text)
    assert submit(addenda.get_by_role("button", name="Sign and add addendum")) == 200
    added = addenda.locator("article.addendum")
    expect(added).to_have_count(1)
    expect(added).to_contain_text(text)
    expect(added).to_contain_text("Sam Okafor · signed")


def open_casey_infusion(page: Page, number: int, problems: Problems | None = None) -> None:
    """As a signed-in therapist: Caseload → Casey Morgan → Infusion N, through the links (checkpoints with
    `problems`)."""
    page.goto("/caseload")
    page.get_by_role("table", name=re.compile("^Patients")).get_by_role("link", name="Casey Morgan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Morgan")
    if problems:
        checkpoint(page, problems, "casey-chart")
    page.locator("#infusions").get_by_role("link", name=f"Infusion {number}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Infusion {number} · Casey Morgan")


def start_free_entry(page: Page) -> Locator:
    """As the signed-in patient, from the journal home: "Free entry"; returns its (private) text box."""
    page.goto("/journal")
    page.get_by_role("link", name="Free entry", exact=True).click()
    expect(page).to_have_url(re.compile(r"/journal/new\?kind=free$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal entry")
    expect(page.get_by_label("Share this entry with my care team")).not_to_be_checked()
    editor_ready(page)
    return page.get_by_label("Your entry", exact=True)


def expect_not_found(page: Page, path: str) -> str:
    """`path` answers the calm 404 page; returns its main text with the request reference masked."""
    response = page.goto(path)
    assert response is not None and response.status == 404, path
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
    return re.sub(r"[0-9a-f]{16}", "<id>", page.locator("main").inner_text())
