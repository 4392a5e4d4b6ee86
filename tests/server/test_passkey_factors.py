"""Passkeys as a second factor: a passkey satisfies the clinic's two-factor rule, a password sign-in of an account
with passkeys waits for one of them, the password alone no longer signs a record for such an account, the last
factor cannot be removed while the clinic asks for two, and an admin's reset leaves the account with none."""

from __future__ import annotations

from server.models import AccessApproval, AuditEvent, Session, User
from server.passkey_models import Passkey
from tests.conftest import DEMO_PASSWORD, another, csrf_from, login, token
from tests.server.test_passkeys import THERAPIST, add_passkey
from tests.server.test_two_factor_policy import _require_two_factors


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
    reason = "On call tonight, the care team is away"
    data = {"csrf_token": csrf, "mrn": "DC-1002", "reason": reason, "password": DEMO_PASSWORD}
    r = await client.post("/break-glass", data=data)
    assert r.status_code == 400 and "Your account signs with a passkey" in r.text


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


async def test_a_supervisor_decides_an_approval_with_a_passkey_and_a_decision_is_required(client, demo):
    supervisor = await add_passkey(client, "supervisor@demo.clinic")
    async with another(client) as admin:
        assert (await login(admin, "admin@demo.clinic")).status_code == 303
        new = {"csrf_token": await token(admin), "name": "Rowan Pike", "email": "rowan@demo.clinic"}
        r = await admin.post("/admin/users/new", data=new | {"role": "therapist", "form_key": "r" * 24})
        assert r.status_code == 200
    approval = await AccessApproval.get(user__email="rowan@demo.clinic")
    page = await client.get("/approvals")
    assert "Use a passkey instead" in page.text and 'name="decision" value="approve"' in page.text
    csrf = csrf_from(page.text)
    options = (await client.post("/account/passkeys/step-up", data={"csrf_token": csrf})).json()
    answer = {"csrf_token": csrf, "password": "", "passkey_assertion": supervisor.get(options)}
    r = await client.post(f"/approvals/{approval.id}", data=answer)  # no decision chosen: nothing is decided
    assert r.status_code == 400 and "Choose approve or decline." in r.text
    assert (await AccessApproval.get(id=approval.id)).outcome == "pending"
    password_only = {"csrf_token": csrf, "decision": "approve", "password": DEMO_PASSWORD}
    r = await client.post(f"/approvals/{approval.id}", data=password_only)
    assert r.status_code == 400 and "Your account signs with a passkey" in r.text  # the password alone is not enough
    options = (await client.post("/account/passkeys/step-up", data={"csrf_token": csrf})).json()
    answer |= {"decision": "approve", "passkey_assertion": supervisor.get(options)}
    r = await client.post(f"/approvals/{approval.id}", data=answer)
    assert r.status_code == 200 and "Approved" in r.text
    assert (await AccessApproval.get(id=approval.id)).outcome == "approved"
    assert await AuditEvent.filter(action="passkey.step_up").count() == 1
