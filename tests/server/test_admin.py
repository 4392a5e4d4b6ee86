from __future__ import annotations

import asyncio
import re

from server.models import AccessApproval, AuditEvent, Enrolment, Session, User
from tests.conftest import DEMO_PASSWORD, another, login, token

GOOD_PASSWORD = "maple syrup on thursdays"


async def _as_admin(client):
    await login(client, "admin@demo.clinic")
    return await token(client, "/admin/users")


async def test_it_lists_only_the_admins_clinic(client, demo):
    await _as_admin(client)
    page = await client.get("/admin/users")
    assert page.status_code == 200
    assert "therapist@demo.clinic" in page.text and "other.clinic" not in page.text
    assert await AuditEvent.filter(action="user.list_viewed").count() == 2  # once for the token, once here


LINK = re.compile(r'value="http://[^"]*/enrol/([A-Za-z0-9_-]{43})"')


async def enrol(client, link: str, password: str = GOOD_PASSWORD):
    csrf = await token(client, "/login")  # a used or ended link's page has no form to read it from
    return await client.post(f"/enrol/{link}", data={"csrf_token": csrf, "password": password, "confirm": password})


async def test_an_admin_account_gets_a_one_time_link_on_which_the_person_sets_their_password(client, demo):
    csrf = await _as_admin(client)
    new = {"csrf_token": csrf, "name": "Sam Ortiz", "email": "Sam@Demo.Clinic", "role": "admin", "form_key": "k" * 24}
    r = await client.post("/admin/users/new", data=new)
    assert r.status_code == 200 and "One-time sign-in link" in r.text
    link = LINK.search(r.text).group(1)
    user = await User.get(email="sam@demo.clinic")
    again = await client.post("/admin/users/new", data=new)  # a double click shows the same account and link
    assert LINK.search(again.text).group(1) == link and await User.filter(email="sam@demo.clinic").count() == 1
    async with another(client) as sam:
        assert (await login(sam, "sam@demo.clinic", GOOD_PASSWORD)).status_code == 400  # no password yet
        done = await enrol(sam, link)
        assert done.status_code == 303 and done.headers["location"] == "/login?enrolled=1"
        assert "Your password is set" in (await sam.get("/login?enrolled=1")).text
        assert (await login(sam, "sam@demo.clinic", GOOD_PASSWORD)).status_code == 303
        used = await sam.get(f"/enrol/{link}")
        assert used.status_code == 410 and "already been used" in used.text
    enrolled = await AuditEvent.get(action="user.enrolled")
    assert enrolled.actor_id == user.id and enrolled.detail == {
        "enrolment": enrolled.detail["enrolment"],
        "sessions_revoked": 0,
    }


async def test_a_link_is_refused_once_used_expired_or_replaced_and_an_unknown_one_is_404(client, demo, clock):
    csrf = await _as_admin(client)
    admin2 = await User.get(email="admin@demo.clinic")
    new = {"csrf_token": csrf, "name": "Ola Berg", "email": "ola@demo.clinic", "role": "admin", "form_key": "o" * 24}
    link = LINK.search((await client.post("/admin/users/new", data=new)).text).group(1)
    assert (await client.get(f"/enrol/{'x' * 43}")).status_code == 404
    ola = await User.get(email="ola@demo.clinic")
    reset = await client.post(f"/admin/users/{ola.id}/password", data={"csrf_token": csrf})
    newer = LINK.search(reset.text).group(1)
    async with another(client) as c:
        gone = await c.get(f"/enrol/{link}")
        assert gone.status_code == 410 and "replaced by a newer one" in gone.text
        clock.advance(hours=73)
        assert (await c.get(f"/enrol/{newer}")).status_code == 410
        assert (await enrol(c, newer)).status_code == 410
    assert (await User.get(id=ola.id)).password_changed_at is not None and admin2.id != ola.id


