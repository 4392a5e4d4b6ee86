"""Care records in a real browser: new patient, course, infusion with live dose total and vitals (with and without
JavaScript), and the forms' messages. Reading them back (scores, alerts, who may see what):
test_care_scores_and_access.py.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, no sideways scrolling there, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.care_helpers import (
    PATIENT_PASSWORD,
    PRE_DOSE_FLAG,
    caseload_table,
    casey_ids,
    create_patient_with_course,
    expect_error_next_to,
    fill_checklist,
    fill_new_patient,
    fill_reading,
    open_casey_infusion_6,
    preview_flags,
    record_consent,
    record_infusion,
    unique_patient,
    vitals_rows,
)
from tests.browser.checks import checkpoint, expect_announced, watch
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# --- 1. nurse: new patient → course → infusion → vitals with htmx (the dose is the medical staff's) -----------


def test_a_nurse_creates_a_patient_records_an_infusion_and_adds_vitals_in_place(page: Page, live_server: str) -> None:
    problems = watch(page)
    sign_in(page, "nurse@demo.clinic")
    expect(page).to_have_url(live_server + "/caseload")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    casey = caseload_table(page).get_by_role("row", name=re.compile("Casey Morgan"))
    expect(casey.get_by_role("cell").nth(1)).to_have_text("Infusion 5 of 6")
    expect(casey.get_by_role("cell").nth(2)).not_to_have_text("—")  # the scheduled 6th infusion
    expect(casey.get_by_role("cell").nth(3)).to_have_text(re.compile(r"^\d+ ↓ improving$"))  # 19 → 8: better
    expect(casey.get_by_role("cell").nth(4)).to_have_text(re.compile(r"^\d+ open$"))
    expect(page.locator("main")).to_contain_text("Riley Chen")  # the demo's nurse is on both care teams
    checkpoint(page, problems, "caseload")

    # New patient, first with bad input: the messages sit next to their fields and what was typed is kept.
    page.get_by_role("link", name="New patient").click()
    expect(page).to_have_url(live_server + "/patients/new")
    checkpoint(page, problems, "new-patient")
    name, email, mrn = unique_patient()
    fill_new_patient(page, name, email, mrn, dob="1800-01-01", weight="0", password="short")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create patient").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect_error_next_to(page, "weight_kg", "Weight must be between 25 and 350 kg")
    expect_error_next_to(page, "date_of_birth", "The date of birth must be between")
    expect_announced(page, page.get_by_label("Weight (kg)"), "Weight must be between 25 and 350 kg")
    expect(page.get_by_label("Full name")).to_have_value(name)
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Medical record number (MRN)")).to_have_value(mrn)
    expect(page.get_by_label("Date of birth")).to_have_value("1800-01-01")
    expect(page.get_by_label("Initial password")).to_have_value("")  # never sent back
    checkpoint(page, problems, "new-patient-errors")

    page.get_by_label("Date of birth").fill("1984-05-12")
    page.get_by_label("Weight (kg)").fill("70")
    page.get_by_label("Initial password").fill(PATIENT_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create patient").click()

    # The chart: the nurse who created the patient is on the care team; nothing recorded yet.
    expect(page).to_have_url(re.compile(r"/patients/\d+$"))
    patient_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text(f"MRN {mrn}")
    team = page.locator("section", has=page.get_by_role("heading", name="Care team"))
    expect(team).to_contain_text("Avery Santos (RN)")
    expect(page.locator("#courses")).to_contain_text("No course yet.")
    expect(page.locator("#infusions")).to_contain_text("No infusions recorded.")
    expect(page.locator("#progress")).to_contain_text("No scores yet.")
    checkpoint(page, problems, "new-chart")

    # Start a course (the <details> opens on click).
    page.get_by_text("Start a new course").click()
    expect(page.get_by_label("Protocol")).to_have_value("iv_induction")
    expect(page.get_by_label("Planned sessions")).to_have_value("6")
    page.get_by_label("Start date").fill((date.today() - timedelta(days=1)).isoformat())  # before yesterday's dose
    with page.expect_navigation():
        page.get_by_role("button", name="Start course").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}#courses$"))
    course = page.locator("#courses .course")
    expect(course).to_have_count(1)
    expect(course.get_by_role("heading", level=3)).to_have_text("Iv induction · Treatment-resistant depression")
    expect(course).to_contain_text("planned 6 sessions")
    expect(course).to_contain_text("active")
    expect(course).to_contain_text("No consent recorded yet.")
    checkpoint(page, problems, "course-started")
    record_consent(page)  # a dose needs it

    # Record infusion: the total dose follows the dose as it is typed.
    page.get_by_role("link", name="Record infusion").click()
    expect(page).to_have_url(live_server + f"/patients/{patient_id}/infusions/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Record an infusion for {name}")
    expect(page.get_by_label("Infusion number in course")).to_have_value("1")
    expect(page.get_by_label("Weight today (kg)")).to_have_value("70.0")
    total = page.locator("#dose-total")
    expect(total).to_have_text("35.0 mg")  # the prefilled 0.5 mg/kg × 70 kg, rendered by the server
    dose = page.get_by_label("Dose (mg/kg)")
    dose.fill("")
    expect(total).to_have_text("— (enter dose and weight)")
    dose.press_sequentially("0.25", delay=20)
    expect(total).to_have_text("17.5 mg")
    dose.fill("")
    dose.press_sequentially("0.5", delay=20)
    expect(total).to_have_text("35.0 mg")
    checkpoint(page, problems, "record-infusion")

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.get_by_label("Scheduled").fill(f"{yesterday}T09:30")
    page.get_by_label("Dose started").fill(f"{yesterday}T09:30")
    page.get_by_label("Lot number").fill("KET-BT1")
    fill_checklist(page)
    page.get_by_label("Nausea").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save infusion").click()

    # The infusion page.
    expect(page).to_have_url(re.compile(r"/infusions/\d+$"))
    infusion_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Infusion 1 · {name}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("0.5 mg/kg × 70.0 kg = 35.0 mg")
    expect(facts).to_contain_text("KET-BT1")
    expect(facts).to_contain_text("Avery Santos")
    expect(facts).to_contain_text("nausea")
    vitals = page.locator("#vitals")
    expect(vitals.locator("#flags")).to_have_text("No flags.")
    expect(vitals_rows(page)).to_have_text(["No readings yet."])
    checkpoint(page, problems, "infusion")

    # A pre-dose reading of 150/95: the preview warns before it is saved; saving swaps the section in place.
    page.evaluate("window.__samePage = 'still here'")
    fill_reading(page, "-5", "150", "95", "80", "98")
    expect(preview_flags(page)).to_have_text([f"⚑ {PRE_DOSE_FLAG}"])  # mentions 140/90 before anything is saved
    expect(vitals_rows(page)).to_have_text(["No readings yet."])
    page.get_by_role("button", name="Add reading").click()
    expect(vitals_rows(page)).to_have_count(1)
    expect(vitals_rows(page).first.get_by_role("cell")).to_have_text(["-5", "150/95", "80", "98%"])
    expect(page.locator("#flags li")).to_have_text([f"⚑ {PRE_DOSE_FLAG}"])
    assert page.evaluate("window.__samePage") == "still here", "adding a reading reloaded the whole page"
    expect(vitals.get_by_label("Minute")).to_have_value("")  # a fresh form for the next reading
    expect(page.locator("#flag-preview")).to_be_empty()

    # The swapped-in form works too, and now previews against the saved baseline.
    fill_reading(page, "30", "195", "125", "92", "97")
    rise = "⚑ BP rose to 195/125 at 30 min (+45/+30 over baseline)."
    expect(preview_flags(page).filter(has_text="BP rose")).to_have_text([rise])
    page.get_by_role("button", name="Add reading").click()
    expect(vitals_rows(page)).to_have_count(2)
    expect(vitals_rows(page).nth(1).get_by_role("cell")).to_have_text(["30", "195/125", "92", "97%"])
    expect(page.locator("#flags li")).to_have_text([f"⚑ {PRE_DOSE_FLAG}", rise])
    assert page.evaluate("window.__samePage") == "still here", "adding a reading reloaded the whole page"
    checkpoint(page, problems, "vitals-added")

    # Back on the chart, the infusion is listed and links to its page.
    page.get_by_role("link", name=f"← {name}").click()
    expect(page).to_have_url(live_server + f"/patients/{patient_id}")
    row = page.locator("#infusions tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="Infusion 1")).to_have_attribute("href", f"/infusions/{infusion_id}")
    expect(row).to_contain_text("0.5 mg/kg × 70.0 kg = 35.0 mg")
    expect(row).to_contain_text("IV · racemic ketamine")
    expect(row).not_to_contain_text("scheduled")  # the dose was given
    checkpoint(page, problems, "chart-with-infusion")


# --- 2. the same vitals journey with JavaScript off -----------------------------------------------------------


def test_adding_vitals_works_without_javascript(new_context: Callable[..., BrowserContext], live_server: str) -> None:
    page = new_context(java_script_enabled=False).new_page()
    problems = watch(page, scripts=False)
    sign_in(page, "nurse@demo.clinic")
    assert page.evaluate("typeof window.htmx") == "undefined"  # scripts really are off
    _, patient_id = create_patient_with_course(page)
    checkpoint(page, problems, "chart-course-started")
    infusion_id = record_infusion(page, patient_id)
    expect(page.locator("#flags")).to_have_text("No flags.")
    checkpoint(page, problems, "infusion")

    fill_reading(page, "-5", "150", "95", "80", "98")
    expect(page.locator("#flag-preview")).to_be_empty()  # no preview without JavaScript, and nothing breaks
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Add reading").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(live_server + f"/infusions/{infusion_id}#vitals")
    expect(vitals_rows(page)).to_have_count(1)
    expect(vitals_rows(page).first.get_by_role("cell")).to_have_text(["-5", "150/95", "80", "98%"])
    expect(page.locator("#flags li")).to_have_text([f"⚑ {PRE_DOSE_FLAG}"])
    checkpoint(page, problems, "vitals-added")

    # A bad row comes back as the whole page with the message next to the field and nothing saved.
    fill_reading(page, "10", "120", "130", "80", "98")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Add reading").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(page.locator("#vitals").get_by_role("alert")).to_have_text(
        "Check the values below; the reading was not saved."
    )
    expect_error_next_to(page, "diastolic", "Diastolic must be lower than systolic.")
    expect(page.locator("#vitals").get_by_label("Systolic")).to_have_value("120")
    expect(vitals_rows(page)).to_have_count(1)
    checkpoint(page, problems, "vitals-error")

    page.get_by_role("link", name=re.compile("^← ")).click()
    expect(page.locator("#infusions").get_by_role("link", name="Infusion 1")).to_have_attribute(
        "href", f"/infusions/{infusion_id}"
    )
    checkpoint(page, problems, "chart-with-infusion")


# --- regressions for bugs found while writing these journeys ---


def test_a_bad_reading_shows_its_message_in_place(page: Page, server_dir: Path) -> None:
    """The 400 vitals block is swapped in (htmx swaps 4xx only because base.html's htmx-config says so for 400)."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    open_casey_infusion_6(page, server_dir)
    page.evaluate("window.__samePage = 'still here'")
    fill_reading(page, "10", "120", "130", "80", "98")  # diastolic above systolic: refused, nothing saved
    page.get_by_role("button", name="Add reading").click()
    expect(page.locator("#vitals").get_by_role("alert")).to_have_text(
        "Check the values below; the reading was not saved."
    )
    expect_error_next_to(page, "diastolic", "Diastolic must be lower than systolic.")
    expect(page.locator("#vitals").get_by_label("Systolic")).to_have_value("120")  # what was typed is kept
    expect(vitals_rows(page)).to_have_text(["No readings yet."])
    assert page.evaluate("window.__samePage") == "still here"
    assert not [text for text in console if "Response Status Error" in text], console


def test_the_total_dose_follows_the_weight_as_it_is_typed(page: Page, server_dir: Path) -> None:
    casey, _ = casey_ids(server_dir)
    sign_in(page, "nurse@demo.clinic")
    page.goto(f"/patients/{casey}/infusions/new")  # Casey weighs 68.0 kg: 0.5 mg/kg → 34.0 mg
    total = page.locator("#dose-total")
    expect(total).to_have_text("34.0 mg")
    weight = page.get_by_label("Weight today (kg)")
    weight.fill("")
    weight.press_sequentially("70", delay=20)
    expect(total).to_have_text("35.0 mg", timeout=1_500)


def test_the_flag_preview_follows_a_reading_typed_in_form_order(page: Page, server_dir: Path) -> None:
    open_casey_infusion_6(page, server_dir)
    vitals = page.locator("#vitals")
    vitals.get_by_label("Minute").press_sequentially("-5", delay=20)
    page.wait_for_timeout(450)  # a person moving to the next field: longer than the 400 ms debounce
    for label, value in (("Systolic", "150"), ("Diastolic", "95"), ("Heart rate", "80"), ("SpO2 %", "98")):
        vitals.get_by_label(label).press_sequentially(value, delay=20)
    expect(preview_flags(page)).to_have_text([f"⚑ {PRE_DOSE_FLAG}"], timeout=1_500)


def test_the_flag_preview_stays_in_its_live_region(page: Page, server_dir: Path) -> None:
    open_casey_infusion_6(page, server_dir)
    fill_reading(page, "-5", "150", "95", "80", "98")
    expect(preview_flags(page)).to_have_text([f"⚑ {PRE_DOSE_FLAG}"])  # the preview arrived...
    live = page.locator("#vitals form #flag-preview[aria-live=polite]")
    expect(live).to_contain_text("above 140/90", timeout=1_000)  # ...but not inside the live region


def test_the_new_patient_form_reports_a_short_password_with_the_other_problems(page: Page) -> None:
    sign_in(page, "therapist@demo.clinic")
    page.goto("/patients/new")
    name, email, mrn = unique_patient()
    fill_new_patient(page, name, email, mrn, dob="1800-01-01", weight="0", password="short")
    with page.expect_navigation():
        page.get_by_role("button", name="Create patient").click()
    expect_error_next_to(page, "weight_kg", "Weight must be between 25 and 350 kg")
    expect_error_next_to(page, "password", "at least 12 characters", timeout=1_000)  # the page is already here
