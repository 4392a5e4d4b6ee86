from __future__ import annotations

from tests.conftest import DEMO_PASSWORD, csrf_from, login


async def test_it_shows_the_login_page(client):
    r = await client.get("/login")
    assert r.status_code == 200
    assert 'name="email"' in r.text and 'name="password"' in r.text
    assert csrf_from(r.text)


async def test_it_signs_in_a_demo_therapist_and_shows_who_and_clinic(client, demo):
    r = await login(client, "therapist@demo.clinic")
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    home = await client.get("/", follow_redirects=True)
    assert home.url.path == "/caseload"
    assert "Sam Okafor" in home.text and "Demo Clinic" in home.text


async def test_it_refuses_login_without_csrf_token(client, demo):
    await client.get("/login")
    r = await client.post("/login", data={"email": "therapist@demo.clinic", "password": DEMO_PASSWORD})
    assert r.status_code == 403
    assert "afterglow" not in r.cookies
