"""Oversight in a real browser: the supervisor's dashboard, overdue notes, the audit log (verify, filter, CSV export),
the co-sign queue, break the glass from request to supervisor review, and the admin's clinic settings.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, no sideways scrolling there, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.checks import assert_clean, checkpoint, expect_announced, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out, submit
from tests.browser.test_care import casey_ids, expect_error_next_to

pytestmark = pytest.mark.browser

CLINIC_TZ = ZoneInfo("America/New_York")  # the Demo Clinic's timezone: the audit filter's dates are its days
NOT_FOUND = "We couldn't find that page"
FORBIDDEN = "You can't do that here"
SIGNING_WINDOW = "Notes expected signed within (hours)"


# --- helpers --------------------------------------------------------------------------------------------------


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


# --- 1. supervisor: dashboard → overdue notes → audit log: verify, filter, export -----------------------------


def test_a_supervisor_reviews_the_dashboard_and_exports_one_patients_audit_trail(
    page: Page, live_server: str, server_dir: Path
) -> None:
    casey, _ = casey_ids(server_dir)
    problems = watch(page)
    sign_in(page, "supervisor@demo.clinic")
    expect(page).to_have_url(live_server + "/oversight")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight")

    # Both demo patients' old alerts are past the 24 h window: escalated, and counted in the navigation badge.
    escalated = card(page, re.compile(r"^Escalated risk alerts \(\d+\)$"))
    expect(escalated).to_have_count(1)
    heading = escalated.get_by_role("heading", level=2).inner_text()
    count = int(re.fullmatch(r"Escalated risk alerts \((\d+)\)", heading).group(1))  # type: ignore[union-attr]
    assert count >= 2, heading
    expect(escalated.locator("ul > li")).to_have_count(count)
    for name in ("Casey Morgan", "Riley Chen"):
        expect(escalated.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "href", re.compile(r"^/patients/\d+$")
        )
    oversight_link = main_nav(page).get_by_role("link", name=re.compile("^Oversight"))
    expect(oversight_link.locator(".badge")).to_have_text(f"{count} escalated alerts")
    expect(oversight_link).to_have_accessible_name(f"Oversight {count} escalated alerts")

    # One row per therapist, the trainee marked as such.
    by_therapist = card(page, re.compile("^Notes by therapist"))
    for name in ("Jordan Lee (trainee)", "Sam Okafor"):  # other tests may add therapists of their own
        expect(by_therapist.get_by_role("rowheader", name=name, exact=True)).to_have_count(1)
    checkpoint(page, problems, "oversight")

    # The clinic's overdue notes: the number on the link is the length of the list it opens.
    overdue_link = card(page, "Clinic").get_by_role("link", name=re.compile(r"^\d+ overdue notes$"))
    overdue_count = int(overdue_link.inner_text().split()[0])
    overdue_link.click()
    expect(page).to_have_url(live_server + "/oversight/overdue-notes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue notes")
    listed = page.locator("main ul > li")
    expect(listed).to_have_count(overdue_count)
    # Exactly the demo patients' given infusions that still have no signed note (in a fresh clinic Casey's 3, 4
    # and 5: no note, a draft, no note); other browser tests may have signed some of them since.
    for name, email in (("Casey Morgan", "patient@demo.clinic"), ("Riley Chen", "patient2@demo.clinic")):
        shown = listed.get_by_role("link", name=re.compile(f"^{name} · infusion "))
        expected = [f"{name} · infusion {n}" for n in unsigned_demo_infusions(server_dir, email)]
        if expected:
            expect(shown).to_have_text(expected)
        else:
            expect(shown).to_have_count(0)
    expect(listed.first).to_contain_text(re.compile(r" · given .+ · care team: \d+ therapist\(s\)$"))
    checkpoint(page, problems, "overdue-notes")

    # Opening Casey's chart from the escalated alerts is recorded against her record (an event for the filter).
    page.get_by_role("link", name="← Oversight").click()
    card(page, re.compile(r"^Escalated risk alerts")).get_by_role("link", name="Casey Morgan", exact=True).click()
    expect(page).to_have_url(live_server + f"/patients/{casey}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Morgan")
    checkpoint(page, problems, "casey-chart")

    # Back to the dashboard, then the audit log.
    main_nav(page).get_by_role("link", name=re.compile("^Oversight")).click()
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page).to_have_url(live_server + "/oversight/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    chain = card(page, "Chain status")
    with page.expect_navigation():
        chain.get_by_role("button", name="Verify now").click()
    expect(page).to_have_url(live_server + "/oversight/audit")
    expect(chain.locator("p.save-ok")).to_have_text(re.compile(r"^Intact through seq \d+ \(checked .+\)\. \d+ newer"))
    expect(chain.get_by_role("alert")).to_have_count(0)  # no "BROKEN" message
    checkpoint(page, problems, "audit-verified")

    # Casey's events of the last week, by MRN and dates in the clinic's own days.
    until = clinic_today()
    since = until - timedelta(days=7)
    page.get_by_label("Patient (MRN)").fill("DC-1001")
    page.get_by_label("From").fill(since.isoformat())
    page.get_by_label("To").fill(until.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    query = f"patient=DC-1001&since={since.isoformat()}&until={until.isoformat()}"
    sent = {name: value for name, value in parse_qsl(urlsplit(page.url).query) if value}
    assert sent == {"patient": "DC-1001", "since": since.isoformat(), "until": until.isoformat()}, page.url
    expect(page.get_by_label("Patient (MRN)")).to_have_value("DC-1001")
    expect(page.get_by_label("From")).to_have_value(since.isoformat())
    expect(page.get_by_label("To")).to_have_value(until.isoformat())
    rows = audit_rows(page)
    expect(rows.first.get_by_role("cell").nth(4)).to_have_text("Casey Morgan (DC-1001)")  # at least one match
    patients = [row.get_by_role("cell").nth(4).inner_text() for row in rows.all()]
    assert patients and set(patients) == {"Casey Morgan (DC-1001)"}, patients
    mine = rows.filter(has=page.locator("td", has_text=re.compile(r"^Priya Raman \(supervisor\)$")))
    expect(mine.filter(has=page.locator("code", has_text=re.compile(r"^patient\.chart_viewed$"))).first).to_be_visible()
    table_seqs = [int(row.get_by_role("cell").first.inner_text()) for row in rows.all()]
    assert table_seqs == sorted(table_seqs, reverse=True), "newest first"
    checkpoint(page, problems, "audit-filtered")

    # The CSV carries the same filters and only Casey's events.
    download_link = page.get_by_role("link", name="Download CSV")
    expect(download_link).to_have_attribute("href", f"/oversight/audit.csv?{query}")
    with page.expect_download() as started:
        download_link.click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename == "audit.csv"
    with open(download.path(), newline="", encoding="utf-8") as exported:
        table = list(csv.reader(exported))
    assert table[0][:3] == ["seq", "at", "actor_id"], table[0]
    column = table[0].index("patient_id")
    data = table[1:]
    assert data, "the export has no rows"
    assert {row[column] for row in data} == {str(casey)}, {row[column] for row in data}
    csv_seqs = [int(row[0]) for row in data]
    assert set(table_seqs) <= set(csv_seqs), "every event on the page is in the export"
    days = {datetime.fromisoformat(row[1]).astimezone(CLINIC_TZ).date() for row in data}
    assert all(since <= day <= until for day in days), days
    assert_clean(page, problems)


# --- 2. co-sign from the queue --------------------------------------------------------------------------------


def test_a_supervisor_cosigns_the_trainees_note_from_the_queue(page: Page, live_server: str) -> None:
    problems = watch(page)
    sign_in(page, "supervisor@demo.clinic")
    page.get_by_role("link", name="Co-sign queue", exact=True).click()
    expect(page).to_have_url(live_server + "/oversight/cosign")
    expect(page.get_by_role("heading", level=1)).to_have_text("Co-sign queue")
    waiting = page.locator("main li.card")
    expect(waiting).to_have_count(1)
    riley = waiting.filter(has=page.get_by_role("link", name=re.compile(r"^Riley Chen · infusion 4 · ")))
    expect(riley).to_contain_text("by Jordan Lee")
    checkpoint(page, problems, "cosign-queue")

    with page.expect_navigation():
        riley.get_by_role("button", name="Co-sign the note for Riley Chen, infusion 4").click()
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"note · infusion 4$"))
    expect(page.locator(".page-head .badge")).to_have_text("Co-signed")
    expect(page.locator("article.note")).to_contain_text("co-signed by Priya Raman")
    expect(page.get_by_role("button", name="Co-sign")).to_have_count(0)  # nothing left to co-sign here
    checkpoint(page, problems, "cosigned-note")

    page.goto("/oversight")
    page.get_by_role("link", name="Co-sign queue", exact=True).click()
    expect(page.locator("main ul.plain > li")).to_have_text(["Nothing waiting."])
    checkpoint(page, problems, "cosign-queue-empty")


# --- 3. break the glass: request, refused password, emergency access, supervisor review ------------------------


def test_a_therapist_breaks_the_glass_and_a_supervisor_reviews_it(
    new_context: Callable[..., BrowserContext], live_server: str, server_dir: Path
) -> None:
    riley = patient_id(server_dir, "patient2@demo.clinic")
    reason = f"Riley's therapist is away and Riley called in crisis (ref {uuid.uuid4().hex[:6]})"
    page = new_context().new_page()
    problems = watch(page)
    sign_in(page, "therapist@demo.clinic")

    # Riley is not on Sam's caseload: the chart looks like a missing page.
    response = page.goto(f"/patients/{riley}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
    expect(page.locator("main")).not_to_contain_text("Riley Chen")
    checkpoint(page, problems, "not-found")

    main_nav(page).get_by_role("link", name="Emergency access").click()
    expect(page).to_have_url(live_server + "/break-glass")
    expect(page.get_by_role("heading", level=1)).to_have_text("Break the glass")
    checkpoint(page, problems, "break-glass")

    # A wrong password: refused, the message by the password field, the MRN and reason kept.
    page.get_by_label("Patient's MRN").fill("DC-1002")
    page.get_by_label("Why is this an emergency?").fill(reason)
    page.get_by_label("Re-enter your password").fill("not-my-password-at-all")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Request emergency access").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(page).to_have_url(live_server + "/break-glass")
    expect_error_next_to(page, "password", "That password is wrong.")
    expect_announced(page, page.get_by_label("Re-enter your password"), "That password is wrong.")
    expect(page.get_by_label("Patient's MRN")).to_have_value("DC-1002")
    expect(page.get_by_label("Why is this an emergency?")).to_have_value(reason)
    expect(page.get_by_label("Re-enter your password")).to_have_value("")  # never sent back
    checkpoint(page, problems, "break-glass-wrong-password")

    # The right password: straight to Riley's chart, read-only, under the emergency banner.
    page.get_by_label("Re-enter your password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Request emergency access").click()
    expect(page).to_have_url(live_server + f"/patients/{riley}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Chen")
    banner = page.locator(".banner-glass")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("Emergency access (break the glass).")
    expect(banner).to_contain_text("You are not on this patient's care team.")
    expect(page.locator("main")).to_contain_text("MRN DC-1002")
    expect(page.get_by_role("link", name="Record infusion")).to_have_count(0)
    expect(page.get_by_role("link", name="Enter PHQ-9")).to_have_count(0)
    checkpoint(page, problems, "emergency-chart")
    response = page.goto(f"/patients/{riley}/infusions/new")  # read access only
    assert response is not None and response.status == 404
    checkpoint(page, problems, "not-found-write")
    page.goto(f"/patients/{riley}")
    sign_out(page)

    # The supervisor sees the access, with its reason, and records a review.
    sign_in(page, "supervisor@demo.clinic")
    page.get_by_role("link", name="Break-the-glass review", exact=True).click()
    expect(page).to_have_url(live_server + "/oversight/break-glass")
    expect(page.get_by_role("heading", level=1)).to_have_text("Break-the-glass review")
    grant = page.locator("main article.card", has_text=reason)
    expect(grant).to_have_count(1)
    expect(grant.get_by_role("heading", level=2)).to_have_text("Sam Okafor → Riley Chen")
    expect(grant).to_contain_text(f"reason: “{reason}”")
    expect(grant).to_have_class(re.compile(r"\bcard-alert\b"))  # not reviewed yet
    checkpoint(page, problems, "break-glass-review")

    # An empty review is refused with a message; then a real one is recorded.
    with page.expect_navigation() as navigation:
        grant.get_by_role("button", name="Mark reviewed").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(grant.locator("p.error")).to_have_text("Record what you found (up to 500 characters).")
    checkpoint(page, problems, "review-error")

    review = "Spoke with Sam: justified, Riley's own therapist was on leave."
    grant.get_by_label("Review note").fill(review)
    with page.expect_navigation() as navigation:
        grant.get_by_role("button", name="Mark reviewed").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(live_server + "/oversight/break-glass")
    expect(grant.locator("p.muted")).to_have_text(re.compile(rf"^Reviewed by Priya Raman .+: {re.escape(review)}$"))
    expect(grant.get_by_role("button", name="Mark reviewed")).to_have_count(0)
    expect(grant).not_to_have_class(re.compile(r"\bcard-alert\b"))
    checkpoint(page, problems, "reviewed")


# --- 4. the admin: no oversight pages, but the clinic's settings ---------------------------------------------


def test_an_admin_cannot_open_oversight_but_changes_the_signing_window(
    page: Page, new_context: Callable[..., BrowserContext], live_server: str
) -> None:
    problems = watch(page)
    sign_in(page, "admin@demo.clinic")
    for path in ("/oversight", "/oversight/audit", "/oversight/audit.csv", "/oversight/break-glass"):
        expect_forbidden(page, path)
        checkpoint(page, problems, "forbidden")
    expect(main_nav(page).get_by_role("link", name=re.compile("^Oversight"))).to_have_count(0)

    main_nav(page).get_by_role("link", name="Settings").click()
    expect(page).to_have_url(live_server + "/admin/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic settings")
    window = page.get_by_label(SIGNING_WINDOW)
    before = window.input_value()
    assert before.isdigit() and before != "48", before
    checkpoint(page, problems, "settings")

    # Out of range first: refused, and the message is read out and tied to the field.
    window.fill("500")
    assert submit(page.get_by_role("button", name="Save settings")) == 400
    expect_announced(page, page.get_by_label(SIGNING_WINDOW), "The signing window (hours) must be between 1 and 336.")
    checkpoint(page, problems, "settings-error")

    page.get_by_label(SIGNING_WINDOW).fill("48")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    expect(page).to_have_url(live_server + "/admin/settings?saved=1")
    expect(page.get_by_role("status")).to_have_text("Settings saved.")
    expect(page.get_by_label(SIGNING_WINDOW)).to_have_value("48")
    checkpoint(page, problems, "settings-saved")

    # The supervisor's dashboard now measures against 48 hours.
    supervisor = new_context().new_page()
    supervisor_problems = watch(supervisor)
    sign_in(supervisor, "supervisor@demo.clinic")
    expect(card(supervisor, re.compile("^Notes by therapist"))).to_contain_text("window 48 h")
    checkpoint(supervisor, supervisor_problems, "oversight-window-48")

    # Put the demo clinic back as it was for the tests that follow.
    page.get_by_label(SIGNING_WINDOW).fill(before)
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_label(SIGNING_WINDOW)).to_have_value(before)


# --- regressions for bugs found while writing these journeys --------------------------------------------------


def request_emergency_access(page: Page, mrn: str, reason: str) -> None:
    """As the signed-in therapist: Emergency access → MRN, reason, password → the patient's chart."""
    page.goto("/break-glass")
    page.get_by_label("Patient's MRN").fill(mrn)
    page.get_by_label("Why is this an emergency?").fill(reason)
    page.get_by_label("Re-enter your password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Request emergency access").click()
    expect(page.locator(".banner-glass")).to_contain_text("Emergency access (break the glass).")


