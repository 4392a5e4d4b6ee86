"""Passkeys in real Chromium with its virtual authenticator (CDP WebAuthn, a platform authenticator that holds
discoverable credentials and verifies its user): the demo therapist adds a passkey, signs out, signs in with the
passkey alone, and signs a note with a passkey step-up; the audit log shows each step.

WebAuthn needs a secure context and a relying-party id that is a domain: the page is opened as http://localhost:PORT
(the live server's default WEBAUTHN_RP_ID is localhost, its origin http://localhost:PORT), not 127.0.0.1."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.care_helpers import create_patient_with_course, record_infusion
from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import ACTION_TIMEOUT_MS, DEMO_PASSWORD, screenshot, sign_in, sign_out, submit
from tests.browser.journal_notes_helpers import autosave_carrying, editor_ready, note_id_from, section
from tests.browser.oversight_helpers import audit_rows

pytestmark = pytest.mark.browser

THERAPIST = "therapist@demo.clinic"


@pytest.fixture
def localhost(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.replace("127.0.0.1", "localhost"))
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield context
    context.close()


def _rows(server_dir: Path, sql: str, *args: object) -> list[tuple]:
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        return db.execute(sql, args).fetchall()


def _fresh_infusion(therapist: Page, new_context: Callable[..., BrowserContext]) -> int:
    """A dose given yesterday to a new patient of the therapist's, recorded by the nurse who gave it: a note of its
    own to sign, whatever other journeys did to the demo's records."""
    name, patient_id = create_patient_with_course(therapist)
    admin = new_context().new_page()
    sign_in(admin, "admin@demo.clinic")
    admin.goto("/care-teams")
    admin.get_by_label(f"Therapist to add to {name}'s care team").select_option(label="Avery Santos")
    row = admin.get_by_role("row", name=re.compile(re.escape(name)))
    assert submit(row.get_by_role("button", name="Add", exact=True)) == 200
    nurse = new_context().new_page()
    sign_in(nurse, "nurse@demo.clinic")
    return record_infusion(nurse, patient_id)


def _add_virtual_authenticator(context: BrowserContext, page: Page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def _widths(page: Page, slug: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"passkeys-{slug}-{width}")
    page.set_viewport_size({"width": 1280, "height": 720})


def test_the_therapist_adds_a_passkey_signs_in_with_it_alone_and_signs_a_note_with_it(
    localhost: BrowserContext,
    new_context: Callable[..., BrowserContext],
    live_server: str,
    server_dir: Path,
) -> None:
    page = localhost.new_page()
    problems = watch(page)
    _add_virtual_authenticator(localhost, page)
    (first_seq,) = _rows(server_dir, "SELECT max(seq) FROM audit_event")[0]

    # 1. Add a passkey on the account's Passkeys page (after re-entering the password).
    sign_in(page, THERAPIST)
    page.goto("/account/passkeys")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passkeys")
    expect(page.locator("main")).to_contain_text("You have no passkeys yet.")
    checkpoint(page, problems, "passkeys-empty")
    _widths(page, "empty")
    add = page.locator("#passkey-add")
    add.get_by_label("Name it").fill("Work laptop")
    add.get_by_label("Your password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation(url=re.compile(r"/account/passkeys\?added=1$")):
        add.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_contain_text("Passkey added")
    expect(page.get_by_role("heading", level=2, name="Work laptop")).to_be_visible()
    expect(page.locator("li.passkey")).to_contain_text("not used yet")
    checkpoint(page, problems, "passkeys-added")
    _widths(page, "added")

    # 2. Sign out, then sign in with the passkey alone: no email, no password.
    sign_out(page)
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
    checkpoint(page, problems, "login-with-passkey-button")
    with page.expect_navigation(url=re.compile(r"/caseload$")):
        page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # 3. Write a note and sign it with a passkey step-up instead of the password.
    page.goto(f"/infusions/{_fresh_infusion(page, new_context)}/notes/new")
    editor_ready(page)
    page.get_by_label("Session summary").fill("IV ketamine 0.5 mg/kg over 40 minutes. Settled quickly.")
    page.get_by_label("Data", exact=True).fill("Engaged and reflective; oriented at discharge.")
    page.get_by_label("Assessment", exact=True).fill("Mood lifting. No new safety concerns.")
    plan = "Next infusion as scheduled; a passkey confirms this signature."
    page.get_by_label("Suicidal ideation").select_option(label="None")
    with autosave_carrying(page, plan):
        page.get_by_label("Plan", exact=True).fill(plan)
    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    note = note_id_from(page.url)
    page.goto(f"/notes/{note}")
    sign_box = section(page, "Sign and lock")
    use_passkey = sign_box.get_by_role("button", name="Use a passkey instead")
    expect(use_passkey).to_be_visible()
    checkpoint(page, problems, "draft-with-passkey-step-up")
    with page.expect_navigation(url=re.compile(rf"/notes/{note}$")):
        use_passkey.click()
    expect(page.locator(".page-head .badge")).to_have_text("Signed")
    expect(page.get_by_role("button", name="Sign note")).to_have_count(0)
    checkpoint(page, problems, "signed-with-passkey")

    # 4. The audit chain holds each step, in order, as the therapist's.
    therapist = _rows(server_dir, 'SELECT id FROM "user" WHERE email = ?', THERAPIST)[0][0]
    events = _rows(
        server_dir,
        "SELECT action, object_type, object_id, detail FROM audit_event WHERE seq > ? AND actor_id = ?"
        " AND action IN ('passkey.registered', 'auth.logout', 'auth.login', 'passkey.step_up', 'note.signed')"
        " ORDER BY seq",
        first_seq,
        therapist,
    )
    actions = [action for action, *_ in events]
    assert actions == ["auth.login", "passkey.registered", "auth.logout", "auth.login", "passkey.step_up",
                       "note.signed"], actions  # fmt: skip
    passkey = int(events[1][2])
    assert json.loads(events[3][3]) == {"method": "passkey", "passkey": passkey}
    assert events[4][1:3] == ("passkey", str(passkey)) and events[5][2] == str(note)

    # ... and the supervisor sees them in the audit log.
    audit = new_context().new_page()
    sign_in(audit, "supervisor@demo.clinic")
    audit.goto("/oversight/audit")
    audit.get_by_label("Who (email)").fill(THERAPIST)
    with audit.expect_navigation():
        audit.get_by_role("button", name="Filter").click()
    rows = audit_rows(audit)
    for action in ("passkey.registered", "auth.login", "passkey.step_up", "note.signed"):
        code = audit.locator("code", has_text=re.compile(rf"^{re.escape(action)}$"))
        expect(rows.filter(has=code).first).to_be_visible()
    screenshot(audit, "passkeys-audit-log")

    # 5. The therapist removes the passkey again (re-entering the password): the account signs in as before, which
    #    the later journeys of this shared server rely on.
    page.goto("/account/passkeys")
    row = page.locator("li.passkey", has=page.get_by_role("heading", level=2, name="Work laptop"))
    row.get_by_text("Rename or remove").click()
    row.get_by_label("Your password, to remove it").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        row.get_by_role("button", name="Remove passkey").click()
    expect(page.locator("main")).to_contain_text("You have no passkeys yet.")
    assert _rows(server_dir, 'SELECT second_factor FROM "user" WHERE id = ?', therapist) == [("",)]
