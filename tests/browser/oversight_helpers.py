"""Lookups and locators shared by the oversight journeys (test_oversight.py, test_oversight_break_glass.py)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

CLINIC_TZ = ZoneInfo("America/New_York")  # the Demo Clinic's timezone: the audit filter's dates are its days
NOT_FOUND = "We couldn't find that page"
FORBIDDEN = "You can't do that here"
SIGNING_WINDOW = "Notes expected signed within (hours)"


def clinic_today() -> date:
    return datetime.now(CLINIC_TZ).date()


def patient_id(server_dir: Path, email: str) -> int:
    """A demo patient's id, read from the live server's database (an address a person could guess)."""
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        row = db.execute(
            'SELECT p.id FROM patient p JOIN "user" u ON u.id = p.user_id WHERE u.email = ?', (email,)
        ).fetchone()
    assert row, f"no demo patient {email}"
    return int(row[0])


def unsigned_demo_infusions(server_dir: Path, email: str) -> list[int]:
    """The numbers of a demo patient's five given infusions that have no signed (or co-signed, or awaiting
    co-signature) note in the live server's database: the ones overdue whatever the signing window."""
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        rows = db.execute(
            'SELECT i.number FROM infusion i JOIN patient p ON p.id = i.patient_id JOIN "user" u ON u.id = p.user_id'
            " WHERE u.email = ? AND i.number <= 5 AND i.started_at IS NOT NULL AND NOT EXISTS ("
            "  SELECT 1 FROM integration_note n WHERE n.infusion_id = i.id"
            "  AND n.status IN ('signed', 'cosigned', 'cosign_pending'))"
            " ORDER BY i.number",
            (email,),
        ).fetchall()
    return [int(number) for (number,) in rows]


def card(page: Page, heading: str | re.Pattern[str]) -> Locator:
    """The section whose h2 is `heading`."""
    return page.locator("section", has=page.get_by_role("heading", level=2, name=heading))


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def audit_rows(page: Page) -> Locator:
    return page.get_by_role("region", name="Audit events (scrolls sideways)").locator("tbody tr")


def expect_forbidden(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 403, (path, response.status if response else None)
    expect(page.get_by_role("heading", level=1)).to_have_text(FORBIDDEN)
    expect(page.locator("main")).to_contain_text(re.compile(r"Error 403 · reference [0-9a-f]{16}"))
