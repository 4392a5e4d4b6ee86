"""Care records in a real browser: new patient, course, infusion with live dose total and vitals, PHQ-9 with the
crisis path and risk alerts, and who may see what.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, no sideways scrolling there, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.checks import NARROW, check_axe, checkpoint, expect_announced, watch
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

PATIENT_PASSWORD = "lanterns by the harbour 7"
PRE_DOSE_FLAG = "Pre-dose BP 150/95 is above 140/90: weigh a delay."


# --- helpers --------------------------------------------------------------------------------------------------


def field_error(page: Page, name: str) -> Locator:
    """The message shown inside the same .field as the input named `name` (the macro's e-<name> paragraph)."""
    return page.locator(".field", has=page.locator(f"#f-{name}")).locator(f"#e-{name}")


def expect_error_next_to(page: Page, name: str, text: str | re.Pattern[str], timeout: float | None = None) -> None:
    error = field_error(page, name)
    expect(error).to_be_visible(timeout=timeout)
    expect(error).to_contain_text(text)
    expect(page.locator(f"#f-{name}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#f-{name}")).to_have_attribute("aria-describedby", re.compile(rf"\be-{name}\b"))


def fill_new_patient(page: Page, name: str, email: str, mrn: str, *, dob: str, weight: str, password: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Medical record number (MRN)").fill(mrn)
    page.get_by_label("Date of birth").fill(dob)
    page.get_by_label("Pronouns").fill("they/them")
    page.get_by_label("Weight (kg)").fill(weight)
    page.get_by_label("Initial password").fill(password)


def unique_patient() -> tuple[str, str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"Avery Stone {tag}", f"avery.{tag}@demo.clinic", f"BT-{tag}"


def create_patient_with_course(page: Page, weight: str = "70") -> tuple[str, int]:
    """Caseload → New patient → chart → Start course, through the forms (works with or without JavaScript)."""
    name, email, mrn = unique_patient()
    page.goto("/caseload")
    page.get_by_role("link", name="New patient").click()
    fill_new_patient(page, name, email, mrn, dob="1984-05-12", weight=weight, password=PATIENT_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create patient").click()
    expect(page).to_have_url(re.compile(r"/patients/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    patient_id = int(page.url.rsplit("/", 1)[1])
    page.locator("details.new-course summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Start course").click()
    expect(page.locator("#courses .course")).to_have_count(1)
    return name, patient_id


def record_infusion(page: Page, patient_id: int) -> int:
    """Record infusion 1 (given yesterday at 09:30, the prefilled 0.5 mg/kg); returns the new infusion's id."""
    page.goto(f"/patients/{patient_id}/infusions/new")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.get_by_label("Scheduled").fill(f"{yesterday}T09:30")
    page.get_by_label("Dose started").fill(f"{yesterday}T09:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save infusion").click()
    expect(page).to_have_url(re.compile(r"/infusions/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def fill_reading(page: Page, minute: str, systolic: str, diastolic: str, heart_rate: str, spo2: str) -> None:
    """Fill a reading in form order; every field's input event re-runs the debounced flag preview."""
    vitals = page.locator("#vitals")
    vitals.get_by_label("Minute").fill(minute)
    vitals.get_by_label("Systolic").fill(systolic)
    vitals.get_by_label("Diastolic").fill(diastolic)
    vitals.get_by_label("Heart rate").fill(heart_rate)
    vitals.get_by_label("SpO2 %").fill(spo2)


def preview_flags(page: Page) -> Locator:
    """The flags previewed in the add-a-reading form's live region."""
    return page.locator("#vitals form #flag-preview[aria-live=polite]").get_by_role("listitem")


def caseload_table(page: Page) -> Locator:
    """The caseload's patient table (the page has other panels with patient links too)."""
    return page.get_by_role("table", name=re.compile("^Patients, course progress"))


def vitals_rows(page: Page) -> Locator:
    return page.locator("#vitals table tbody tr")


def casey_ids(server_dir: Path) -> tuple[int, int]:
    """Casey Morgan's patient id and her first infusion's id, from the live server's database."""
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        row = db.execute(
            'SELECT p.id FROM patient p JOIN "user" u ON u.id = p.user_id WHERE u.email = ?', ("patient@demo.clinic",)
        ).fetchone()
        assert row, "no demo patient Casey Morgan"
        infusion = db.execute(
            "SELECT id FROM infusion WHERE patient_id = ? ORDER BY number LIMIT 1", (row[0],)
        ).fetchone()
    assert infusion, "Casey Morgan has no infusions"
    return int(row[0]), int(infusion[0])


def open_casey_infusion_6(page: Page, server_dir: Path) -> None:
    """Casey's scheduled 6th infusion (no readings): the preview reads nothing and saves nothing."""
    casey, _ = casey_ids(server_dir)
    sign_in(page, "therapist@demo.clinic")
    page.goto(f"/patients/{casey}")
    page.locator("#infusions").get_by_role("link", name="Infusion 6").click()
    expect(vitals_rows(page)).to_have_text(["No readings yet."])


# --- 1. therapist: new patient → course → infusion → vitals with htmx ----------------------------------------


def test_a_therapist_creates_a_patient_records_an_infusion_and_adds_vitals_in_place(
    page: Page, live_server: str
) -> None:
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")
    expect(page).to_have_url(live_server + "/caseload")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    casey = caseload_table(page).get_by_role("row", name=re.compile("Casey Morgan"))
    expect(casey.get_by_role("cell").nth(1)).to_have_text("Infusion 5 of 6")
    expect(casey.get_by_role("cell").nth(2)).not_to_have_text("—")  # the scheduled 6th infusion
    expect(casey.get_by_role("cell").nth(3)).to_have_text(re.compile(r"^\d+ ↓ improving$"))  # 19 → 8: better
    expect(casey.get_by_role("cell").nth(4)).to_have_text(re.compile(r"^\d+ open$"))
    expect(page.locator("main")).not_to_contain_text("Riley Chen")  # not on Sam's care team
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

    # The chart: the therapist who created the patient is on the care team; nothing recorded yet.
    expect(page).to_have_url(re.compile(r"/patients/\d+$"))
    patient_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text(f"MRN {mrn}")
    expect(page.locator("section", has=page.get_by_role("heading", name="Care team"))).to_contain_text("Sam Okafor")
    expect(page.locator("#courses")).to_contain_text("No course yet.")
    expect(page.locator("#infusions")).to_contain_text("No infusions recorded.")
    expect(page.locator("#progress")).to_contain_text("No scores yet.")
    checkpoint(page, problems, "new-chart")

    # Start a course (the <details> opens on click).
    page.get_by_text("Start a new course").click()
    expect(page.get_by_label("Protocol")).to_have_value("iv_induction")
    expect(page.get_by_label("Planned sessions")).to_have_value("6")
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
    expect(facts).to_contain_text("Sam Okafor")
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
    sign_in(page, "therapist@demo.clinic")
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


# --- 3. patient PHQ-9 with item 9 → crisis resources → therapist acknowledges the alert ----------------------


def test_a_phq9_with_item_9_shows_crisis_help_and_raises_an_alert_the_therapist_acknowledges(
    new_context: Callable[..., BrowserContext], live_server: str
) -> None:
    page = new_context().new_page()
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    expect(page).to_have_url(live_server + "/journal")
    page.get_by_role("link", name=re.compile("^Answer PHQ-9")).click()
    expect(page).to_have_url(live_server + "/measures/phq9/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9")
    checkpoint(page, problems, "phq9")

    for n in range(1, 10):
        answer = "Several days" if n == 9 else "Not at all"
        page.get_by_role("group", name=re.compile(rf"^{n}\. ")).get_by_label(answer, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(re.compile(r"/measures/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^PHQ-9 · "))
    expect(page.locator("p.score")).to_have_text("Score 1 — minimal.")
    crisis = page.locator("section.crisis")
    expect(crisis).to_have_attribute("role", "alert")
    expect(crisis.get_by_role("heading")).to_have_text("You don't have to carry this alone")
    expect(crisis).to_contain_text("Call or text 988")
    checkpoint(page, problems, "phq9-result-crisis")

    page.get_by_role("link", name="See your progress").click()
    expect(page).to_have_url(live_server + "/me/progress")
    expect(page.get_by_role("img", name=re.compile("PHQ-9 and GAD-7 scores"))).to_be_visible()
    newest = page.get_by_role("table", name="Scores").locator("tbody tr").first
    expect(newest.get_by_role("cell").nth(1)).to_have_text("PHQ-9")
    expect(newest.get_by_role("cell").nth(2)).to_have_text("1")
    expect(newest.get_by_role("cell").nth(3)).to_have_text("minimal · item 9: 1")
    expect(page.locator("#progress .badges")).to_contain_text("Latest PHQ-9 1")
    checkpoint(page, problems, "progress")
    sign_out(page)

    # The therapist sees the new alert and must say what they did before it goes away.
    sign_in(page, "therapist@demo.clinic")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    expect(page).to_have_url(live_server + "/alerts")
    ours = page.locator("li.card-alert", has_text="PHQ-9 item 9 answered 1 (total 1)")
    expect(ours).to_have_count(1)
    expect(ours.get_by_role("heading", level=2)).to_contain_text("Casey Morgan")
    expect(ours).to_contain_text("source: phq9 item9")
    demo_alert = page.locator("li.card-alert", has_text="PHQ-9 item 9 answered 1 (total 13)")
    expect(demo_alert).to_have_count(1)
    checkpoint(page, problems, "alerts")

    with page.expect_navigation() as navigation:
        ours.get_by_role("button", name="Acknowledge").click()
    assert navigation.value is not None and navigation.value.status == 400
    action = ours.get_by_label("Action taken")
    expect(ours.locator("p.error")).to_have_text("Say briefly what you did (up to 500 characters).")
    expect_announced(page, action, "Say briefly what you did (up to 500 characters).")
    expect(demo_alert.locator("p.error")).to_have_count(0)  # only the alert acted on shows the message
    checkpoint(page, problems, "acknowledge-error")

    action.fill("Called patient, safety plan reviewed")
    with page.expect_navigation() as navigation:
        ours.get_by_role("button", name="Acknowledge").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(live_server + "/alerts")
    expect(ours).to_have_count(0)
    expect(demo_alert).to_have_count(1)  # the other open alert is untouched
    checkpoint(page, problems, "acknowledged")


# --- 4 and 5. who may see what -------------------------------------------------------------------------------


def test_another_therapist_cannot_tell_caseys_records_exist(page: Page, server_dir: Path) -> None:
    casey, infusion = casey_ids(server_dir)
    problems = watch(page)
    sign_in(page, "therapist2@demo.clinic")
    seen = []
    for path in (f"/patients/{casey}", f"/infusions/{infusion}", f"/infusions/{infusion}/edit", "/patients/987654"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
        main = page.locator("main")
        expect(main).not_to_contain_text("Casey Morgan")
        expect(main).not_to_contain_text("DC-1001")
        seen.append(re.sub(r"[0-9a-f]{16}", "<id>", main.inner_text()))
        checkpoint(page, problems, "not-found")
    assert len(set(seen)) == 1, "a stranger's record must look exactly like a missing one"
    # Their own patient is still there.
    page.goto("/caseload")
    expect(caseload_table(page).get_by_role("link", name="Riley Chen", exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Casey Morgan")
    checkpoint(page, problems, "own-caseload")


def test_a_supervisor_sees_caseys_chart_read_only(page: Page, server_dir: Path, live_server: str) -> None:
    casey, infusion = casey_ids(server_dir)
    problems = watch(page)
    sign_in(page, "supervisor@demo.clinic")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All patients")
    expect(caseload_table(page).get_by_role("link", name="Riley Chen", exact=True)).to_be_visible()
    checkpoint(page, problems, "all-patients")
    caseload_table(page).get_by_role("link", name="Casey Morgan", exact=True).click()
    expect(page).to_have_url(live_server + f"/patients/{casey}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Morgan")
    expect(page.locator("main")).to_contain_text("MRN DC-1001")

    # Everything to read...
    expect(page.get_by_role("img", name=re.compile("PHQ-9 and GAD-7 scores"))).to_be_visible()
    expect(page.get_by_role("table", name="Scores").locator("tbody tr").first).to_be_visible()
    expect(page.locator("#progress .badges")).to_contain_text("Baseline PHQ-9 19")
    expect(page.locator("section", has=page.get_by_role("heading", name="Care team"))).to_contain_text("Sam Okafor")
    expect(page.locator("#courses")).to_contain_text("planned 6 sessions")
    expect(page.locator("#courses")).to_contain_text("Consent: off label ketamine")
    expect(page.locator("#infusions").get_by_role("link", name="Infusion 1")).to_have_attribute(
        "href", f"/infusions/{infusion}"
    )
    # ...and nothing to record with.
    for action in ("Record infusion", "Enter PHQ-9", "Enter GAD-7", "C-SSRS screen"):
        expect(page.get_by_role("link", name=action)).to_have_count(0)
    expect(page.get_by_text("Start a new course")).to_have_count(0)
    expect(page.get_by_role("button", name="Update status")).to_have_count(0)
    expect(page.get_by_role("button", name="Record consent")).to_have_count(0)
    checkpoint(page, problems, "chart-read-only")

    page.locator("#infusions").get_by_role("link", name="Infusion 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infusion 1 · Casey Morgan")
    expect(vitals_rows(page)).to_have_count(7)
    expect(page.get_by_role("button", name="Add reading")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit record")).to_have_count(0)
    checkpoint(page, problems, "infusion-read-only")
    response = page.goto(f"/patients/{casey}/infusions/new")
    assert response is not None and response.status == 403
    checkpoint(page, problems, "forbidden")


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


# --- regressions for bugs found while writing these journeys ---


def test_the_total_dose_follows_the_weight_as_it_is_typed(page: Page, server_dir: Path) -> None:
    casey, _ = casey_ids(server_dir)
    sign_in(page, "therapist@demo.clinic")
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


@pytest.mark.parametrize(
    ("email", "page_of"),
    [
        pytest.param("therapist@demo.clinic", lambda casey, infusion: f"/patients/{casey}", id="chart-scores"),
        pytest.param("patient@demo.clinic", lambda casey, infusion: "/me/progress", id="my-progress-scores"),
        pytest.param("therapist@demo.clinic", lambda casey, infusion: f"/infusions/{infusion}", id="infusion-vitals"),
    ],
)
def test_a_table_that_scrolls_sideways_at_360px_can_be_reached_by_keyboard(
    new_context: Callable[..., BrowserContext], server_dir: Path, email: str, page_of: Callable[[int, int], str]
) -> None:
    page = new_context(viewport=NARROW).new_page()
    sign_in(page, email)
    page.goto(page_of(*casey_ids(server_dir)))
    expect(page.locator(".table-wrap table").first).to_be_visible()
    check_axe(page)
