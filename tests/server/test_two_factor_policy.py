"""The clinic setting `staff_two_factor`: a staff account without a second factor, once its password is right, reaches
only its security page (to set one up) until it has one; patients are never held there."""

from __future__ import annotations

import re

import pyotp

from server.models import AuditEvent, Clinic, Role, User
from server.web import leaf_routes
from tests.conftest import csrf_from, login, token

STAFF = ("therapist@demo.clinic", "nurse@demo.clinic", "supervisor@demo.clinic", "admin@demo.clinic")
LET_THROUGH = {"/account/security", "/account/passkeys", "/login", "/healthz", "/livez", "/login/code"}
NOBODY = "2147483000"


async def _require_two_factors() -> None:
    clinic = await Clinic.get(slug="demo.clinic")
    await Clinic.filter(id=clinic.id).update(settings={**clinic.settings, "staff_two_factor": True})


def _gets(app, role: Role) -> list[str]:
    found = []
    for r in leaf_routes(app.routes):
        if "GET" not in r.methods or role not in r.endpoint.roles or r.path in LET_THROUGH:
            continue
        url = re.sub(r"\{\w+:int\}", NOBODY, r.path)
        found.append(re.sub(r"\{\w+(:str)?\}", "x", url))
    return found


async def test_staff_without_a_second_factor_reach_only_their_security_page(app, client, demo):
    await _require_two_factors()
    for email in STAFF:
        assert (await login(client, email)).status_code == 303
        me = await User.get(email=email)
        gets = _gets(app, me.role)
        assert len(gets) > 3, email
        for url in gets:
            r = await client.get(url)
            assert r.status_code == 303 and r.headers["location"] == "/account/security", (email, url, r.status_code)
        page = await client.get("/account/security")
        assert page.status_code == 200 and "Set up an authenticator app" in page.text
        assert "Caseload" not in page.text and "Accounts" not in page.text  # no navigation while held
        await client.post("/logout", data={"csrf_token": csrf_from(page.text)})


async def test_posts_are_held_too_and_setting_up_the_app_opens_every_page(client, demo, clock):
    await _require_two_factors()
    assert (await login(client, "therapist@demo.clinic")).status_code == 303
    csrf = await token(client, "/account/security")
    held = await client.post("/patients/new", data={"csrf_token": csrf})
    assert held.status_code == 303 and held.headers["location"] == "/account/security"
    setup = await client.post("/account/two-factor", data={"csrf_token": csrf})
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', setup.text).group(1).replace(" ", "")
    key = re.search(r'name="form_key" value="([^"]+)"', setup.text).group(1)
    code = pyotp.TOTP(secret).at(clock.now)
    done = await client.post("/account/two-factor/confirm", data={"csrf_token": csrf, "form_key": key, "code": code})
    assert done.status_code == 200
    assert (await client.get("/caseload")).status_code == 200
    # With the policy on, the app stays: removing it is refused.
    clock.advance(seconds=30)
    r = await client.post(
        "/account/two-factor/remove",
        data={"csrf_token": csrf, "password": "x", "code": pyotp.TOTP(secret).at(clock.now)},
    )
    assert r.status_code == 409 and "stays on" in r.text
    assert not await AuditEvent.exists(action="user.totp_removed")


async def test_patients_are_not_held(client, demo):
    await _require_two_factors()
    assert (await login(client, "patient@demo.clinic")).status_code == 303
    assert (await client.get("/journal")).status_code == 200
    assert (await client.get("/account/security")).status_code == 200
