"""Steps and lookups shared by the care-record journeys (test_care.py, test_care_scores_and_access.py) and the
no-JavaScript journeys (test_no_js.py)."""

from __future__ import annotations

import re
import sqlite3
import uuid
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import sign_in

PATIENT_PASSWORD = "lanterns by the harbour 7"
PRE_DOSE_FLAG = "Pre-dose BP 150/95 is above 140/90: weigh a delay."


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
    page.get_by_label("Start date").fill(yesterday())  # so that yesterday's dose falls within the course
    with page.expect_navigation():
        page.get_by_role("button", name="Start course").click()
    expect(page.locator("#courses .course")).to_have_count(1)
    record_consent(page)
    return name, patient_id


def yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()


def record_consent(page: Page) -> None:
    """Off-label ketamine consent signed yesterday, on the chart's one course: a dose needs it (care/rules.py)."""
    page.get_by_label("Consent", exact=True).select_option("off_label_ketamine")
    page.get_by_label("Signed on").fill(yesterday())
    with page.expect_navigation():
        page.get_by_role("button", name="Record consent").click()
    expect(page.locator("#courses .consents")).to_contain_text("off label ketamine signed")


def fill_checklist(page: Page) -> None:
    """The pre-dose checklist a started dose needs: BP, escort, fasting, medications reviewed."""
    page.get_by_label("Pre-dose BP, systolic").fill("128")
    page.get_by_label("Pre-dose BP, diastolic").fill("82")
    for label in ("Adult escort confirmed", "Fasting confirmed", "Medications reviewed"):
        page.get_by_label(label).check()


def record_infusion(page: Page, patient_id: int) -> int:
    """Record infusion 1 (given yesterday at 09:30, the prefilled 0.5 mg/kg); returns the new infusion's id."""
    page.goto(f"/patients/{patient_id}/infusions/new")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.get_by_label("Scheduled").fill(f"{yesterday}T09:30")
    page.get_by_label("Dose started").fill(f"{yesterday}T09:30")
    fill_checklist(page)
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
    sign_in(page, "nurse@demo.clinic")
    page.goto(f"/patients/{casey}")
    page.locator("#infusions").get_by_role("link", name="Infusion 6").click()
    expect(vitals_rows(page)).to_have_text(["No readings yet."])
