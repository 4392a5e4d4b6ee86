"""The calendar journey in real Chromium: the therapist moves Casey's session to next Tuesday and sees it in the week
view; Casey sees it with the clinic's checklist and writes an intention; the nurse records the dose from the booked
session, which completes it; the therapist's note editor shows the intention."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.care_helpers import casey_ids
from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import sign_in, submit
from tests.browser.journal_notes_helpers import expect_autosaved

pytestmark = pytest.mark.browser

INTENTION = "To let the old grief move a little"


def _next_tuesday() -> date:
    today = datetime.now(ZoneInfo("America/New_York")).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def _booking_of(server_dir: Path, patient_id: int, room: str) -> tuple[int, str, int | None]:
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        row = db.execute(
            "SELECT id, status, infusion_id FROM booking WHERE patient_id = ? AND room = ? ORDER BY id DESC",
            (patient_id, room),
        ).fetchone()
    assert row, f"no booking in {room}"
    return int(row[0]), str(row[1]), row[2]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_session_is_booked_prepared_for_and_completed_by_its_infusion(
    new_context: Callable[..., BrowserContext], server_dir: Path, width: int
):
    patient_id, _ = casey_ids(server_dir)
    room, hour = f"Chair {width}", "10:00" if width == 390 else "13:00"  # one clinician, two bookings: no overlap
    tuesday = _next_tuesday()
    size = {"viewport": {"width": width, "height": 844}}

    therapist: Page = new_context(**size).new_page()
    problems = watch(therapist)
    sign_in(therapist, "therapist@demo.clinic")
    # Casey's earlier booked sessions are cancelled first ("moved to Tuesday"), so Tuesday's is her next one.
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        earlier = [
            r[0] for r in db.execute("SELECT id FROM booking WHERE patient_id = ? AND status = 'booked'", (patient_id,))
        ]
    for booking_id in earlier:
        therapist.goto(f"/bookings/{booking_id}")
        therapist.get_by_label(re.compile("Cancel or mark missed")).fill("Moved to Tuesday")
        assert submit(therapist.get_by_role("button", name="Cancel session")) == 200
        expect(therapist.get_by_role("status")).to_contain_text("Marked cancelled")

    therapist.goto(f"/patients/{patient_id}")
    therapist.get_by_role("link", name="Book a session").click()
    expect(therapist.get_by_role("heading", level=1)).to_contain_text("Book a session for")
    checkpoint(therapist, problems, f"booking-form-{width}")
    therapist.get_by_label("Kind of session").select_option("dosing")
    therapist.get_by_label(re.compile("^Starts")).fill(f"{tuesday.isoformat()}T{hour}")
    therapist.get_by_label("Chair or room").fill(room)
    assert submit(therapist.get_by_role("button", name="Book session")) == 200
    expect(therapist.get_by_role("status")).to_contain_text("Booked.")
    therapist.goto(f"/calendar?view=week&date={tuesday.isoformat()}")
    day = therapist.locator("section.calendar-day", has=therapist.get_by_role("heading", name=re.compile(r"^Tue")))
    expect(day).to_contain_text(f"{hour}–{int(hour[:2]) + 2}:00 · {room}")
    expect(day).to_contain_text("Casey")
    checkpoint(therapist, problems, f"calendar-week-{width}")

    casey: Page = new_context(**size).new_page()
    casey_problems = watch(casey)
    sign_in(casey, "patient@demo.clinic")
    session = casey.locator("section.next-session")
    expect(session).to_contain_text(f"{tuesday:%a} {tuesday.day} {tuesday:%b %Y}, {hour}")
    expect(session).to_contain_text("Before you come")
    expect(session).to_contain_text("Someone to take you home afterwards")
    checkpoint(casey, casey_problems, f"next-session-{width}")
    session.get_by_role("link", name="Write an intention for this session").click()
    expect(casey.locator("h1")).to_contain_text("what would you like to bring to it?")
    expect(casey.get_by_label("Share this entry with my care team")).to_be_checked()
    casey.locator("textarea[name=body]").fill(INTENTION)
    expect_autosaved(casey)  # saved as it was typed
    casey.goto("/journal")
    expect(casey.locator("section.next-session")).to_contain_text("Your intention:")
    checkpoint(casey, casey_problems, f"intention-written-{width}")

    booking_id, _, _ = _booking_of(server_dir, patient_id, room)
    nurse: Page = new_context(**size).new_page()
    nurse_problems = watch(nurse)
    sign_in(nurse, "nurse@demo.clinic")
    nurse.goto(f"/bookings/{booking_id}")
    nurse.get_by_role("link", name="Record infusion").click()
    expect(nurse.get_by_role("status")).to_contain_text("Recording this completes the session booked for")
    checkpoint(nurse, nurse_problems, f"record-from-booking-{width}")
    assert submit(nurse.get_by_role("button", name="Save infusion")) == 200
    _, status, infusion_id = _booking_of(server_dir, patient_id, room)
    assert status == "completed" and infusion_id

    therapist.goto(f"/bookings/{booking_id}")
    expect(therapist.locator("main")).to_contain_text(INTENTION)
    expect(therapist.get_by_role("link", name="Open the record")).to_be_visible()
    therapist.goto(f"/infusions/{infusion_id}/notes/new")
    expect(therapist.locator("aside.prefill")).to_contain_text(INTENTION)
    checkpoint(therapist, problems, f"note-editor-with-intention-{width}")
