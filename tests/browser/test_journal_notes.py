"""The journal and integration notes in a real browser: autosave (also through a network outage), sharing with the
care team, the crisis box, and a therapist's note from the dashboard to signature, addendum and what the patient sees.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, Response, expect

from tests.browser.checks import Problems, assert_clean, checkpoint, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out, submit

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^\s*Saved \d\d:\d\d\s*$")  # the fragment also swaps in a hidden input
AUTOSAVE_MS = 8_000  # the editor waits 2 s after typing stops, then one round trip
NOT_FOUND = "We couldn't find that page"


# --- helpers --------------------------------------------------------------------------------------------------


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
    page.locator("#entries").get_by_role("link", name="After session 5", exact=True).and_(
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

    body.fill(words)
    expect_autosaved(page)
    expect(crisis).to_be_visible()
    expect(crisis).to_have_attribute("role", "alert")
    expect(crisis.get_by_role("heading", level=2)).to_have_text("You don't have to carry this alone")
    expect(crisis).to_contain_text("Call or text 988")
    expect(crisis).to_contain_text("they are not watching in real time")
    expect(body).to_have_value(words)  # the screen never blocks or changes what was written
    checkpoint(page, problems, "crisis-box")

    entry = entry_id_from(page.url)
    page.goto(f"/journal/{entry}")
    expect(page.locator("article.entry .prose")).to_have_text(words)
    expect(page.locator("article.entry section.crisis")).to_contain_text("Call or text 988")
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


# --- 4. the therapist's note: dashboard → pre-filled editor → sign → addendum; the patient sees the summary ----


def test_a_therapist_writes_quotes_signs_and_amends_a_note_and_the_patient_sees_summary_and_practices(
    page: Page, live_server: str
) -> None:
    summary_for_patient = "Thank you for trusting the process today. Be gentle with yourself this week."
    practices = ["Box breathing, four minutes each evening", "Write one line about the door each morning"]
    addendum = "Patient called the next day: sleeping well, no concerns."
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")
    expect(page).to_have_url(live_server + "/caseload")
    for heading in ("Today's sessions", "New shared journal entries", "Open risk alerts"):
        expect(section(page, heading)).to_be_visible()
    due = page.locator("section", has=page.get_by_role("heading", level=2, name=re.compile("^Notes due")))
    overdue = due.locator("p.overdue", has=page.get_by_role("link", name="Casey Morgan · infusion 5", exact=True))
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("overdue since")
    checkpoint(page, problems, "dashboard")

    overdue.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infusion 5 · Casey Morgan")
    checkpoint(page, problems, "infusion")
    page.get_by_role("link", name="Write integration note").click()
    expect(page).to_have_url(re.compile(r"/infusions/\d+/notes/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Integration note · infusion 5")
    record = page.locator("aside.prefill")
    expect(record.get_by_role("heading", level=2)).to_have_text("From the record")
    expect(record).to_contain_text("mg/kg")
    expect(record).to_contain_text("PHQ-9")
    expect(record).to_contain_text("A risk assessment is required to sign.")
    editor_ready(page)
    checkpoint(page, problems, "new-note")

    # Quote the patient's shared entry after session 4 into the note.
    excerpt = record.locator("article.excerpt", has_text="I keep seeing the same door")
    expect(excerpt).to_have_count(1)
    excerpt.get_by_role("button", name="Quote into the note").click()
    experience = page.get_by_label("Patient-reported experience")
    expect(experience).to_have_value(
        re.compile(r"^> I keep seeing the same door\. Maybe it is okay to open it slowly\.")
    )
    expect(experience).to_have_value(re.compile(r"\n> — patient's words, journal \S.*\n$"))
    expect(experience).to_be_focused()

    page.get_by_label("Session summary").fill("IV ketamine 0.5 mg/kg over 40 minutes. Settled quickly; music helped.")
    page.get_by_label("Data", exact=True).fill("Engaged and reflective; oriented at discharge.")
    page.get_by_label("Assessment", exact=True).fill("Mood continues to lift. No new safety concerns.")
    page.get_by_label("Plan", exact=True).fill("Infusion 6 as scheduled; review the morning practice.")
    page.get_by_label("Suicidal ideation").select_option(label="None")
    page.get_by_label("Integration practices assigned").fill("\n".join(practices))
    with autosave_carrying(page, summary_for_patient):
        page.get_by_label("Summary for the patient").fill(summary_for_patient)
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note = note_id_from(page.url)
    checkpoint(page, problems, "note-autosaved")

    # The sign box belongs to a saved note's page (see the xfail test below for the new-note page).
    page.goto(f"/notes/{note}")
    expect(page.get_by_label("Summary for the patient")).to_have_value(summary_for_patient)
    sign_box = section(page, "Sign and lock")
    expect(sign_box).to_be_visible()
    checkpoint(page, problems, "draft-note")

    assert sign_with(page, "not-my-password") == 400
    sign_box = section(page, "Sign and lock")
    expect(sign_box.locator("#e-password")).to_have_text(
        "That password is wrong. Re-enter the password you sign in with."
    )
    expect(sign_box.get_by_label("Re-enter your password to sign")).to_have_attribute("aria-invalid", "true")
    # Still a draft: the editor is there with every word kept.
    expect(page.get_by_label("Patient-reported experience")).to_have_value(re.compile("I keep seeing the same door"))
    expect(page.get_by_label("Summary for the patient")).to_have_value(summary_for_patient)
    checkpoint(page, problems, "sign-wrong-password")

    assert sign_with(page, DEMO_PASSWORD) == 200
    expect(page).to_have_url(f"{live_server}/notes/{note}")
    expect(page.get_by_role("heading", level=1)).to_have_text("DAP note · infusion 5")
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    signed = page.locator("article.note")
    expect(signed).to_contain_text("By Sam Okafor · signed")
    expect(signed.locator("blockquote")).to_contain_text("I keep seeing the same door")
    expect(signed).to_contain_text("patient's words, journal")
    expect(signed).to_contain_text("Risk: ideation none")
    expect(signed.get_by_role("listitem")).to_have_text(practices)
    expect(signed).to_contain_text(re.compile(r"SHA-256 [0-9a-f]{64}"))
    expect(page.get_by_role("button", name="Sign note")).to_have_count(0)
    checkpoint(page, problems, "signed-note")

    addenda = page.locator("#addenda")
    expect(addenda).to_contain_text("None.")
    add_addendum(page, addendum)
    expect(page).to_have_url(f"{live_server}/notes/{note}#addenda")
    checkpoint(page, problems, "addendum")

    # The dashboard no longer lists infusion 5 as due.
    page.goto("/caseload")
    expect(due.get_by_role("link", name="Casey Morgan · infusion 5", exact=True)).to_have_count(0)
    checkpoint(page, problems, "dashboard-after-signing")
    sign_out(page)

    # Casey sees the summary (and nothing else of the note) and the two practices as invitations.
    sign_in(page, "patient@demo.clinic")
    expect(page).to_have_url(live_server + "/journal")
    from_team = section(page, "From your care team")
    mine = from_team.locator("article.summary", has_text=summary_for_patient)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("After session 5 · Sam Okafor")
    expect(page.locator("main")).not_to_contain_text("I keep seeing the same door. Maybe")  # no note body, quotes
    expect(page.locator("main")).not_to_contain_text("Mood continues to lift")
    invitations = section(page, "When you're ready")
    for practice in practices:
        expect(invitations.get_by_role("link", name=practice, exact=True)).to_be_visible()
    expect(invitations).to_contain_text("invitations, not tasks")
    checkpoint(page, problems, "journal-home-with-summary")


# --- 5. a signed note cannot be edited ----------------------------------------------------------------------


def test_a_signed_note_shows_no_editor_and_refuses_a_forged_save(page: Page, live_server: str) -> None:
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")
    open_casey_infusion(page, 1)
    page.locator("#notes").get_by_role("link", name="DAP note · infusion 1").click()
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note = note_id_from(page.url)
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    expect(page.locator("article.note")).to_contain_text("Described floating above a quiet lake")

    expect(page.get_by_role("button", name="Sign note")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    expect(page.locator("form[data-autosave], #editor, #save-status")).to_have_count(0)
    for label in ("Session summary", "Patient-reported experience", "Data", "Plan", "Summary for the patient"):
        expect(page.get_by_label(label, exact=True)).to_have_count(0)
    # The one form left is the addendum's, and its only text box is the addendum.
    expect(page.locator("main form")).to_have_count(1)
    expect(page.locator("main form")).to_have_attribute("action", f"/notes/{note}/addenda")
    expect(page.locator("main textarea")).to_have_count(1)
    checkpoint(page, problems, "signed-note")

    # A hand-made save or signature (valid session and CSRF token) changes nothing either.
    token = page.locator("#addenda input[name=csrf_token]").input_value()
    before = page.locator("article.note").inner_text()
    forged = {
        "csrf_token": token,
        "version": "1",
        "draft_key": "x" * 32,
        "format": "DAP",
        "kap_phase": "integration",
        "s_session_summary": "Rewritten after signing",
        "s_data": "x",
        "s_assessment": "x",
        "s_plan": "x",
    }
    for path in (f"/notes/{note}/draft", f"/notes/{note}"):
        response = page.request.post(live_server + path, form=forged)
        assert response.status == 403, (path, response.status)
    response = page.request.post(
        live_server + f"/notes/{note}/sign", form={"csrf_token": token, "version": "1", "password": DEMO_PASSWORD}
    )
    assert response.status == 403, response.status
    page.reload()
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    assert page.locator("article.note").inner_text() == before
    expect(page.locator("main")).not_to_contain_text("Rewritten after signing")
    assert_clean(page, problems)


# --- known bugs: strict xfails, each asserting what should happen ------------------------------------------


def test_a_new_note_can_be_signed_once_autosave_has_saved_it(page: Page) -> None:
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")
    open_casey_infusion(page, 3)
    page.get_by_role("link", name="Write integration note").click()
    expect(page).to_have_url(re.compile(r"/infusions/\d+/notes/new$"))
    editor_ready(page)
    with autosave_carrying(page, "Calm session."):
        page.get_by_label("Session summary").fill("Calm session.")
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    assert_clean(page, problems)
    expect(section(page, "Sign and lock").get_by_role("button", name="Sign note")).to_be_visible(timeout=2_000)


def test_a_draft_edited_on_its_page_can_then_be_signed(page: Page, live_server: str) -> None:
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")
    page.locator('a[href^="/notes/"]', has_text="Casey Morgan · infusion 4").click()  # the dashboard's Drafts
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note = note_id_from(page.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Integration note · infusion 4")
    editor_ready(page)
    themes = page.get_by_label("Themes and insights")
    with autosave_carrying(page, "Opening the door slowly."):
        themes.fill(themes.input_value() + " Opening the door slowly.")
    sign_box = section(page, "Sign and lock")
    sign_box.get_by_label("Re-enter your password to sign").fill(DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        sign_box.get_by_role("button", name="Sign note").click()
    answer = navigation.value
    alerts = page.locator("main .alert").all_inner_texts()
    assert answer is not None and answer.status == 200, (answer.status if answer else None, alerts)
    expect(page).to_have_url(f"{live_server}/notes/{note}")
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    expect(page.locator("article.note")).to_contain_text("Opening the door slowly.")
    assert_clean(page, problems)


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
