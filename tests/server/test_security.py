from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asyncpg.exceptions import DeadlockDetectedError
from starlette.routing import Mount, Route

from afterglow import create_app
from server.models import AuditEvent, User
from server.policy import PUBLIC
from server.web import RoomMount, leaf_routes, route
from tests.conftest import DEMO_PASSWORD, csrf_from, login, token

CSRF_PAGE = "This form has expired"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ROLE_ACCOUNT = {
    "patient": "patient@demo.clinic",
    "therapist": "therapist@demo.clinic",
    "medical": "nurse@demo.clinic",
    "supervisor": "supervisor@demo.clinic",
    "admin": "admin@demo.clinic",
}


def _routes(app) -> list[Route]:
    return leaf_routes(app.routes)


def test_it_declares_roles_on_every_route(app):
    for r in _routes(app):
        assert getattr(r.endpoint, "roles", None), f"{r.path} declares no roles"
    assert [m.path for m in app.routes if isinstance(m, Mount) and not isinstance(m, RoomMount)] == ["/static"]
    rooms = [m.name for m in app.routes if isinstance(m, RoomMount)]
    assert rooms == ["server", "care", "journal", "notes", "oversight", "interop"]


def test_it_refuses_to_build_a_route_without_roles():
    async def endpoint(request):  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(ValueError):
        route("/x", endpoint, roles=())


async def _concrete_path(path: str) -> str:
    target = await User.get(email="patient@demo.clinic")
    return re.sub(r"\{[a-z_]+(:int)?\}", str(target.id), path)


async def _unsafe_routes(app):
    for r in _routes(app):
        for method in sorted((r.methods or set()) & UNSAFE):
            yield r, method, await _concrete_path(r.path)


@asynccontextmanager
async def _client_for(app, roles) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        if roles != PUBLIC:
            role = sorted(roles)[0]
            assert (await login(client, ROLE_ACCOUNT[role])).status_code == 303
        else:
            await client.get("/login")
        yield client


async def test_it_rejects_every_unsafe_request_without_the_csrf_token(app, demo):
    checked = 0
    async for r, method, path in _unsafe_routes(app):
        async with _client_for(app, r.endpoint.roles) as client:
            response = await client.request(method, path, data={"csrf_token": "forged-token-value-000000000000000"})
            assert response.status_code == 403, f"{method} {r.path}"
            assert CSRF_PAGE in response.text, f"{method} {r.path}"
            bare = await client.request(method, path)
            assert bare.status_code == 403 and CSRF_PAGE in bare.text, f"{method} {r.path}"
        checked += 1
    assert checked >= 8  # grows as rooms add forms


async def test_it_rejects_every_unsafe_request_from_another_origin_even_with_the_token(app, demo):
    async for r, method, path in _unsafe_routes(app):
        async with _client_for(app, r.endpoint.roles) as client:
            good = csrf_from((await client.get("/login" if r.endpoint.roles == PUBLIC else "/account/password")).text)
            for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
                response = await client.request(method, path, data={"csrf_token": good}, headers=headers)
                assert response.status_code == 403 and CSRF_PAGE in response.text, f"{method} {r.path} {headers}"


async def test_it_accepts_the_token_from_the_htmx_header(client, demo):
    await login(client, "therapist@demo.clinic")
    csrf = await token(client)
    r = await client.post(
        "/logout",
        headers={
            "X-CSRF-Token": csrf,
            "HX-Request": "true",
            "Origin": "http://testserver",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/login"


async def test_it_wires_the_csrf_token_into_htmx_on_every_page(client, demo):
    await login(client, "therapist@demo.clinic")
    page = await client.get("/caseload")
    csrf = csrf_from(page.text)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf}"}}\'' in page.text


@pytest.mark.parametrize("path", ["/caseload", "/account/password", "/login"])
async def test_it_sends_security_headers_on_pages(client, demo, path):
    await login(client, "therapist@demo.clinic")
    r = await client.get(path, follow_redirects=False)
    csp = r.headers["content-security-policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cross-origin-opener-policy"] == "same-origin"


async def test_it_sends_no_inline_script_or_style(client, demo):
    await login(client, "admin@demo.clinic")
    for path in ("/login", "/admin/users", "/admin/users/new", "/account/password"):
        html = (await client.get(path)).text
        assert "<style" not in html and " style=" not in html
        assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html)), path