def pending_grant(page: Page, reason: str) -> Locator:
    grant = page.locator("main article.card", has_text=reason)
    expect(grant).to_have_count(1)
    expect(grant.get_by_role("button", name="Mark reviewed")).to_be_visible()
    return grant


def test_an_empty_review_shows_its_message_only_on_the_grant_submitted(
    new_context: Callable[..., BrowserContext],
) -> None:
    tag = uuid.uuid4().hex[:6]
    first, second = (f"Covering for Riley's therapist, call {n} (ref {tag})" for n in (1, 2))
    therapist = new_context().new_page()
    sign_in(therapist, "therapist@demo.clinic")
    for reason in (first, second):
        request_emergency_access(therapist, "DC-1002", reason)

    page = new_context().new_page()
    sign_in(page, "supervisor@demo.clinic")
    page.goto("/oversight/break-glass")
    acted_on, other = pending_grant(page, first), pending_grant(page, second)
    with page.expect_navigation() as navigation:
        acted_on.get_by_role("button", name="Mark reviewed").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(acted_on.locator("p.error")).to_have_text("Record what you found (up to 500 characters).")
    expect(other.locator("p.error")).to_have_count(0, timeout=1_000)


def test_an_empty_review_marks_its_field_invalid_for_screen_readers(
    new_context: Callable[..., BrowserContext],
) -> None:
    reason = f"Riley's therapist unreachable, urgent call (ref {uuid.uuid4().hex[:6]})"
    therapist = new_context().new_page()
    sign_in(therapist, "therapist@demo.clinic")
    request_emergency_access(therapist, "DC-1002", reason)

    page = new_context().new_page()
    sign_in(page, "supervisor@demo.clinic")
    page.goto("/oversight/break-glass")
    grant = pending_grant(page, reason)
    with page.expect_navigation():
        grant.get_by_role("button", name="Mark reviewed").click()
    grant = page.locator("main article.card", has_text=reason)
    expect(grant.locator("p.error")).to_have_text("Record what you found (up to 500 characters).")
    field = grant.get_by_label("Review note")
    expect(field).to_have_attribute("aria-invalid", "true", timeout=1_000)
    expect(field).to_have_accessible_description("Record what you found (up to 500 characters).", timeout=1_000)
    expect_announced(page, field, "Record what you found (up to 500 characters).")
