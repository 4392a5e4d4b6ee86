"""Before the idle sign-out: every page says how long its session has left, "Stay signed in" (a POST with the CSRF
token) restarts the idle clock but never passes the absolute limit, and after the sign-out the sign-in page offers
the same email again and says the words are safe."""

from __future__ import annotations

from server.models import AuditEvent, Session
from tests.conftest import another, login, token

IDLE = 15 * 60


async def test_every_page_says_how_long_the_session_has_left(client, demo, clock):
    await login(client, "patient@demo.clinic")
    clock.advance(seconds=20)
    page = await client.get("/journal")
    assert page.headers["X-Session-Ends-In"] == str(IDLE - 20)  # last seen at sign-in (touched at most every 30 s)
    assert f'data-ends-in="{IDLE - 20}" data-warn-before="120"' in page.text
    assert '<script src="/static/js/idle.js" defer></script>' in page.text


async def test_stay_signed_in_restarts_the_idle_clock(client, demo, clock):
    await login(client, "patient@demo.clinic")
    csrf = await token(client)
    clock.advance(seconds=20)
    stay = await client.post("/session/stay", data={"csrf_token": csrf})
    assert stay.status_code == 204 and stay.headers["X-Session-Ends-In"] == str(IDLE)
    clock.advance(minutes=14, seconds=50)  # 15 min 10 s after sign-in, 14 min 50 s after "Stay signed in"
    assert (await client.get("/journal")).status_code == 200


async def test_stay_signed_in_needs_the_csrf_token(client, demo, clock):
    await login(client, "patient@demo.clinic")
    assert (await client.post("/session/stay", data={})).status_code == 403
    assert (await client.post("/session/stay", data={"csrf_token": "x" * 43})).status_code == 403


async def test_stay_signed_in_never_passes_the_absolute_limit(client, demo, clock):
    await login(client, "patient@demo.clinic")
    csrf = await token(client)
    for _ in range(12 * 6 - 1):  # "Stay signed in" every 10 minutes for 11 h 50 min
        clock.advance(minutes=10)
        stay = await client.post("/session/stay", data={"csrf_token": csrf})
        assert stay.status_code == 204
    assert stay.headers["X-Session-Ends-In"] == str(10 * 60)  # 10 minutes to the 12-hour limit, not 15
    page = await client.get("/journal")
    assert 'data-absolute="yes"' in page.text
    clock.advance(minutes=10, seconds=1)
    assert (await client.post("/session/stay", data={"csrf_token": csrf})).status_code == 303  # to sign in
    assert await AuditEvent.filter(action="auth.session_expired").count() == 1


async def test_after_the_idle_sign_out_the_sign_in_page_keeps_the_email_and_says_the_words_are_safe(
    client, demo, clock
):
    await login(client, "patient@demo.clinic")
    clock.advance(minutes=16)
    away = await client.get("/journal")
    assert away.headers["location"] == "/login?next=/journal&expired=1"
    page = (await client.get(away.headers["location"])).text
    assert 'name="email" type="email" value="patient@demo.clinic"' in page
    assert "Your words are safe" in page


async def test_a_signed_out_browser_or_another_one_is_offered_no_email(client, demo, clock):
    await login(client, "patient@demo.clinic")
    await client.post("/logout", data={"csrf_token": await token(client)})
    page = (await client.get("/login?expired=1")).text
    assert 'value="patient@demo.clinic"' not in page
    async with another(client) as stranger:
        assert 'value="patient@demo.clinic"' not in (await stranger.get("/login?expired=1")).text
    assert await Session.filter(revoked_at__not_isnull=True).count() == 1
