"""Integration notes in a real browser: a therapist's note from the dashboard to signature and addendum, what the
patient then sees, and a signed note that cannot be changed. The journal itself: test_journal.py.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import assert_clean, checkpoint, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out
from tests.browser.journal_notes_helpers import (
    add_addendum,
    autosave_carrying,
    editor_ready,
    note_id_from,
    open_casey_infusion,
    section,
    sign_with,
)

pytestmark = pytest.mark.browser

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
    # No note body, no quotes: nothing of them anywhere but her own entries (whose list shows her own words).
    outside_entries = page.evaluate(
        """() => { const main = document.querySelector("main").cloneNode(true);
                   main.querySelectorAll(".entries").forEach((e) => e.remove());
                   return main.textContent.replace(/\\s+/g, " "); }"""
    )
    assert "I keep seeing the same door. Maybe" not in outside_entries
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
