"""The chart a clinic needs on day one, in a real browser (issue 18): the demo therapist adds lorazepam 1 mg at night
and sees its interaction flag on the next infusion's pre-dose checklist, records "no known allergies", an emergency
contact and F33.2, and is refused an unknown code and a stop date before the start beside the fields; writes the
safety plan with the patient, who opens it from the crisis panel; and each printable document (the signed note, the
safety plan, the infusion record, the patient summary) is rendered to PDF by Chromium on A4 and Letter and its text
checked (with `pdftotext` where poppler is installed, else pypdf).

Every page is a checkpoint (tests/browser/checks.py): axe at 1280 and 360 px, no console errors, no sideways scroll.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from tests.browser.care_helpers import casey_ids
from tests.browser.checks import Problems, checkpoint, watch
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.journal_notes_helpers import editor_ready

pytestmark = pytest.mark.browser


def _pdf_text(page: Page, pages: int = 1) -> str:
    """The page printed to PDF by Chromium (the print stylesheet applies) on A4 and on Letter, each on at most
    `pages` pages, as text: by `pdftotext` where poppler is installed, else by pypdf. The A4 text is returned."""
    texts = []
    for paper in ("A4", "Letter"):
        data = page.pdf(format=paper)
        _keep(page, paper, data)
        count = len(PdfReader(io.BytesIO(data)).pages)
        assert count <= pages, f"printed on {count} {paper} pages"
        texts.append(_text_of(data))
    return texts[0]


def _keep(page: Page, paper: str, data: bytes) -> None:
    """Keep the PDF beside the screenshots for reviewers (git-ignored), named after the page's title."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9]+", "-", page.title()).strip("-")[:80]
    (ARTIFACTS / f"pdf-{name}-{paper}.pdf").write_bytes(data)


def _text_of(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "print.pdf"
        path.write_bytes(data)
        done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=30)
    return done.stdout.decode()


def _therapist_on_caseys_chart(page: Page, server_dir: Path) -> Problems:
    problems = watch(page)
    casey, _ = casey_ids(server_dir)
    sign_in(page, "therapist@demo.clinic")
    page.goto(f"/patients/{casey}")
    return problems


def _patient_on_a_phone(new_context: Callable[..., BrowserContext]) -> tuple[Page, Problems]:
    """The demo patient, signed in on a 390 px phone, on their journal home."""
    patient = new_context(viewport={"width": 390, "height": 844}).new_page()
    problems = watch(patient)
    sign_in(patient, "patient@demo.clinic")
    patient.goto("/journal")
    return patient, problems


def _add(page: Page, summary: str, fields: dict[str, str], button: str) -> None:
    section = page.locator("details.essentials-add", has=page.get_by_text(summary, exact=True))
    if not section.get_attribute("open"):
        section.locator("summary").click()
    for label, value in fields.items():
        section.get_by_label(label, exact=True).fill(value)
    section.get_by_role("button", name=button).click()