async def test_two_uses_of_one_link_at_once_set_one_password(client, demo):
    csrf = await _as_admin(client)
    new = {"csrf_token": csrf, "name": "Ida Moss", "email": "ida@demo.clinic", "role": "admin", "form_key": "i" * 24}
    link = LINK.search((await client.post("/admin/users/new", data=new)).text).group(1)
    async with another(client) as a, another(client) as b:
        answers = await asyncio.gather(enrol(a, link, GOOD_PASSWORD), enrol(b, link, "another long passphrase"))
    assert sorted(r.status_code for r in answers) == [303, 410]
    assert await AuditEvent.filter(action="user.enrolled").count() == 1


async def test_a_weak_or_mismatched_password_on_the_link_is_explained_and_the_link_still_works(client, demo):
    csrf = await _as_admin(client)
    new = {"csrf_token": csrf, "name": "Ben Ray", "email": "ben@demo.clinic", "role": "admin", "form_key": "b" * 24}
    link = LINK.search((await client.post("/admin/users/new", data=new)).text).group(1)
    async with another(client) as c:
        assert "at least 12 characters" in (weak := await enrol(c, link, "short")).text and weak.status_code == 400
        csrf2 = await token(c, f"/enrol/{link}")
        bad = await c.post(f"/enrol/{link}", data={"csrf_token": csrf2, "password": GOOD_PASSWORD, "confirm": "x"})
        assert bad.status_code == 400 and "two passwords are different" in bad.text
        assert (await enrol(c, link)).status_code == 303


async def test_a_clinical_account_waits_for_a_supervisor_who_hands_over_the_link(client, demo):
    csrf = await _as_admin(client)
    new = {
        "csrf_token": csrf,
        "name": "Noor Haddad",
        "email": "Noor@Demo.Clinic",
        "role": "therapist",
        "is_trainee": "on",
        "form_key": "n" * 24,
    }
    r = await client.post("/admin/users/new", data=new)
    assert r.status_code == 200 and "Waiting for a supervisor" in r.text and not LINK.search(r.text)
    noor = await User.get(email="noor@demo.clinic")
    assert noor.is_trainee and noor.awaiting_approval and noor.password_hash.startswith("$argon2id$")
    created = await AuditEvent.get(action="user.created", object_id=str(noor.id))
    assert created.detail == {"role": "therapist", "approval": "requested"}
    async with another(client) as sup:
        await login(sup, "supervisor@demo.clinic")
        page = await sup.get("/approvals")
        assert "Noor Haddad" in page.text and "New account as <strong>therapist</strong>" in page.text
        assert "access requests waiting" in page.text  # the nav badge
        approval = await AccessApproval.get(user_id=noor.id)
        sup_csrf = await token(sup, "/approvals")
        wrong = await sup.post(
            f"/approvals/{approval.id}",
            data={"csrf_token": sup_csrf, "decision": "approve", "password": "not it at all"},
        )
        assert wrong.status_code == 400 and "Nothing was approved or declined" in wrong.text
        assert (await AccessApproval.get(id=approval.id)).outcome == "pending"
        ok = {"csrf_token": sup_csrf, "decision": "approve", "password": DEMO_PASSWORD}
        done = await sup.post(f"/approvals/{approval.id}", data=ok)
        assert done.status_code == 200 and "Approved" in done.text
        link = LINK.search(done.text).group(1)
        again = await sup.post(f"/approvals/{approval.id}", data=ok)  # a double click: the same answer and link
        assert LINK.search(again.text).group(1) == link
    assert await AuditEvent.filter(action="user.access_approved").count() == 1
    async with another(client) as c:
        assert (await enrol(c, link)).status_code == 303
        assert (await login(c, "noor@demo.clinic", GOOD_PASSWORD)).status_code == 303
        assert (await c.get("/caseload")).status_code == 200


async def test_a_declined_request_leaves_the_account_without_access(client, demo):
    csrf = await _as_admin(client)
    new = {
        "csrf_token": csrf,
        "name": "Eve Lund",
        "email": "eve@demo.clinic",
        "role": "supervisor",
        "form_key": "e" * 24,
    }
    await client.post("/admin/users/new", data=new)
    eve = await User.get(email="eve@demo.clinic")
    async with another(client) as sup:
        await login(sup, "supervisor@demo.clinic")
        sup_csrf = await token(sup, "/approvals")
        approval = await AccessApproval.get(user_id=eve.id)
        r = await sup.post(
            f"/approvals/{approval.id}", data={"csrf_token": sup_csrf, "decision": "decline", "password": DEMO_PASSWORD}
        )
        assert r.status_code == 200 and "Declined" in r.text and not LINK.search(r.text)
        late = await sup.post(
            f"/approvals/{approval.id}", data={"csrf_token": sup_csrf, "decision": "approve", "password": DEMO_PASSWORD}
        )
        assert late.status_code == 409
    assert (await User.get(id=eve.id)).awaiting_approval
    assert not await Enrolment.filter(user_id=eve.id).exists()


