"""Passkeys over HTTP, answered by a software authenticator (tests/authenticator.py): adding one after step-up,
signing in with it alone, and the refusals — a copied key (its counter went back), another origin, a challenge used
twice, another person's passkey at step-up."""

from __future__ import annotations

import httpx

from notes.models import IntegrationNote
from server.models import AuditEvent, Session, User
from server.passkey_models import Passkey, PasskeyChallenge
from tests.authenticator import Authenticator, b64
from tests.conftest import DEMO_PASSWORD, another, csrf_from, login, token
from tests.notes.conftest import casey_infusion, note_form

THERAPIST = "therapist@demo.clinic"


async def _events(action: str) -> list[AuditEvent]:
    return await AuditEvent.filter(action=action).order_by("seq")


async def add_passkey(client: httpx.AsyncClient, email: str, name: str = "Work laptop") -> Authenticator:
    """Sign in with the password and add a passkey; the client stays signed in."""
    assert (await login(client, email)).status_code == 303
    csrf = await token(client, "/account/passkeys")
    r = await client.post(
        "/account/passkeys/options", data={"csrf_token": csrf, "name": name, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.text
    options = r.json()
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    authenticator = Authenticator()
    r = await client.post(
        "/account/passkeys", data={"csrf_token": csrf, "name": name, "credential": authenticator.create(options)}
    )
    assert r.status_code == 200, r.text
    assert r.json()["redirect"] == "/account/passkeys?added=1"
    return authenticator


async def passkey_sign_in(client: httpx.AsyncClient, authenticator: Authenticator, **kw) -> httpx.Response:
    csrf = csrf_from((await client.get("/login")).text)
    options = (await client.post("/login/passkey/options", data={"csrf_token": csrf})).json()
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    return await client.post(
        "/login/passkey", data={"csrf_token": csrf, "credential": authenticator.get(options, **kw)}
    )


async def test_a_therapist_adds_a_passkey_and_signs_in_with_it_alone(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    page = await client.get("/account/passkeys")
    assert "Work laptop" in page.text and "not used yet" in page.text
    me = await User.get(email=THERAPIST)
    passkey = await Passkey.get(user_id=me.id)
    assert passkey.transports == ["internal"] and passkey.sign_count == 0
    registered = (await _events("passkey.registered"))[-1]
    assert registered.actor_id == me.id and registered.object_id == str(passkey.id)
    await client.post("/logout", data={"csrf_token": await token(client)})

    r = await passkey_sign_in(client, authenticator)
    assert r.status_code == 200, r.text
    assert r.json()["redirect"] == "/"
    home = await client.get("/", follow_redirects=True)
    assert home.url.path == "/caseload"
    signed_in = (await _events("auth.login"))[-1]
    assert signed_in.actor_id == me.id and signed_in.detail == {"method": "passkey", "passkey": passkey.id}
    passkey = await Passkey.get(id=passkey.id)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


async def test_adding_a_passkey_needs_the_password_and_a_name(client, demo):
    assert (await login(client, THERAPIST)).status_code == 303
    csrf = await token(client, "/account/passkeys")
    r = await client.post("/account/passkeys/options", data={"csrf_token": csrf, "name": "", "password": "wrong"})
    assert r.status_code == 400 and "name" in r.json()["errors"]
    r = await client.post("/account/passkeys/options", data={"csrf_token": csrf, "name": "Phone", "password": "wrong"})
    assert r.status_code == 400 and r.json()["errors"] == {"password": "That password is wrong."}
    assert not await PasskeyChallenge.exists()


async def test_an_answer_from_another_origin_is_refused(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    await client.post("/logout", data={"csrf_token": await token(client)})
    r = await passkey_sign_in(client, authenticator, origin="https://evil.example")
    assert r.status_code == 400
    refused = (await _events("passkey.refused"))[-1]
    assert refused.detail == {"reason": "invalid", "for": "sign_in"} and refused.outcome == "denied"
    assert (await client.get("/", follow_redirects=False)).status_code == 303  # still signed out


async def test_a_registration_for_another_origin_is_refused(client, demo):
    assert (await login(client, THERAPIST)).status_code == 303
    csrf = await token(client, "/account/passkeys")
    data = {"csrf_token": csrf, "name": "Phone", "password": DEMO_PASSWORD}
    options = (await client.post("/account/passkeys/options", data=data)).json()
    credential = Authenticator().create(options, origin="https://evil.example")
    r = await client.post("/account/passkeys", data={"csrf_token": csrf, "name": "Phone", "credential": credential})
    assert r.status_code == 400 and not await Passkey.exists()


async def test_a_copied_passkey_whose_counter_went_back_is_refused(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    await client.post("/logout", data={"csrf_token": await token(client)})
    for _ in range(2):  # the counter reaches 2
        assert (await passkey_sign_in(client, authenticator)).status_code == 200
        await client.post("/logout", data={"csrf_token": await token(client)})
    authenticator.sign_count = 1  # a clone made after the first use: its next answer says 2 again
    r = await passkey_sign_in(client, authenticator)
    assert r.status_code == 400
    refused = (await _events("passkey.refused"))[-1]
    me = await User.get(email=THERAPIST)
    assert refused.detail == {"reason": "sign_count", "for": "sign_in"} and refused.actor_id == me.id


async def test_a_challenge_answers_once(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    await client.post("/logout", data={"csrf_token": await token(client)})
    csrf = csrf_from((await client.get("/login")).text)
    options = (await client.post("/login/passkey/options", data={"csrf_token": csrf})).json()
    answer = authenticator.get(options)
    assert (await client.post("/login/passkey", data={"csrf_token": csrf, "credential": answer})).status_code == 200
    async with another(client) as thief:  # the same answer again, even from the same browser, finds no challenge
        csrf2 = csrf_from((await thief.get("/login")).text)
        r = await thief.post("/login/passkey", data={"csrf_token": csrf2, "credential": answer})
        assert r.status_code == 400
    assert (await _events("passkey.refused"))[-1].detail == {"reason": "challenge", "for": "sign_in"}
    assert await Session.filter(revoked_at=None).count() == 1


async def test_a_challenge_made_for_one_browser_is_refused_in_another(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    await client.post("/logout", data={"csrf_token": await token(client)})
    csrf = csrf_from((await client.get("/login")).text)
    options = (await client.post("/login/passkey/options", data={"csrf_token": csrf})).json()
    async with another(client) as other:
        csrf2 = csrf_from((await other.get("/login")).text)
        r = await other.post("/login/passkey", data={"csrf_token": csrf2, "credential": authenticator.get(options)})
        assert r.status_code == 400


async def test_a_passkey_confirms_a_signature_and_another_persons_is_refused(client, demo):
    mine = await add_passkey(client, THERAPIST)
    async with another(client) as sup:
        theirs = await add_passkey(sup, "supervisor@demo.clinic")
    csrf = await token(client)
    data = note_form(csrf, practices="Walk each morning")
    infusion = await casey_infusion()
    assert (await client.post(f"/infusions/{infusion.id}/notes/new", data=data)).status_code == 303
    note = await IntegrationNote.get(draft_key=data["draft_key"])
    editor = await client.get(f"/notes/{note.id}")
    assert "Use a passkey instead" in editor.text and 'name="passkey_assertion"' in editor.text

    options = (await client.post("/account/passkeys/step-up", data={"csrf_token": csrf})).json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64(mine.credential_id)]
    sign = {"csrf_token": csrf, "version": "1", "password": ""}
    r = await client.post(f"/notes/{note.id}/sign", data=sign | {"passkey_assertion": theirs.get(options)})
    assert r.status_code == 400 and (await IntegrationNote.get(id=note.id)).status == "draft"
    assert "That passkey wasn&#39;t accepted" in r.text
    refused = (await _events("passkey.refused"))[-1]
    assert refused.detail == {"reason": "not_yours", "for": "step_up"} and refused.object_id == ""
    assert (await _events("note.step_up_failed"))[-1].object_id == str(note.id)

    options = (await client.post("/account/passkeys/step-up", data={"csrf_token": csrf})).json()
    r = await client.post(f"/notes/{note.id}/sign", data=sign | {"passkey_assertion": mine.get(options)})
    assert r.status_code == 303, r.text[-1500:]
    assert (await IntegrationNote.get(id=note.id)).status == "signed"
    assert (await _events("passkey.step_up"))[-1].object_type == "passkey"


async def test_a_passkey_is_renamed_and_removed_after_step_up(client, demo):
    await add_passkey(client, THERAPIST)
    passkey = await Passkey.get()
    csrf = await token(client)
    r = await client.post(f"/account/passkeys/{passkey.id}/name", data={"csrf_token": csrf, "name": ""})
    assert r.status_code == 400 and "Name this passkey" in r.text
    r = await client.post(f"/account/passkeys/{passkey.id}/name", data={"csrf_token": csrf, "name": "Old phone"})
    assert r.status_code == 303 and (await Passkey.get(id=passkey.id)).name == "Old phone"
    r = await client.post(f"/account/passkeys/{passkey.id}/remove", data={"csrf_token": csrf, "password": "wrong"})
    assert r.status_code == 400 and "That password is wrong." in r.text and await Passkey.exists()
    r = await client.post(
        f"/account/passkeys/{passkey.id}/remove", data={"csrf_token": csrf, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 303 and not await Passkey.exists()
    assert [e.action for e in await AuditEvent.filter(object_type="passkey").order_by("seq")] == [
        "passkey.registered", "passkey.renamed", "passkey.removed",
    ]  # fmt: skip
    async with another(client) as sup:  # nobody else's passkey can be touched: 404
        await add_passkey(sup, "supervisor@demo.clinic")
        theirs = await Passkey.get()
        r = await client.post(f"/account/passkeys/{theirs.id}/name", data={"csrf_token": csrf, "name": "Mine now"})
        assert r.status_code == 404


def test_the_relying_party_follows_public_url_unless_set():
    from server.settings import from_env

    base = {"SECRET_KEY": "k", "AFTERGLOW_VAR_DIR": "/nonexistent"}
    default = from_env(base | {"PORT": "8123"})
    assert (default.rp_id, default.rp_origin) == ("localhost", "http://localhost:8123")
    public = from_env(base | {"PUBLIC_URL": "https://journal.clinic.example/afterglow/"})
    assert (public.rp_id, public.rp_origin) == ("journal.clinic.example", "https://journal.clinic.example")
    both = from_env(
        base
        | {"PUBLIC_URL": "https://a.example", "WEBAUTHN_RP_ID": "example", "WEBAUTHN_ORIGIN": "https://b.example:8443/"}
    )
    assert (both.rp_id, both.rp_origin) == ("example", "https://b.example:8443")


async def test_a_new_sign_in_replaces_the_browsers_last_challenge(client, demo):
    authenticator = await add_passkey(client, THERAPIST)
    await client.post("/logout", data={"csrf_token": await token(client)})
    csrf = csrf_from((await client.get("/login")).text)
    first = (await client.post("/login/passkey/options", data={"csrf_token": csrf})).json()
    await client.post("/login/passkey/options", data={"csrf_token": csrf})
    assert await PasskeyChallenge.filter(purpose="sign_in").count() == 1
    r = await client.post("/login/passkey", data={"csrf_token": csrf, "credential": authenticator.get(first)})
    assert r.status_code == 400
