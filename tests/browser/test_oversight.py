"""Oversight in a real browser: the supervisor's dashboard, overdue notes, the audit log (verify, filter, CSV export),
the co-sign queue, and the admin's clinic settings. Break the glass: test_oversight_break_glass.py.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, no sideways scrolling there, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.care_helpers import casey_ids
from tests.browser.checks import assert_clean, checkpoint, expect_announced, watch
from tests.browser.conftest import DEMO_PASSWORD, sign_in, submit
from tests.browser.oversight_helpers import (
    CLINIC_TZ,
    SIGNING_WINDOW,
    audit_rows,
    card,
    clinic_today,
    expect_forbidden,
    main_nav,
    unsigned_demo_infusions,
)

pytestmark = pytest.mark.browser

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

    riley.get_by_role("link", name="Review and co-sign the note for Riley Chen, infusion 4").click()
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    page.get_by_label("Re-enter your password to co-sign").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Co-sign", exact=True).click()
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