def test_the_therapist_fills_in_the_chart_essentials_and_sees_the_flag_on_the_checklist(
    page: Page, new_context: Callable[..., BrowserContext], live_server: str, server_dir: Path
) -> None:
    problems = watch(page)
    page.set_viewport_size({"width": 390, "height": 844})
    casey, _ = casey_ids(server_dir)
    sign_in(page, "therapist@demo.clinic")
    page.goto(f"/patients/{casey}")
    panel = page.locator("#essentials")
    expect(panel).to_contain_text("not recorded yet")
    checkpoint(page, problems, "chart-before")
    panel.get_by_role("link", name="Update").click()

    _add(
        page,
        "Add a medication",
        {
            "Medication": "Lorazepam",
            "Dose": "1 mg",
            "How often": "at night",
            "Started": "2026-10-01",
            "Stopped": "2026-09-01",
        },
        "Add medication",
    )
    expect(page.locator("#e-stopped_on")).to_contain_text("before the start date")
    expect(page.get_by_label("Medication", exact=True)).to_have_value("Lorazepam")
    checkpoint(page, problems, "stop-before-start-refused")
    page.get_by_label("Stopped", exact=True).fill("")
    page.get_by_role("button", name="Add medication").click()
    expect(page.locator("#medication .interaction-flags")).to_contain_text("Benzodiazepine")

    page.get_by_role("button", name="Record “no known allergies”").click()
    expect(page.locator("#allergy")).to_contain_text("No known allergies")

    _add(page, "Add a diagnosis", {"ICD-10-CM code": "F99.9"}, "Add diagnosis")
    expect(page.locator("#e-code")).to_contain_text("not one of the ICD-10-CM codes")
    checkpoint(page, problems, "unknown-code-refused")
    page.get_by_label("ICD-10-CM code", exact=True).fill("F33.2")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.locator("#diagnosis")).to_contain_text("F33.2 Major depressive disorder, recurrent severe")

    contacts = page.locator("#contacts")
    contacts.get_by_label("Emergency contact's name").fill("Sam Morgan")
    contacts.get_by_label("Relationship to the patient").fill("sister")
    contacts.get_by_label("Emergency contact's phone").fill("555-0101")
    contacts.get_by_role("button", name="Save contacts").click()
    expect(page.locator("#contacts").get_by_label("Emergency contact's name")).to_have_value("Sam Morgan")
    checkpoint(page, problems, "essentials-filled")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/patients/{casey}")
    expect(page.locator("#essentials")).to_contain_text("Sam Morgan (sister)")
    expect(page.locator("#essentials")).to_contain_text("No known allergies")
    checkpoint(page, problems, "chart-after")
    page.locator("#infusions").get_by_role("link", name="Infusion 6").click()
    expect(page.get_by_role("heading", name="Medications to weigh before this dose")).to_be_visible()
    # The nurse who gives the dose sees the flag on the pre-dose checklist of the next infusion.
    nurse = new_context().new_page()
    nurse_problems = watch(nurse)
    sign_in(nurse, "nurse@demo.clinic")
    nurse.goto(page.url)
    nurse.get_by_role("link", name="Edit record").click()
    checklist = nurse.locator("#checklist")
    expect(checklist).to_contain_text("Lorazepam")
    expect(checklist).to_contain_text("Benzodiazepine: Can blunt ketamine")
    checkpoint(nurse, nurse_problems, "checklist-flag")


STEPS = {
    "1. Warning signs": "Not sleeping",
    "2. Things I can do on my own": "Walk by the river",
    "3. People and places that take my mind off things": "Library café",
    "4. People I can ask for help": "Sam (sister) 555-0101",
    "5. Professionals and crisis lines": "Demo Clinic 555-0100",
    "6. Making my surroundings safer": "Give the spare pills to Sam",
}


def test_the_therapist_writes_a_safety_plan_and_the_patient_opens_it_from_the_crisis_panel(
    page: Page, new_context: Callable[..., BrowserContext], live_server: str, server_dir: Path
) -> None:
    problems = _therapist_on_caseys_chart(page, server_dir)
    page.locator("#essentials").get_by_role("link", name="Safety plan").click()
    for label, words in STEPS.items():
        page.get_by_label(label, exact=True).fill("" if label.startswith("4.") else words)
    page.get_by_role("button", name="Save safety plan").click()
    expect(page.locator("#e-helpers")).to_contain_text("Write at least one line")
    expect(page.get_by_label("2. Things I can do on my own", exact=True)).to_have_value("Walk by the river")
    checkpoint(page, problems, "empty-step-refused")
    page.get_by_label("4. People I can ask for help", exact=True).fill(STEPS["4. People I can ask for help"])
    page.get_by_role("button", name="Save safety plan").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    checkpoint(page, problems, "plan-saved")
    page.get_by_role("link", name="Print or save as PDF").click()
    checkpoint(page, problems, "plan-print")
    text = _pdf_text(page)
    assert "Give the spare pills to Sam" in text and "Printed by Sam Okafor on" in text

    patient, mine = _patient_on_a_phone(new_context)
    patient.get_by_role("link", name="Free entry", exact=True).click()
    editor_ready(patient)
    patient.get_by_label("Your entry", exact=True).fill("Some nights I want to die")
    crisis = patient.locator("#crisis-slot section.crisis")
    expect(crisis).to_be_visible()
    crisis.get_by_role("link", name="Open my safety plan").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("My safety plan")
    expect(patient.locator("main")).to_contain_text("Give the spare pills to Sam")
    patient.get_by_label("Add something you can do on your own (step 2)").fill("Play the piano")
    patient.get_by_role("button", name="Add to my plan").click()
    expect(patient.locator("#coping")).to_contain_text("Play the piano")
    checkpoint(patient, mine, "patient-plan")

    text = " ".join(_pdf_text(patient).split())
    assert "Walk by the river" in text and "Play the piano" in text and "988" in text
    assert re.search(r"Version \d+, last updated .+ Printed by Casey Morgan on \S", text), text[-300:]
    assert "Add to my plan" not in text


