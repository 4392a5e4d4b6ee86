"""Passkeys as a second factor: a passkey satisfies the clinic's two-factor rule, a password sign-in of an account
with passkeys waits for one of them, the password alone no longer signs a record for such an account, the last
factor cannot be removed while the clinic asks for two, and an admin's reset leaves the account with none."""

from __future__ import annotations

from server.models import AuditEvent, Clinic, Session, User
from server.passkey_models import Passkey
from tests.conftest import DEMO_PASSWORD, another, csrf_from, login, token
from tests.server.test_passkeys import THERAPIST, add_passkey


async def _require_two_factors() -> None:
    clinic = await Clinic.get(slug="demo.clinic")
    await Clinic.filter(id=clinic.id).update(settings={**clinic.settings, "staff_two_factor": True})


async def test_a_passkey_is_a_second_factor_for_the_clinics_rule(client, demo):
    await _require_two_factors()
    assert (await login(client, THERAPIST)).status_code == 303
    held = await client.get("/caseload")
    assert held.status_code == 303 and held.headers["location"] == "/account/security"
    page = await client.get("/account/security")
    assert "or a passkey" in page.text and "Add a passkey" in page.text
    assert (await client.get("/account/passkeys")).status_code == 200  # a passkey can be the factor set up
    await client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    await add_passkey(client, THERAPIST)  # signs in (held at the security page) and adds one
    assert (await User.get(email=THERAPIST)).second_factor == "passkey"
    assert (await client.get("/caseload")).status_code == 200
    assert "1 on this account" in (await client.get("/account/security")).text


async def test_a_password_sign_in_waits_for_the_passkey_and_a_passkey_finishes_it(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    async with another(client) as browser:
        assert (await login(browser, THERAPIST)).status_code == 303
        held = await browser.get("/caseload")
        assert held.status_code == 303 and held.headers["location"].startswith("/login/code")
        page = await browser.get("/login/code")
        assert "Use your passkey" in page.text and 'name="code"' not in page.text
        csrf = csrf_from(page.text)
        r = await browser.post("/login/code", data={"csrf_token": csrf, "code": ""})
        assert r.status_code == 400 and "passkey" in r.text
        options = (await browser.post("/account/passkeys/step-up", data={"csrf_token": csrf})).json()
        r = await browser.post(
            "/login/code", data={"csrf_token": csrf, "passkey_assertion": authenticator.get(options)}
        )
        assert r.status_code == 303
        assert (await browser.get("/caseload")).status_code == 200
    login_event = await AuditEvent.filter(action="auth.login").order_by("-seq").first()
    assert login_event is not None and login_event.detail["factor"] == "passkey"


async def test_the_password_alone_no_longer_opens_what_a_passkey_guards(client, demo):
    await add_passkey(client, THERAPIST)
    csrf = await token(client)
    r = await client.post(
        "/break-glass", data={"csrf_token": csrf, "mrn": "DC-1002", "reason": "On call", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 400 and "Use a passkey instead" in r.text


async def test_the_last_factor_stays_while_the_clinic_asks_for_two(client, demo):
    await add_passkey(client, THERAPIST)
    await _require_two_factors()
    passkey = await Passkey.get()
    csrf = await token(client)
    data = {"csrf_token": csrf, "password": DEMO_PASSWORD}
    r = await client.post(f"/account/passkeys/{passkey.id}/remove", data=data)
    assert r.status_code == 400 and "last one" in r.text and await Passkey.exists(id=passkey.id)


async def test_an_admins_reset_leaves_the_account_without_a_second_factor(client, demo):
    await add_passkey(client, THERAPIST)
    therapist = await User.get(email=THERAPIST)
    assert therapist.second_factor == "passkey"
    async with another(client) as admin:
        assert (await login(admin, "admin@demo.clinic")).status_code == 303
        r = await admin.post(f"/admin/users/{therapist.id}/password", data={"csrf_token": await token(admin)})
        assert r.status_code in (200, 303)
    assert not await Passkey.exists(user_id=therapist.id)
    assert (await User.get(id=therapist.id)).second_factor == ""
    assert not await Session.filter(user_id=therapist.id, revoked_at=None).exists()
