"""Everything works with JavaScript turned off: the forms are plain HTML forms (htmx only enhances). Each page of
these journeys is a checkpoint too (axe runs on a scripted twin of the page: see checks.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.care_helpers import (
    PRE_DOSE_FLAG,
    create_patient_with_course,
    fill_reading,
    record_infusion,
    vitals_rows,
)
from tests.browser.checks import checkpoint, expect_announced, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out, submit
from tests.browser.journal_notes_helpers import add_addendum, section, sign_with
from tests.browser.test_admin import approve, choose_password

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
    assert submit(page.get_by_role("button", name="Create account")) == 200
    expect(page.get_by_role("status")).to_have_text(f"Account created for {email}.")
    page.get_by_role("link", name="Open the account").click()
    expect(page.get_by_label(re.compile("^Trainee therapist"))).to_be_checked()

    page.get_by_role("link", name="All accounts").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(name)))).to_contain_text("therapist (trainee)")

    sign_out(page)
    assert page.url == live_server + "/login"
    page.goto("/admin/users")
    assert page.url == live_server + "/login?next=/admin/users"

    # A supervisor approves it, still without JavaScript, and passes the link on; the person chooses a password.
    sign_in(page, "supervisor@demo.clinic", DEMO_PASSWORD)
    link = approve(page, name)
    sign_out(page)
    choose_password(page, link, PASSWORD)
    sign_in(page, email, PASSWORD)
    assert page.url == live_server + "/caseload"
    expect(page.locator("header.site-header")).to_contain_text(name)


# --- the patient's and the therapist's core journeys with JavaScript off -------------------------------------


def answer_phq9(page: Page, answers: dict[int, str]) -> None:
    for number, answer in answers.items():
        page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(answer, exact=True).check()


def test_a_patient_answers_phq9_writes_edits_and_shares_an_entry_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: str
) -> None:
    words = f"Sat by the window after the session; the light felt kind (ref {uuid.uuid4().hex[:6]})."
    more = "Later that evening I slept without waking."
    page = new_context(java_script_enabled=False).new_page()
    problems = watch(page, scripts=False)
    sign_in(page, "patient@demo.clinic")
    expect(page).to_have_url(live_server + "/journal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your journal")
    checkpoint(page, problems, "journal-home")

    # PHQ-9, first with questions left out: the plain form comes back with the choices kept and the gaps marked.
    page.get_by_role("link", name=re.compile("^Answer PHQ-9")).click()
    expect(page).to_have_url(live_server + "/measures/phq9/new")
    checkpoint(page, problems, "phq9")
    answer_phq9(page, {n: "Several days" for n in range(1, 7)})
    assert submit(page.get_by_role("button", name="Submit")) == 400
    expect(page.get_by_role("alert")).to_contain_text("Please answer every question")
    first = page.get_by_role("group", name=re.compile(r"^1\. "))
    expect(first.get_by_label("Several days", exact=True)).to_be_checked()
    unanswered = page.get_by_role("group", name=re.compile(r"^7\. "))
    expect(unanswered).to_have_attribute("aria-describedby", "e-q7")
    expect(unanswered.locator("#e-q7")).to_be_visible()
    checkpoint(page, problems, "phq9-unanswered")

    answer_phq9(page, {7: "Not at all", 8: "Not at all", 9: "Not at all"})
    assert submit(page.get_by_role("button", name="Submit")) == 200
    expect(page).to_have_url(re.compile(r"/measures/\d+$"))
    expect(page.locator("p.score")).to_have_text("Score 6 — mild.")
    expect(page.locator("section.crisis")).to_have_count(0)  # item 9 answered "Not at all"
    checkpoint(page, problems, "phq9-result")

    # A post-session entry: the Save button posts the form and the entry's page shows what was saved.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    page.get_by_role("link", name="Write about session 5").click()
    expect(page).to_have_url(re.compile(r"/journal/new\?infusion=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("After session 5")
    expect(page.locator("#save-status")).to_be_empty()  # no autosave without JavaScript, and no claim of one
    checkpoint(page, problems, "new-entry")
    page.get_by_label("What stood out from the session?").fill(words)
    page.get_by_label("Mood").select_option("6")
    assert submit(page.get_by_role("button", name="Save", exact=True)) == 200
    expect(page).to_have_url(re.compile(r"/journal/\d+$"))
    entry = int(page.url.rsplit("/", 1)[1])
    article = page.locator("article.entry")
    expect(article.get_by_role("heading", level=1)).to_have_text(words)  # an untitled entry is headed by its first line
    expect(article.locator("header")).to_contain_text("Session 5")
    expect(article).to_contain_text(words)
    expect(article).to_contain_text("Mood 6/10")
    expect(article.locator("header")).to_contain_text("Private")
    expect(page.locator("#share-control")).to_contain_text("Private: only you can see this entry.")
    checkpoint(page, problems, "entry-saved")

    # Edit it: the editor holds the saved words; saving again keeps both and makes version 2.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(f"{live_server}/journal/{entry}/edit")
    expect(page.get_by_label("What stood out from the session?")).to_have_value(words)
    checkpoint(page, problems, "edit-entry")
    page.get_by_label("Anything else").fill(more)
    assert submit(page.get_by_role("button", name="Save", exact=True)) == 200
    expect(page).to_have_url(f"{live_server}/journal/{entry}")
    expect(article).to_contain_text(words)
    expect(article).to_contain_text(more)
    expect(page.get_by_role("link", name="Version history (2)")).to_be_visible()
    checkpoint(page, problems, "entry-edited")

    # Share it with the care team, by the plain form on the entry's page.
    assert submit(page.get_by_role("button", name="Share with my care team")) == 200
    expect(page).to_have_url(f"{live_server}/journal/{entry}")
    sharing = page.locator("#share-control")
    expect(sharing).to_contain_text("Shared with your care team since")
    expect(sharing.get_by_role("button", name="Stop sharing")).to_be_visible()
    expect(article.locator("header")).to_contain_text("Shared")
    checkpoint(page, problems, "shared")

    page.get_by_role("link", name="← Your journal").click()
    listed = page.locator("#entries article.entry-row", has=page.locator(f'a[href="/journal/{entry}"]'))
    expect(listed.locator(".badge")).to_have_text("Shared")
    sign_out(page)
    expect(page).to_have_url(live_server + "/login")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    checkpoint(page, problems, "signed-out")

    # Her therapist, also without JavaScript, reads the shared words on the session's page.
    sign_in(page, "therapist@demo.clinic")
    page.get_by_role("table", name=re.compile("^Patients")).get_by_role("link", name="Casey Morgan", exact=True).click()
    page.locator("#infusions").get_by_role("link", name="Infusion 5", exact=True).click()
    shared = page.locator("section", has=page.get_by_role("heading", name="Journal entries shared about this session"))
    expect(shared).to_contain_text(words)
    checkpoint(page, problems, "therapist-reads-it")


def test_the_nurse_records_dose_and_vitals_and_the_therapist_signs_and_amends_a_note_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: str
) -> None:
    summary = "Settled quickly; the music helped. We will talk about the ceiling light next time."
    addendum = "Called the next morning: rested, no concerns."
    page = new_context(java_script_enabled=False).new_page()
    problems = watch(page, scripts=False)
    sign_in(page, "therapist@demo.clinic")
    name, patient_id = create_patient_with_course(page)  # through the plain forms (see test_care)

    # The nurse who gives the dose joins the care team (an admin adds her), records it and its vitals.
    admin = new_context(java_script_enabled=False).new_page()
    sign_in(admin, "admin@demo.clinic")
    admin.goto("/care-teams")
    admin.get_by_label(f"Therapist to add to {name}'s care team").select_option(label="Avery Santos")
    row = admin.get_by_role("row", name=re.compile(re.escape(name)))
    assert submit(row.get_by_role("button", name="Add", exact=True)) == 200
    nurse = new_context(java_script_enabled=False).new_page()
    nurse_problems = watch(nurse, scripts=False)
    sign_in(nurse, "nurse@demo.clinic")
    infusion_id = record_infusion(nurse, patient_id)
    fill_reading(nurse, "-5", "150", "95", "80", "98")
    assert submit(nurse.get_by_role("button", name="Add reading")) == 200
    expect(nurse).to_have_url(f"{live_server}/infusions/{infusion_id}#vitals")
    expect(vitals_rows(nurse).first.get_by_role("cell")).to_have_text(["-5", "150/95", "80", "98%"])
    expect(nurse.locator("#flags li")).to_have_text([f"⚑ {PRE_DOSE_FLAG}"])
    checkpoint(nurse, nurse_problems, "vitals-added")

    # Dashboard → the note due for yesterday's infusion → the infusion's page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    due = page.locator("section", has=page.get_by_role("heading", level=2, name=re.compile("^Notes due")))
    expect(due.get_by_role("link", name=f"{name} · infusion 1", exact=True)).to_be_visible()
    checkpoint(page, problems, "dashboard")
    due.get_by_role("link", name=f"{name} · infusion 1", exact=True).click()
    expect(page).to_have_url(f"{live_server}/infusions/{infusion_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Infusion 1 · {name}")
    checkpoint(page, problems, "infusion")

    # The note: pre-filled from the record; "Save draft" posts it and opens the saved note with the sign box.
    page.get_by_role("link", name="Write integration note").click()
    expect(page).to_have_url(f"{live_server}/infusions/{infusion_id}/notes/new")
    record = page.locator("aside.prefill")
    expect(record).to_contain_text("0.5 mg/kg × 70.0 kg = 35.0 mg")
    expect(record).to_contain_text(PRE_DOSE_FLAG)
    expect(page.get_by_role("heading", level=2, name="Sign and lock")).to_have_count(0)  # nothing saved to sign yet
    checkpoint(page, problems, "new-note")
    page.get_by_label("Session summary").fill("IV ketamine 0.5 mg/kg over 40 minutes; pre-dose BP 150/95 rechecked.")
    page.get_by_label("Data", exact=True).fill("Calm, oriented at discharge.")
    page.get_by_label("Assessment", exact=True).fill("Tolerated well.")
    page.get_by_label("Plan", exact=True).fill("Infusion 2 as scheduled.")
    page.get_by_label("Suicidal ideation").select_option(label="None")
    page.get_by_label("Summary for the patient").fill(summary)
    assert submit(page.get_by_role("button", name="Save draft")) == 200
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_label("Summary for the patient")).to_have_value(summary)
    expect(page.get_by_label("Suicidal ideation")).to_have_value("none")
    sign_box = section(page, "Sign and lock")
    expect(sign_box).to_be_visible()
    checkpoint(page, problems, "draft-saved")

    # Sign: a wrong password is refused with the message on the field; the right one signs and locks.
    assert sign_with(page, "not-my-password") == 400
    expect(page.get_by_role("alert")).to_contain_text("Not signed or saved yet")
    expect_announced(page, sign_box.get_by_label("Re-enter your password to sign"), "That password is wrong.")
    expect(sign_box.locator("#e-password")).to_have_text(re.compile("^That password is wrong."))
    expect(sign_box.get_by_label("Re-enter your password to sign")).to_have_attribute("aria-describedby", "e-password")
    expect(page.get_by_label("Summary for the patient")).to_have_value(summary)
    checkpoint(page, problems, "sign-refused")
    assert sign_with(page, DEMO_PASSWORD) == 200
    expect(page).to_have_url(f"{live_server}/notes/{note}")
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    signed = page.locator("article.note")
    expect(signed).to_contain_text("By Sam Okafor · signed")
    expect(signed).to_contain_text("Risk: ideation none")
    expect(signed).to_contain_text(summary)
    expect(page.get_by_role("button", name="Sign note")).to_have_count(0)
    checkpoint(page, problems, "signed")

    # An addendum: empty is refused with its message; then one is signed and listed.
    addenda = page.locator("#addenda")
    assert submit(addenda.get_by_role("button", name="Sign and add addendum")) == 400
    expect_announced(page, addenda.get_by_label(re.compile("^Add an addendum")), "Write the addendum")
    checkpoint(page, problems, "addendum-refused")
    add_addendum(page, addendum)
    expect(page).to_have_url(f"{live_server}/notes/{note}#addenda")
    checkpoint(page, problems, "addendum-added")

    # Nothing is due for this infusion any more.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    expect(due.get_by_role("link", name=f"{name} · infusion 1", exact=True)).to_have_count(0)
    sign_out(page)
    expect(page).to_have_url(live_server + "/login")


def test_a_quote_button_that_needs_javascript_is_not_offered_without_it(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "therapist@demo.clinic")
    page.get_by_role("table", name=re.compile("^Patients")).get_by_role("link", name="Casey Morgan", exact=True).click()
    page.locator("#infusions").get_by_role("link", name="Infusion 5", exact=True).click()
    page.get_by_role("link", name="Write integration note").click()
    excerpt = page.locator("aside.prefill article.excerpt", has_text="I keep seeing the same door")
    expect(excerpt).to_be_visible()  # the patient's words are there to read and copy...
    expect(excerpt.get_by_role("button", name="Quote into the note")).to_have_count(0)  # ...but no dead button


def test_an_overlong_answer_is_refused_with_its_message_announced_and_every_word_kept(
    new_context: Callable[..., BrowserContext],
) -> None:
    too_long = "I remember the colours. " * 420  # 10,080 characters: over the 10,000 an answer may hold
    page = new_context(java_script_enabled=False).new_page()
    problems = watch(page, scripts=False)
    sign_in(page, "patient@demo.clinic")
    page.get_by_role("link", name="Write about session 5").click()
    answer = page.get_by_label("What stood out from the session?")
    answer.fill(too_long)
    assert submit(page.get_by_role("button", name="Save", exact=True)) == 400
    expect(page.get_by_role("alert")).to_contain_text("Your entry was not saved yet. Your text is still here.")
    expect_announced(page, answer, "Keep each answer under 10,000 characters.")
    expect(answer).to_have_value(too_long)
    expect(page.get_by_role("heading", level=1)).to_contain_text("After session 5")  # still about that session
    checkpoint(page, problems, "answer-too-long")
