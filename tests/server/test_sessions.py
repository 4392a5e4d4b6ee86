from __future__ import annotations

import dataclasses

import httpx
from asgi_lifespan import LifespanManager

from afterglow import create_app
from server import demo
from server.models import AuditEvent, Session, User
from server.sessions import token_hash
from tests.conftest import DEMO_PASSWORD, login, token


async def test_it_stores_only_a_hash_of_the_session_token(client, demo):
    await login(client, "therapist@demo.clinic")
    cookie = client.cookies["afterglow"]
    session = await Session.get(token_hash=token_hash(cookie))
    assert cookie not in (session.token_hash, session.csrf_token)
    assert len(cookie) >= 43  # 256 random bits, url-safe base64


async def test_it_sets_an_httponly_lax_cookie(client, demo):
    r = await login(client, "therapist@demo.clinic")
    header = r.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header


async def test_it_issues_a_new_token_at_each_login(client, demo):
    await login(client, "therapist@demo.clinic")
    first = client.cookies["afterglow"]
    await client.post("/logout", data={"csrf_token": await token(client)})
    await login(client, "therapist@demo.clinic")
    assert client.cookies["afterglow"] not in ("", first)


async def test_it_refuses_a_session_idle_past_fifteen_minutes(client, demo, clock):
    await login(client, "therapist@demo.clinic")
    clock.advance(minutes=14)
    assert (await client.get("/caseload")).status_code == 200
    clock.advance(minutes=14)  # activity at 14 min reset the idle timer
    assert (await client.get("/caseload")).status_code == 200
    clock.advance(minutes=15, seconds=31)
    r = await client.get("/caseload")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/caseload&expired=1"
    assert await AuditEvent.filter(action="auth.session_expired").count() == 1
    assert (await client.get("/caseload")).headers["location"] == "/login?next=/caseload"


async def test_it_refuses_a_session_older_than_twelve_hours_even_when_active(client, demo, clock):
    await login(client, "therapist@demo.clinic")
    for _ in range(12 * 6):  # a request every 10 minutes for 12 hours
        clock.advance(minutes=10)
        await client.get("/caseload")
    clock.advance(minutes=1)
    assert (await client.get("/caseload")).status_code == 303


async def test_it_revokes_the_session_on_logout(client, demo):
    await login(client, "therapist@demo.clinic")
    cookie = client.cookies["afterglow"]
    r = await client.post("/logout", data={"csrf_token": await token(client)})
    assert r.status_code == 303
    client.cookies.set("afterglow", cookie)  # a stolen copy of the cookie is useless now
    assert (await client.get("/caseload")).status_code == 303
    assert (await Session.get(token_hash=token_hash(cookie))).revoked_at is not None


async def test_it_secures_the_cookie_with_the_host_prefix_when_configured(settings, actor):
    secure_app = create_app(dataclasses.replace(settings, secure_cookies=True))
    transport = httpx.ASGITransport(app=secure_app, client=("203.0.113.9", 5000))
    async with (
        LifespanManager(secure_app),
        httpx.AsyncClient(transport=transport, base_url="https://testserver") as https_client,
    ):
        await demo.load(actor, DEMO_PASSWORD)
        r = await login(https_client, "therapist@demo.clinic")
        header = r.headers["set-cookie"]
        assert header.startswith("__Host-afterglow=") and "Secure" in header and "Path=/" in header
        assert (await https_client.get("/caseload")).status_code == 200
        assert "Strict-Transport-Security" in r.headers


async def test_it_sends_a_patient_home_to_the_journal(client, demo):
    await login(client, "patient@demo.clinic")
    r = await client.get("/")
    assert r.headers["location"] == "/journal"


async def test_it_refuses_sessions_of_a_disabled_user(client, demo, clock):
    await login(client, "therapist@demo.clinic")
    await User.filter(email="therapist@demo.clinic").update(disabled_at=clock())
    assert (await client.get("/caseload")).status_code == 303


async def test_an_autosave_after_the_session_ended_comes_back_to_its_page_after_sign_in(client, demo, clock):
    await login(client, "patient@demo.clinic")
    csrf = await token(client)
    clock.advance(minutes=16)
    r = await client.post(
        "/journal/new",
        data={"csrf_token": csrf, "body": "late words"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/journal/12/edit"},
    )
    assert r.status_code == 204
    assert r.headers["HX-Redirect"] == "/login?next=/journal/12/edit&expired=1"
    other_site = await client.post(
        "/journal/new",
        data={"csrf_token": csrf},
        headers={"HX-Request": "true", "HX-Current-URL": "http://evil.example/x"},
    )
    assert other_site.headers["HX-Redirect"] == "/login"


async def test_signing_in_again_in_the_same_browser_ends_the_session_it_had(client, demo):
    assert (await login(client, "therapist@demo.clinic")).status_code == 303
    first = await Session.filter(revoked_at__isnull=True).order_by("-id").first()
    again = {"email": "supervisor@demo.clinic", "password": DEMO_PASSWORD, "csrf_token": await token(client)}
    assert (await client.post("/login", data=again)).status_code == 303  # a sign-in form sent from a signed-in tab
    assert (await Session.get(id=first.id)).revoked_at is not None
    assert await Session.filter(user__email="therapist@demo.clinic", revoked_at__isnull=True).count() == 0