def test_the_therapist_replies_to_a_shared_entry_and_the_patient_reads_it_under_the_entry_and_at_home(
    page: Page, new_context: Callable[..., BrowserContext], live_server: str, server_dir: Path
) -> None:
    problems = _therapist_on_caseys_chart(page, server_dir)
    page.locator("#shared-entries").get_by_role("link", name="Replies").first.click()
    page.get_by_role("button", name="Sign and send reply").click()
    expect(page.locator("#e-body")).to_contain_text("Write your reply")
    checkpoint(page, problems, "empty-reply-refused")
    page.get_by_label("Your reply").fill("Thank you for sharing this. Let's talk about it on Tuesday.")
    page.get_by_role("button", name="Sign and send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent.")
    checkpoint(page, problems, "reply-sent")

    patient, mine = _patient_on_a_phone(new_context)
    home = patient.locator("section.replies")
    expect(home).to_contain_text("Let's talk about it on Tuesday")
    checkpoint(patient, mine, "home-reply")
    home.get_by_role("link").first.click()
    expect(patient.locator("section.replies")).to_contain_text("Your care team replied")
    expect(patient.locator("section.replies")).to_contain_text("Sam Okafor, therapist")
    checkpoint(patient, mine, "entry-reply")


def test_the_therapist_prints_a_signed_note_with_its_signature_block(
    page: Page, live_server: str, server_dir: Path
) -> None:
    problems = _therapist_on_caseys_chart(page, server_dir)
    page.locator("#notes p").filter(has_text="signed ").first.get_by_role("link").click()
    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("integration note")
    checkpoint(page, problems, "note-print")
    text = _pdf_text(page, pages=3)
    assert "Electronically signed by" in text and "Printed by Sam Okafor on" in text and "MRN DC-1001" in text
    assert "Sign and add addendum" not in text


def test_the_nurse_prints_an_infusion_record_with_its_vitals_and_signature_block(
    page: Page, live_server: str, server_dir: Path
) -> None:
    problems = watch(page)
    casey, infusion = casey_ids(server_dir)
    sign_in(page, "nurse@demo.clinic")
    page.goto(f"/infusions/{infusion}")
    page.get_by_role("link", name="Print record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infusion record · infusion 1")
    checkpoint(page, problems, "infusion-print")
    text = " ".join(_pdf_text(page).split())
    for words in ("MRN DC-1001", "KET-2401", "Avery Santos, RN", "128/82", "CADSS", "MOAA/S", "Fasting Confirmed"):
        assert words in text, words
    assert "Printed by Avery Santos on" in text and "Print or save as PDF" not in text
    assert "Signature" in text and ("Not signed" in text or "Electronically signed by" in text)


def test_the_therapist_prints_a_patient_summary_without_notes_or_journal(
    page: Page, live_server: str, server_dir: Path
) -> None:
    problems = _therapist_on_caseys_chart(page, server_dir)
    page.get_by_role("link", name="Print summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient summary · Casey Morgan")
    checkpoint(page, problems, "summary-print")
    text = " ".join(_pdf_text(page, pages=2).split())
    for words in ("MRN", "DC-1001", "Sertraline 100 mg", "F41.1", "Alex Morgan", "PHQ-9", "GAD-7", "Safety plan"):
        assert words in text, words
    assert "Printed by Sam Okafor on" in text and "Print or save as PDF" not in text
    assert "Integration note" not in text and "Shared with your care team" not in text
