"""Medical-staff accounts: the role carries a licence, and an account reaching the dosing record (a new one, or a
therapist becoming medical staff, or back) waits for a supervisor like any account that reads clinical content."""

from __future__ import annotations

from server import enrolment
from server.models import AccessApproval, AuditEvent, Role, User
from tests.conftest import login, token


async def _as_admin(client) -> str:
    await login(client, "admin@demo.clinic")
    return await token(client, "/admin/users")


def _new(csrf: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": csrf, "name": "Robin Ortiz", "email": "robin@demo.clinic", "role": "medical",
            "credential": "CRNA", "form_key": "m" * 24} | changes  # fmt: skip


async def test_a_medical_account_needs_its_licence(client, demo):
    csrf = await _as_admin(client)
    r = await client.post("/admin/users/new", data=_new(csrf, credential=""))
    assert r.status_code == 400 and "Choose the licence this person works under" in r.text
    assert 'aria-describedby="e-credential"' in r.text and "Robin Ortiz" in r.text
    assert not await User.filter(email="robin@demo.clinic").exists()
    assert (await client.post("/admin/users/new", data=_new(csrf, credential="DDS"))).status_code == 400


async def test_a_new_medical_account_waits_for_a_supervisor(client, demo):
    csrf = await _as_admin(client)
    r = await client.post("/admin/users/new", data=_new(csrf))
    assert r.status_code == 200 and "Waiting for a supervisor" in r.text
    robin = await User.get(email="robin@demo.clinic")
    assert robin.role == Role.MEDICAL and robin.credential == "CRNA" and robin.awaiting_approval
    created = await AuditEvent.get(action="user.created", object_id=str(robin.id))
    assert created.detail == {"role": "medical", "credential": "CRNA", "approval": "requested"}
    assert "medical (CRNA)" in (await client.get("/admin/users")).text


async def test_a_licence_is_kept_only_on_a_medical_account(client, demo):
    csrf = await _as_admin(client)
    r = await client.post("/admin/users/new", data=_new(csrf, role="therapist", email="t@demo.clinic"))
    assert r.status_code == 200
    assert (await User.get(email="t@demo.clinic")).credential == ""


async def test_therapist_to_medical_and_back_each_wait_for_a_supervisor(client, demo):
    assert enrolment.widens(Role.THERAPIST, Role.MEDICAL) and enrolment.widens(Role.MEDICAL, Role.THERAPIST)
    assert enrolment.widens(Role.PATIENT, Role.MEDICAL) and enrolment.widens(Role.MEDICAL, Role.SUPERVISOR)
    assert not enrolment.widens(Role.MEDICAL, Role.ADMIN) and not enrolment.widens(Role.MEDICAL, Role.PATIENT)
    csrf = await _as_admin(client)
    sam = await User.get(email="therapist@demo.clinic")
    edit = {"csrf_token": csrf, "name": sam.name, "role": "medical", "credential": "NP", "version": str(sam.version)}
    assert (await client.post(f"/admin/users/{sam.id}", data=edit)).status_code == 303
    after = await User.get(id=sam.id)
    assert after.role == Role.THERAPIST and after.credential == "NP"  # the licence is saved; the role waits
    assert await AccessApproval.filter(user_id=sam.id, role=Role.MEDICAL, outcome="pending").exists()
    nurse = await User.get(email="nurse@demo.clinic")
    edit = {"csrf_token": csrf, "name": nurse.name, "role": "therapist", "version": str(nurse.version)}
    assert (await client.post(f"/admin/users/{nurse.id}", data=edit)).status_code == 303
    assert (await User.get(id=nurse.id)).role == Role.MEDICAL
    assert await AccessApproval.filter(user_id=nurse.id, role=Role.THERAPIST, outcome="pending").exists()


async def test_the_demo_has_a_nurse_and_a_physician(client, demo):
    nurse, physician = await User.get(email="nurse@demo.clinic"), await User.get(email="physician@demo.clinic")
    assert (nurse.role, nurse.credential, physician.role, physician.credential) == ("medical", "RN", "medical", "MD")
