from __future__ import annotations

from server.models import AuditEvent, Session, User
from tests.conftest import another, login, token

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


async def test_it_creates_a_user_who_can_sign_in(client, demo, app):
    csrf = await _as_admin(client)
    r = await client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf,
            "name": "Noor Haddad",
            "email": "Noor@Demo.Clinic",
            "role": "therapist",
            "is_trainee": "on",
            "password": GOOD_PASSWORD,
        },
    )
    assert r.status_code == 303
    user = await User.get(email="noor@demo.clinic")
    assert user.is_trainee and user.password_hash.startswith("$argon2id$")
    assert r.headers["location"] == f"/admin/users/{user.id}?done=created"
    async with another(client) as other:
        assert (await login(other, "noor@demo.clinic", GOOD_PASSWORD)).status_code == 303


async def test_it_keeps_input_and_explains_each_bad_field(client, demo):
    csrf = await _as_admin(client)
    r = await client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf,
            "name": "Noor Haddad",
            "email": "not-an-email",
            "role": "wizard",
            "password": "short",
        },
    )
    assert r.status_code == 400
    assert 'value="Noor Haddad"' in r.text and 'value="not-an-email"' in r.text
    assert "Enter an email address" in r.text and "Choose one of" in r.text and "at least 12 characters" in r.text
    assert not await User.filter(name="Noor Haddad").exists()


async def test_it_refuses_a_duplicate_email(client, demo):
    csrf = await _as_admin(client)
    r = await client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf,
            "name": "Again",
            "email": "THERAPIST@demo.clinic",
            "role": "therapist",
            "password": GOOD_PASSWORD,
        },
    )
    assert r.status_code == 400 and "already exists" in r.text


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


async def test_it_resets_a_password_and_signs_the_person_out(client, demo):
    async with another(client) as patient:
        await login(patient, "patient@demo.clinic")
        csrf = await _as_admin(client)
        target = await User.get(email="patient@demo.clinic")
        r = await client.post(
            f"/admin/users/{target.id}/password", data={"csrf_token": csrf, "password": GOOD_PASSWORD}
        )
        assert r.status_code == 303
        assert (await patient.get("/journal")).status_code == 303
        assert (await login(patient, "patient@demo.clinic", GOOD_PASSWORD)).status_code == 303


async def test_it_rejects_a_weak_reset_password_and_keeps_the_old_one(client, demo):
    csrf = await _as_admin(client)
    target = await User.get(email="patient@demo.clinic")
    r = await client.post(f"/admin/users/{target.id}/password", data={"csrf_token": csrf, "password": "password1234"})
    assert r.status_code == 400 and "too common" in r.text
    assert (await User.get(id=target.id)).password_hash == target.password_hash


async def test_it_updates_name_and_role(client, demo):
    csrf = await _as_admin(client)
    target = await User.get(email="therapist2@demo.clinic")
    edit = {"csrf_token": csrf, "name": "Jordan Lee-Park", "role": "supervisor", "version": str(target.version)}
    r = await client.post(f"/admin/users/{target.id}", data=edit)
    assert r.status_code == 303
    updated = await User.get(id=target.id)
    assert updated.name == "Jordan Lee-Park" and updated.role == "supervisor"
    event = await AuditEvent.filter(action="user.updated").first()
    changed = ["is_trainee", "name", "role"]  # Jordan is the demo's trainee; a supervisor is never one
    assert event.detail == {"changed": changed, "from_role": "therapist", "to_role": "supervisor"}


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
                    "password": GOOD_PASSWORD,
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