async def test_it_disables_a_user_and_ends_all_their_sessions(client, demo, app):
    async with another(client) as therapist:
        await login(therapist, "therapist@demo.clinic")
        assert (await therapist.get("/caseload")).status_code == 200
        csrf = await _as_admin(client)
        target = await User.get(email="therapist@demo.clinic")
        r = await client.post(f"/admin/users/{target.id}/disable", data={"csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"].endswith("done=disabled")
        assert (await therapist.get("/caseload")).status_code == 303
    assert await Session.filter(user_id=target.id, revoked_at=None).count() == 0
    event = await AuditEvent.filter(action="user.disabled").first()
    assert event.object_id == str(target.id) and event.detail == {"sessions_revoked": 1}
    assert (await login(another(client), "therapist@demo.clinic")).status_code == 400


async def test_it_re_enables_a_user(client, demo):
    csrf = await _as_admin(client)
    target = await User.get(email="therapist2@demo.clinic")
    await client.post(f"/admin/users/{target.id}/disable", data={"csrf_token": csrf})
    await client.post(f"/admin/users/{target.id}/enable", data={"csrf_token": csrf})
    assert (await User.get(id=target.id)).disabled_at is None


async def test_it_does_not_let_an_admin_disable_themself(client, demo):
    csrf = await _as_admin(client)
    me = await User.get(email="admin@demo.clinic")
    r = await client.post(f"/admin/users/{me.id}/disable", data={"csrf_token": csrf})
    assert r.status_code == 403
    assert (await User.get(id=me.id)).disabled_at is None


async def test_a_reset_ends_sessions_at_once_and_a_patient_gets_back_in_only_through_a_supervisor(client, demo):
    async with another(client) as patient:
        await login(patient, "patient@demo.clinic")
        csrf = await _as_admin(client)
        target = await User.get(email="patient@demo.clinic")
        r = await client.post(f"/admin/users/{target.id}/password", data={"csrf_token": csrf})
        assert r.status_code == 200 and "Waiting for a supervisor" in r.text and not LINK.search(r.text)
        assert (await patient.get("/journal")).status_code == 303
        assert (await login(patient, "patient@demo.clinic")).status_code == 400  # the old password is gone
    event = await AuditEvent.get(action="user.password_reset")
    assert event.detail == {"sessions_revoked": 1, "approval": "requested"}
    page = await client.get(f"/admin/users/{target.id}")
    assert "Waiting for a supervisor to approve" in page.text and "this reset sign-in" in page.text


async def test_an_admin_cannot_reset_their_own_sign_in(client, demo):
    csrf = await _as_admin(client)
    me = await User.get(email="admin@demo.clinic")
    r = await client.post(f"/admin/users/{me.id}/password", data={"csrf_token": csrf})
    assert r.status_code == 400 and "Change your own password" in r.text
    assert (await User.get(id=me.id)).password_hash == me.password_hash


async def test_a_wider_role_is_requested_not_applied_and_a_narrower_one_applies_at_once(client, demo):
    csrf = await _as_admin(client)
    target = await User.get(email="therapist2@demo.clinic")
    edit = {"csrf_token": csrf, "name": "Jordan Lee-Park", "role": "supervisor", "version": str(target.version)}
    r = await client.post(f"/admin/users/{target.id}", data=edit)
    assert r.status_code == 303
    updated = await User.get(id=target.id)
    assert updated.name == "Jordan Lee-Park" and updated.role == "therapist" and updated.is_trainee
    event = await AuditEvent.filter(action="user.updated").first()
    assert event.detail == {"changed": ["name"], "requested_role": "supervisor"}
    assert "the role <strong>supervisor</strong>" in (await client.get(f"/admin/users/{target.id}")).text
    async with another(client) as sup:
        await login(sup, "supervisor@demo.clinic")
        sup_csrf = await token(sup, "/approvals")
        approval = await AccessApproval.get(user_id=target.id, outcome="pending")
        done = await sup.post(
            f"/approvals/{approval.id}", data={"csrf_token": sup_csrf, "decision": "approve", "password": DEMO_PASSWORD}
        )
        assert done.status_code == 200 and not LINK.search(done.text)  # a role change hands over no link
    approved = await User.get(id=target.id)
    assert approved.role == "supervisor" and not approved.is_trainee and not approved.awaiting_approval
    edit = {"csrf_token": csrf, "name": "Jordan Lee-Park", "role": "admin", "version": str(approved.version)}
    assert (await client.post(f"/admin/users/{target.id}", data=edit)).status_code == 303
    assert (await User.get(id=target.id)).role == "admin"  # narrowing needs nobody's approval


async def test_a_stale_account_edit_is_refused_with_both_versions_shown(client, demo):
    csrf = await _as_admin(client)
    target = await User.get(email="therapist2@demo.clinic")
    first = {"csrf_token": csrf, "name": "Jordan Lee-Park", "role": "therapist", "version": str(target.version)}
    assert (await client.post(f"/admin/users/{target.id}", data=first)).status_code == 303
    stale = await client.post(f"/admin/users/{target.id}", data={**first, "name": "Jordan Q. Lee"})
    assert stale.status_code == 409 and "Someone else changed this account" in stale.text
    assert "Saved by someone else meanwhile" in stale.text and "Jordan Lee-Park" in stale.text
    assert 'value="Jordan Q. Lee"' in stale.text  # what was typed, kept
    assert (await User.get(id=target.id)).name == "Jordan Lee-Park"


async def test_it_gives_404_for_another_clinics_user(client, demo):
    csrf = await _as_admin(client)
    stranger = await User.get(email="therapist@other.clinic")
    assert (await client.get(f"/admin/users/{stranger.id}")).status_code == 404
    r = await client.post(f"/admin/users/{stranger.id}/disable", data={"csrf_token": csrf})
    assert r.status_code == 404
    assert (await User.get(id=stranger.id)).disabled_at is None
    assert (await client.get("/admin/users/99999")).status_code == 404


async def test_it_keeps_non_admins_out(client, demo):
    for email in ("therapist@demo.clinic", "supervisor@demo.clinic", "patient@demo.clinic"):
        async with another(client) as c:
            await login(c, email)
            assert (await c.get("/admin/users")).status_code == 403
            csrf = await token(c)
            r = await c.post(
                "/admin/users/new",
                data={
                    "csrf_token": csrf,
                    "name": "X Y",
                    "email": "x@demo.clinic",
                    "role": "admin",
                },
            )
            assert r.status_code == 403
    assert not await User.filter(email="x@demo.clinic").exists()
    assert await AuditEvent.filter(action="access.denied").count() == 6


async def test_it_lets_a_user_change_their_own_password(client, demo):
    await login(client, "patient@demo.clinic")
    csrf = await token(client)
    bad = await client.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": "nope nope nope", "new_password": GOOD_PASSWORD},
    )
    assert bad.status_code == 400 and "current password" in bad.text
    ok = await client.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": "quiet-harbor-lantern", "new_password": GOOD_PASSWORD},
    )
    assert ok.status_code == 200 and "Password changed" in ok.text
    assert (await client.get("/journal")).status_code == 200  # this session stays
    await client.post("/logout", data={"csrf_token": csrf})
    assert (await login(client, "patient@demo.clinic", GOOD_PASSWORD)).status_code == 303


async def test_without_mail_the_forgotten_password_page_says_to_ask_the_clinic(client, demo):
    page = await client.get("/password-reset")
    assert page.status_code == 200 and "does not send email" in page.text
    csrf = await token(client, "/login")
    r = await client.post("/password-reset", data={"csrf_token": csrf, "email": "patient@demo.clinic"})
    assert r.status_code == 404
    assert 'href="/password-reset"' in (await client.get("/login")).text