async def test_it_redirects_anonymous_users_to_login_with_next(client):
    r = await client.get("/admin/users")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/users"


async def test_it_follows_only_local_next_urls_after_login(client, demo):
    page = await client.get("/login")
    data = {"email": "admin@demo.clinic", "password": "quiet-harbor-lantern", "csrf_token": csrf_from(page.text)}
    r = await client.post("/login", data={**data, "next": "//evil.example/x"})
    assert r.headers["location"] == "/"


async def test_it_gives_403_when_the_role_may_not_use_the_page(client, demo):
    await login(client, "therapist@demo.clinic")
    r = await client.get("/admin/users")
    assert r.status_code == 403
    assert "reference" in r.text and r.headers["x-request-id"] in r.text


async def test_it_shows_a_calm_404_with_a_request_id(client):
    r = await client.get("/no/such/page")
    assert r.status_code == 404
    assert "find that page" in r.text and r.headers["x-request-id"] in r.text
    assert r.headers["content-security-policy"]


async def test_it_shows_a_calm_405(client):
    r = await client.delete("/login")
    assert r.status_code == 405 and "available here" in r.text


async def test_it_hides_internals_of_unexpected_errors_and_logs_the_request_id(app, client, caplog):
    async def explode(request):
        raise RuntimeError("secret internals: SELECT * FROM patient")

    app.router.routes.insert(0, route("/boom", explode, roles=PUBLIC))  # a route outside every room's mount
    r = await client.get("/boom")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    request_id = r.headers["x-request-id"]
    assert request_id in r.text
    assert any(request_id in rec.getMessage() and rec.exc_info for rec in caplog.records)
    assert r.headers["cache-control"] == "no-store" and r.headers["content-security-policy"]


async def test_it_answers_409_when_the_database_undoes_a_request_in_a_conflict(app, client, caplog):
    async def collide(request):  # what PostgreSQL raises when it breaks a deadlock between two requests
        raise DeadlockDetectedError("deadlock detected")

    app.router.routes.insert(0, route("/collide", collide, roles=PUBLIC))
    r = await client.get("/collide")
    assert r.status_code == 409
    assert "at the same moment" in r.text and "Nothing was saved" in r.text and "deadlock" not in r.text
    assert any(r.headers["x-request-id"] in rec.getMessage() for rec in caplog.records)
    htmx = await client.get("/collide", headers={"HX-Request": "true"})
    assert htmx.status_code == 409 and htmx.text.startswith('<span class="save-problem"')


async def test_it_reports_health_without_auth(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_it_serves_static_files_cacheable(client):
    r = await client.get("/static/css/app.css")
    assert r.status_code == 200 and r.headers.get("cache-control") != "no-store"


async def _signed_in_ip(app, peer: str, forwarded: str) -> str:
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        page = await browser.get("/login")
        data = {"email": "therapist@demo.clinic", "password": DEMO_PASSWORD, "csrf_token": csrf_from(page.text)}
        r = await browser.post("/login", data=data, headers={"X-Forwarded-For": forwarded})
        assert r.status_code == 303
    return (await AuditEvent.filter(action="auth.login").order_by("-seq").first()).ip


async def test_a_forged_forwarded_for_changes_nothing_without_trusted_proxies(app, demo):
    assert await _signed_in_ip(app, "127.0.0.1", "198.51.100.9") == "127.0.0.1"


async def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_hop(settings, demo):
    # The same database, already open for this test's app; a second app needs no start-up of its own.
    trusting = create_app(dataclasses.replace(settings, trusted_proxies=("10.0.0.0/24",)))
    # a client's own forged entry sits left of the real one: only the hop the proxy added is believed
    assert await _signed_in_ip(trusting, "10.0.0.7", "6.6.6.6, 203.0.113.50") == "203.0.113.50"
    assert await _signed_in_ip(trusting, "192.0.2.1", "203.0.113.50") == "192.0.2.1"  # not a trusted peer
