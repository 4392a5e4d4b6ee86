"""Two-factor sign-in in a real browser on a phone-sized screen: a patient (who may choose it) sets up an
authenticator app from the security page, keeps the recovery codes, and signs in again with one of them. A new
account, so the demo accounts other journeys use keep signing in with a password alone."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.care_helpers import PATIENT_PASSWORD, fill_new_patient, unique_patient
from tests.browser.checks import checkpoint, watch
from tests.browser.conftest import screenshot, sign_in, sign_out, submit

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_a_patient_sets_up_an_authenticator_app_on_a_phone_and_signs_in_with_a_recovery_code(
    new_context, browser: Browser, live_server: str
):
    staff: BrowserContext = new_context()
    therapist = staff.new_page()
    sign_in(therapist, "therapist@demo.clinic")
    name, email, mrn = unique_patient()
    therapist.goto("/patients/new")
    fill_new_patient(therapist, name, email, mrn, dob="1990-02-03", weight="65", password=PATIENT_PASSWORD)
    assert submit(therapist.get_by_role("button", name="Create patient")) == 200

    page = new_context(viewport=PHONE).new_page()
    problems = watch(page)
    sign_in(page, email, PATIENT_PASSWORD)
    page.goto("/account/security")
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    checkpoint(page, problems, "security-before")
    assert submit(page.get_by_role("button", name="Set up an authenticator app")) == 200
    expect(page.locator("svg.qr")).to_be_visible()
    checkpoint(page, problems, "setup")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Type the code the app shows now").fill(pyotp.TOTP(secret).now())
    assert submit(page.get_by_role("button", name="Turn on")) == 200
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    checkpoint(page, problems, "recovery-codes")
    page.get_by_role("link", name="I've kept them safe").click()
    expect(page.get_by_text("10 of 10 recovery codes left")).to_be_visible()

    page.goto("/me")
    sign_out(page) if page.get_by_role("button", name="Sign out").count() else page.context.clear_cookies()
    sign_in(page, email, PATIENT_PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/code"))
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    checkpoint(page, problems, "code-step")
    page.get_by_label("Code").fill(codes[0])
    assert submit(page.get_by_role("button", name="Continue")) == 200
    page.goto("/account/security")
    expect(page.get_by_text("9 of 10 recovery codes left")).to_be_visible()
    checkpoint(page, problems, "security-after")
    wide = new_context(viewport={"width": 1280, "height": 900}, storage_state=page.context.storage_state()).new_page()
    wide.goto("/account/security")
    screenshot(wide, "two-factor-security-1280")
    screenshot(page, "two-factor-security-390")
