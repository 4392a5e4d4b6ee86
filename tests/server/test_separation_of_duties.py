"""An admin cannot read any chart, note, journal entry or audit log through an account they created or reset: every
way an admin can make or reset an account is tried, every link the admin was ever shown is used with a password
the admin chose, and the router's every GET route is walked as each account the admin can then sign in to."""

from __future__ import annotations

import re

import httpx

from journal.models import JournalEntry
from notes.models import IntegrationNote
from server.models import AccessApproval, LoginFailure, Role, User
from server.web import leaf_routes
from tests.conftest import DEMO_PASSWORD, another, login, token

ADMINS_PASSWORD = "the admin chose this one"
LINK = re.compile(r"/enrol/([A-Za-z0-9_-]{43})")
CLINICAL = (
    "patient@demo.clinic",
    "therapist@demo.clinic",
    "supervisor@demo.clinic",
    "therapist2@demo.clinic",
    "nurse@demo.clinic",
)
IDS = range(1, 7)  # the demo's rows of every kind have small ids


async def _secrets() -> list[str]:
    """Text only clinical readers may see: journal bodies and note contents, as they appear on pages."""
    bodies = [e.body[:40] for e in await JournalEntry.all() if len(e.body) >= 20]
    notes = [str(v)[:40] for n in await IntegrationNote.all() for v in n.content.values() if len(str(v)) >= 20]
    return [s.replace("'", "&#39;").replace('"', "&#34;") for s in bodies + notes]


async def _walk(app, who: httpx.AsyncClient, secrets: list[str]) -> list[str]:
    """Every GET route, with every small id: what answered 200 and showed clinical text."""
    leaks = []
    for r in leaf_routes(app.routes):
        if "GET" not in (r.methods or set()) or r.path.startswith("/enrol"):
            continue
        paths = [re.sub(r"\{[a-z_]+(:int)?\}", str(i), r.path) for i in IDS] if "{" in r.path else [r.path]
        for path in paths:
            page = await who.get(path)
            if page.status_code == 200 and any(s in page.text for s in secrets):
                leaks.append(path)
    return leaks


async def test_no_account_an_admin_makes_or_resets_opens_clinical_content(app, client, demo):
    secrets = await _secrets()
    assert len(secrets) >= 5
    async with another(client) as therapist:  # the walk finds clinical text where there is some to find
        await login(therapist, "therapist@demo.clinic")
        assert len(await _walk(app, therapist, secrets)) >= 3
    await login(client, "admin@demo.clinic")
    csrf = await token(client, "/admin/users")
    shown: list[str] = []  # everything the admin's browser ever received
    for i, role in enumerate(Role):
        new = {
            "csrf_token": csrf,
            "name": f"New {role}",
            "email": f"new-{role}@demo.clinic",
            "role": str(role),
            "form_key": f"{i}" * 24,
            "password": ADMINS_PASSWORD,  # a password field is simply ignored
            "credential": "RN" if role == Role.MEDICAL else "",
        }
        shown.append((await client.post("/admin/users/new", data=new)).text)
    for email in CLINICAL:
        target = await User.get(email=email)
        shown.append((await client.post(f"/admin/users/{target.id}/password", data={"csrf_token": csrf})).text)
    admin2 = await User.get(email=f"new-{Role.ADMIN}@demo.clinic")
    widen = {"csrf_token": csrf, "name": admin2.name, "role": "supervisor", "version": str(admin2.version)}
    shown.append((await client.post(f"/admin/users/{admin2.id}", data=widen)).text)
    assert await User.filter(email=f"new-{Role.MEDICAL}@demo.clinic", awaiting_approval=True, credential="RN").exists()
    for approval in await AccessApproval.all():  # an admin cannot approve their own requests
        r = await client.post(
            f"/approvals/{approval.id}", data={"csrf_token": csrf, "decision": "approve", "password": DEMO_PASSWORD}
        )
        assert r.status_code in (403, 404)
        shown.append(r.text)
    assert (await client.get("/approvals")).status_code == 403

    links = {m for page in shown for m in LINK.findall(page)}
    assert len(links) == 1  # only the new admin account's own link
    async with another(client) as c:
        for link in links:
            csrf_c = await token(c, "/login")
            data = {"csrf_token": csrf_c, "password": ADMINS_PASSWORD, "confirm": ADMINS_PASSWORD}
            assert (await c.post(f"/enrol/{link}", data=data)).status_code == 303

    usable = []
    for user in await User.filter(clinic__slug="demo.clinic"):
        for password in (ADMINS_PASSWORD, DEMO_PASSWORD):
            await LoginFailure.all().delete()  # 15 accounts × 2 passwords: more failures than one IP may make
            async with another(client) as c:
                if (await login(c, user.email, password)).status_code == 303:
                    usable.append((user.email, password))
    made_or_reset = {f"new-{role}@demo.clinic" for role in Role} | set(CLINICAL)
    # The admin can sign in to their new admin account (still an admin: the wider role waits) and to their own.
    assert {e for e, p in usable if e in made_or_reset or p == ADMINS_PASSWORD} == {f"new-{Role.ADMIN}@demo.clinic"}
    assert (await User.get(id=admin2.id)).role == Role.ADMIN
    for email, password in usable:
        if email == f"new-{Role.ADMIN}@demo.clinic" or email == "admin@demo.clinic":
            async with another(client) as c:
                await login(c, email, password)
                assert await _walk(app, c, secrets) == [], email
    for email in CLINICAL:  # every reset account is shut until a supervisor approves, then the person sets it
        assert (await User.get(email=email)).awaiting_approval
