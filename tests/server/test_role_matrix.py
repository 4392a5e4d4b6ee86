"""The role × route matrix: every route, asked by an account of every role (medical staff included), is refused at
the door exactly when its declared roles leave that role out — and the refusal names nothing (403 for a page, 404 for
a route that takes an id) and is audited. docs/permissions.md lists the same declarations (tests/test_project.py)."""

from __future__ import annotations

import re

from server.models import AuditEvent, Role, User
from server.policy import PUBLIC
from server.web import leaf_routes
from tests.conftest import login, token

ACCOUNT = {
    Role.PATIENT: "patient@demo.clinic",
    Role.THERAPIST: "therapist@demo.clinic",
    Role.MEDICAL: "nurse@demo.clinic",
    Role.SUPERVISOR: "supervisor@demo.clinic",
    Role.ADMIN: "admin@demo.clinic",
}
NOBODY = "2147483000"  # an id no row has: a role let through meets the service's own lookup, never a real record


def _requests(app) -> list[tuple[str, str, frozenset[str]]]:
    found = []
    for r in leaf_routes(app.routes):
        if r.endpoint.roles == PUBLIC:
            continue
        url = re.sub(r"\{\w+:int\}", NOBODY, r.path)
        url = re.sub(r"\{\w+(:str)?\}", "x", url)
        found += [(m, url, r.endpoint.roles) for m in sorted(r.methods - {"HEAD"})]
    return sorted(found, key=lambda x: x[1] == "/logout")  # signing out last keeps the session for the rest


async def test_every_role_meets_every_route_as_declared(app, client, demo):
    assert set(ACCOUNT) == set(Role), "every role has an account in the matrix"
    requests = _requests(app)
    assert len(requests) > 90
    for role, email in ACCOUNT.items():
        assert (await login(client, email)).status_code == 303
        csrf = await token(client)
        me = await User.get(email=email)
        for method, url, roles in requests:
            before = await AuditEvent.all().order_by("-seq").first()
            data = {"csrf_token": csrf} if method == "POST" else None
            r = await client.request(method, url, data=data, headers={"X-CSRF-Token": csrf})
            denied = await AuditEvent.filter(
                seq__gt=before.seq, action="access.denied", object_type="route", actor_id=me.id
            ).exists()
            allowed = role in roles
            assert denied != allowed, f"{role} {method} {url}: declared {sorted(roles)}, got {r.status_code}"
            if not allowed:
                assert r.status_code == (404 if NOBODY in url or "/x" in url else 403), f"{role} {method} {url}"
        await client.post("/logout", data={"csrf_token": csrf})


async def test_medical_staff_reach_the_dosing_pages_and_no_notes_or_oversight(app):
    declared = {(m, r.path): r.endpoint.roles for r in leaf_routes(app.routes) for m in r.methods - {"HEAD"}}
    medical = {key for key, roles in declared.items() if Role.MEDICAL in roles}
    for key in [
        ("GET", "/caseload"),
        ("GET", "/patients/{patient_id:int}"),
        ("POST", "/patients/{patient_id:int}/infusions/new"),
        ("POST", "/infusions/{infusion_id:int}/vitals"),
        ("POST", "/infusions/{infusion_id:int}/sign"),
        ("GET", "/calendar"),
        # the pre-dose safety depends on the medication list, the allergies and the escort
        ("GET", "/patients/{patient_id:int}/essentials"),
        ("POST", "/patients/{patient_id:int}/medications"),
        ("POST", "/patients/{patient_id:int}/allergies"),
        ("POST", "/patients/{patient_id:int}/no-known-allergies"),
        ("POST", "/patients/{patient_id:int}/contacts"),
        ("GET", "/infusions/{infusion_id:int}/print"),
        ("GET", "/patients/{patient_id:int}/summary/print"),
    ]:
        assert key in medical, key
    assert not {path for _, path in medical if path.startswith(("/notes", "/oversight", "/admin", "/journal"))}
    assert ("GET", "/patients/{patient_id:int}/process-notes") not in medical
    assert ("GET", "/break-glass") not in medical
    assert ("GET", "/patients/{patient_id:int}/safety-plan") not in medical
