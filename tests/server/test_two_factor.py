"""Two-factor sign-in with an authenticator app (TOTP): enrolment, the code step of a sign-in, recovery codes,
step-up with a code, the throttle, and what ends a factor. Codes are computed with pyotp at the app's clock."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pyotp

from notes.models import ProcessNote
from server import enrolment
from server.actor import Actor
from server.models import AuditEvent, RecoveryCode, Session, TotpFactor, User
from tests.conftest import DEMO_PASSWORD, csrf_from, login, token

THERAPIST = "therapist@demo.clinic"
SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
CODES = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
KEY = re.compile(r'name="form_key" value="([^"]+)"')


def fresh(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another browser on the same app."""
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")


def code_at(secret: str, clock, seconds: float = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now + timedelta(seconds=seconds))


async def begin(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """Start setting up the app: (secret, form key, csrf token)."""
    csrf = await token(client, "/account/security")
    page = await client.post("/account/two-factor", data={"csrf_token": csrf})
    assert page.status_code == 200, page.text
    return SECRET.search(page.text).group(1).replace(" ", ""), KEY.search(page.text).group(1), csrf


async def enrol(client: httpx.AsyncClient, clock, email: str = THERAPIST) -> tuple[str, list[str]]:
    """Sign in and turn on the app; the clock then moves past the step the confirming code used."""
    assert (await login(client, email)).status_code == 303
    secret, key, csrf = await begin(client)
    done = await client.post(
        "/account/two-factor/confirm", data={"csrf_token": csrf, "form_key": key, "code": code_at(secret, clock)}
    )
    assert done.status_code == 200, done.text
    codes = CODES.findall(done.text)
    clock.advance(seconds=30)
    return secret, codes


async def sign_in_with(client: httpx.AsyncClient, code: str, email: str = THERAPIST) -> httpx.Response:
    first = await login(client, email)
    assert first.status_code == 303
    page = await client.get("/login/code")
    assert page.status_code == 200, page.status_code
    return await client.post("/login/code", data={"csrf_token": csrf_from(page.text), "code": code})


async def actions(user_email: str = THERAPIST) -> list[str]:
    me = await User.get(email=user_email)
    return [e.action for e in await AuditEvent.filter(actor_id=me.id).order_by("seq")]


async def test_enrolment_shows_a_qr_code_then_ten_recovery_codes_once(client, demo, clock):
    assert (await login(client, THERAPIST)).status_code == 303
    csrf = await token(client, "/account/security")
    page = await client.post("/account/two-factor", data={"csrf_token": csrf})
    assert '<svg viewBox="' in page.text and 'class="qr"' in page.text
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    assert "style" not in svg and "<script" not in svg  # the page's strict CSP allows no inline style
    again = await client.post("/account/two-factor", data={"csrf_token": csrf})  # a reload shows the same secret
    assert SECRET.search(again.text).group(1) == SECRET.search(page.text).group(1)
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    wrong = await client.post(
        "/account/two-factor/confirm",
        data={
            "csrf_token": csrf,
            "form_key": KEY.search(page.text).group(1),
            "code": "000000" if code_at(secret, clock) != "000000" else "111111",
        },
    )
    assert wrong.status_code == 400 and "code didn" in wrong.text and '<svg viewBox="' in wrong.text
    done = await client.post(
        "/account/two-factor/confirm",
        data={"csrf_token": csrf, "form_key": KEY.search(page.text).group(1), "code": code_at(secret, clock)},
    )
    codes = CODES.findall(done.text)
    assert len(set(codes)) == 10
    me = await User.get(email=THERAPIST)
    assert me.second_factor == "totp"
    stored = await RecoveryCode.filter(user_id=me.id).values_list("code_hash", flat=True)
    assert len(stored) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    overview = await client.get("/account/security")
    assert "10 of 10 recovery codes left" in overview.text and codes[0] not in overview.text
    assert {"user.totp_started", "auth.code_failed", "user.totp_confirmed"} <= set(await actions())


async def test_a_double_submitted_confirmation_confirms_once_and_the_last_codes_shown_work(client, demo, clock):
    assert (await login(client, THERAPIST)).status_code == 303
    secret, key, csrf = await begin(client)
    data = {"csrf_token": csrf, "form_key": key, "code": code_at(secret, clock)}
    first = await client.post("/account/two-factor/confirm", data=data)
    second = await client.post("/account/two-factor/confirm", data=data)
    assert first.status_code == second.status_code == 200
    old, new = CODES.findall(first.text), CODES.findall(second.text)
    assert len(new) == 10 and not set(old) & set(new)
    assert (await actions()).count("user.totp_confirmed") == 1
    assert await TotpFactor.filter(confirmed_at__isnull=False).count() == 1
    other = fresh(client)
    assert (await sign_in_with(other, old[0])).status_code == 400  # the set the browser never showed is gone
    assert (await sign_in_with(fresh(client), new[0])).status_code == 303


async def test_sign_in_asks_for_a_code_and_the_waiting_session_reaches_nothing_else(client, demo, clock):
    secret, _ = await enrol(client, clock)
    await client.post("/logout", data={"csrf_token": await token(client)})
    assert (await login(client, THERAPIST)).status_code == 303
    caseload = await client.get("/caseload")
    assert caseload.status_code == 303 and caseload.headers["location"] == "/login/code?next=/caseload"
    assert (await client.get("/account/security")).headers["location"].startswith("/login/code")
    page = await client.get("/login/code?next=/caseload")
    assert "One more step" in page.text and "Caseload" not in page.text  # no navigation before the code
    r = await client.post(
        "/login/code", data={"csrf_token": csrf_from(page.text), "code": code_at(secret, clock), "next": "/caseload"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/caseload"
    assert (await client.get("/caseload")).status_code == 200
    assert (await client.get("/login/code")).status_code == 303  # a back button: signed in already
    login_events = [e for e in await AuditEvent.filter(action="auth.login").order_by("seq")]
    assert login_events[-1].detail["factor"] == "totp"


async def test_a_used_code_and_a_wrong_code_are_refused(client, demo, clock):
    secret, _ = await enrol(client, clock)
    used = code_at(secret, clock)
    other = fresh(client)
    assert (await sign_in_with(other, used)).status_code == 303
    again = fresh(client)
    replay = await sign_in_with(again, used)
    assert replay.status_code == 400 and "code didn" in replay.text
    wrong = await again.post("/login/code", data={"csrf_token": csrf_from(replay.text), "code": "12345"})
    assert wrong.status_code == 400
    assert (await again.get("/caseload")).headers["location"].startswith("/login/code")
    assert (await actions()).count("auth.code_failed") == 2


async def test_codes_one_step_either_side_are_accepted_and_two_steps_off_are_not(client, demo, clock):
    secret, _ = await enrol(client, clock)
    for offset, ok in ((-60, False), (60, False), (-30, True), (30, True)):
        other = fresh(client)
        r = await sign_in_with(other, code_at(secret, clock, offset))
        assert (r.status_code == 303) == ok, (offset, r.status_code)
        clock.advance(seconds=90)  # past every step used so far


async def test_a_recovery_code_works_once(client, demo, clock):
    _, codes = await enrol(client, clock)
    first = fresh(client)
    assert (await sign_in_with(first, codes[3].upper().replace("-", " "))).status_code == 303
    second = fresh(client)
    assert (await sign_in_with(second, codes[3])).status_code == 400
    assert "auth.recovery_code_used" in await actions()
    assert "9 of 10 recovery codes left" in (await first.get("/account/security")).text


async def test_wrong_codes_count_against_the_sign_in_throttle(client, demo, clock):
    secret, _ = await enrol(client, clock)
    other = fresh(client)
    r = await sign_in_with(other, "000001")
    for _ in range(4):
        r = await other.post("/login/code", data={"csrf_token": csrf_from(r.text), "code": "000001"})
        assert r.status_code == 400
    r = await other.post("/login/code", data={"csrf_token": csrf_from(r.text), "code": code_at(secret, clock)})
    assert r.status_code == 429 and "Retry-After" in r.headers  # even the right code waits
    assert (await login(fresh(client), THERAPIST)).status_code == 429


async def test_a_waiting_sign_in_ends_after_five_minutes(client, demo, clock):
    secret, _ = await enrol(client, clock)
    other = fresh(client)
    assert (await login(other, THERAPIST)).status_code == 303
    clock.advance(minutes=6)
    r = await other.get("/login/code")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert not r.headers["location"].startswith("/login/code")


async def test_step_up_asks_for_a_code_as_well_as_the_password(client, demo, clock):
    secret, _ = await enrol(client, clock)
    note = await ProcessNote.filter(author__email=THERAPIST).first()
    gate = await client.get(f"/process-notes/{note.id}")
    assert 'name="code"' in gate.text
    csrf = csrf_from(gate.text)
    url = f"/process-notes/{note.id}/open"
    without = await client.post(url, data={"csrf_token": csrf, "password": DEMO_PASSWORD})
    assert without.status_code == 400 and "6-digit code" in without.text
    wrong_pw = await client.post(url, data={"csrf_token": csrf, "password": "nope nope nope", "code": "123456"})
    assert wrong_pw.status_code == 400 and "password is wrong" in wrong_pw.text
    ok = await client.post(url, data={"csrf_token": csrf, "password": DEMO_PASSWORD, "code": code_at(secret, clock)})
    assert ok.status_code == 200
    replay = await client.post(
        url, data={"csrf_token": csrf, "password": DEMO_PASSWORD, "code": code_at(secret, clock)}
    )
    assert replay.status_code == 400  # the code was used by the step-up before


async def test_sign_out_everywhere_else_ends_the_other_sessions(client, demo):
    other = fresh(client)
    assert (await login(client, THERAPIST)).status_code == 303
    assert (await login(other, THERAPIST)).status_code == 303
    page = await client.get("/account/security")
    assert "this browser" in page.text and page.text.count("last active") == 2
    r = await client.post("/account/sessions/end-others", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    assert (await other.get("/caseload")).headers["location"].startswith("/login")
    assert (await client.get("/caseload")).status_code == 200
    me = await User.get(email=THERAPIST)
    assert await Session.filter(user_id=me.id, revoked_at=None).count() == 1
    event = await AuditEvent.get(action="auth.sessions_revoked")
    assert event.detail == {"count": 1} and event.actor_id == me.id


async def test_an_admin_issued_link_clears_the_factors_and_a_self_service_reset_does_not(client, demo, clock, actor):
    await enrol(client, clock)
    me = await User.get(email=THERAPIST)
    for purpose, kept in (("reset", True), ("enrol", False)):
        row, link = await enrolment.issue(Actor(**{**actor.__dict__, "now": clock.now}), me, purpose=purpose)
        page = await client.get(f"/enrol/{link}")
        new = "a-brand-new-passphrase-" + purpose
        r = await client.post(
            f"/enrol/{link}", data={"csrf_token": csrf_from(page.text), "password": new, "confirm": new}
        )
        assert r.status_code == 303, r.text
        assert await TotpFactor.exists(user_id=me.id) == kept
        assert (await User.get(id=me.id)).second_factor == ("totp" if kept else "")
    cleared = await AuditEvent.get(action="user.factors_cleared")
    assert cleared.detail["totp"] == 1 and cleared.detail["recovery_codes"] == 10
    assert not await RecoveryCode.exists(user_id=me.id)


async def test_removing_the_app_asks_for_step_up_and_is_refused_where_the_clinic_requires_it(client, demo, clock):
    secret, _ = await enrol(client, clock)
    csrf = await token(client, "/account/security")
    refused = await client.post("/account/two-factor/remove", data={"csrf_token": csrf, "password": DEMO_PASSWORD})
    assert refused.status_code == 400 and "6-digit code" in refused.text
    r = await client.post(
        "/account/two-factor/remove",
        data={"csrf_token": csrf, "password": DEMO_PASSWORD, "code": code_at(secret, clock)},
    )
    assert r.status_code == 303
    assert (await User.get(email=THERAPIST)).second_factor == ""
    assert "user.totp_removed" in await actions()


async def test_new_recovery_codes_need_step_up_and_replace_the_old_set(client, demo, clock):
    secret, old = await enrol(client, clock)
    csrf = await token(client, "/account/security")
    refused = await client.post("/account/recovery-codes", data={"csrf_token": csrf, "password": "not it at all"})
    assert refused.status_code == 400 and "password is wrong" in refused.text and "Account security" in refused.text
    r = await client.post(
        "/account/recovery-codes", data={"csrf_token": csrf, "password": DEMO_PASSWORD, "code": old[0]}
    )
    new = CODES.findall(r.text)
    assert r.status_code == 200 and len(new) == 10 and "earlier codes no longer work" in r.text
    assert (await sign_in_with(fresh(client), old[1])).status_code == 400
    assert (await sign_in_with(fresh(client), new[1])).status_code == 303
    assert "user.recovery_codes_generated" in await actions()


async def test_every_step_up_form_asks_for_the_code(client, demo, clock):
    from care.models import Infusion
    from notes.models import IntegrationNote, Status

    await enrol(client, clock, "nurse@demo.clinic")
    infusion = await Infusion.filter(started_at__isnull=False).first()
    assert 'name="code"' in (await client.get(f"/infusions/{infusion.id}")).text
    therapist = fresh(client)
    await enrol(therapist, clock)
    assert 'name="code"' in (await therapist.get("/break-glass")).text
    draft = await IntegrationNote.filter(status=Status.DRAFT, author__email=THERAPIST).first()
    assert 'name="code"' in (await therapist.get(f"/notes/{draft.id}")).text
    supervisor = fresh(client)
    await enrol(supervisor, clock, "supervisor@demo.clinic")
    assert (await supervisor.get("/approvals")).status_code == 200


async def test_a_waiting_sign_in_can_sign_out_and_start_again(client, demo, clock):
    await enrol(client, clock)
    other = fresh(client)
    assert (await login(other, THERAPIST)).status_code == 303
    home = (await other.get("/login")).headers["location"]  # the back button to the sign-in page: on to the code
    assert (await other.get(home)).headers["location"] == f"/login/code?next={home}"
    page = await other.get("/login/code")
    assert (await other.post("/logout", data={"csrf_token": csrf_from(page.text)})).status_code == 303
    assert (await other.get("/login")).status_code == 200


async def test_a_double_submitted_code_signs_in_once(client, demo, clock):
    secret, _ = await enrol(client, clock)
    other = fresh(client)
    assert (await login(other, THERAPIST)).status_code == 303
    page = await other.get("/login/code")
    waiting_cookie = other.cookies.get("afterglow")
    data = {"csrf_token": csrf_from(page.text), "code": code_at(secret, clock), "next": "/caseload"}
    first = await other.post("/login/code", data=data)
    assert first.status_code == 303 and first.headers["location"] == "/caseload"
    again = await other.post("/login/code", data=data)  # sent on with the new cookie: already signed in
    assert again.status_code == 303 and again.headers["location"] == "/caseload"
    late = fresh(client)  # the copy sent before the first answer came back, on the waiting session's cookie
    late.cookies.set("afterglow", waiting_cookie)
    r = await late.post("/login/code", data=data)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert [e.action for e in await AuditEvent.filter(action="auth.login").order_by("seq")][-1:] == ["auth.login"]
    me = await User.get(email=THERAPIST)
    assert await Session.filter(user_id=me.id, revoked_at=None, stage="").count() == 2  # client's and other's


async def test_setting_up_pressed_six_times_at_once_makes_one_secret(client, demo):
    import asyncio

    assert (await login(client, THERAPIST)).status_code == 303
    csrf = await token(client, "/account/security")
    answers = await asyncio.gather(*(client.post("/account/two-factor", data={"csrf_token": csrf}) for _ in range(6)))
    assert {r.status_code for r in answers} == {200}
    assert len({SECRET.search(r.text).group(1) for r in answers}) == 1
    assert await TotpFactor.all().count() == 1
