"""A passkey in place of the password at every step-up point that takes one (open a process note, break the glass,
sign an infusion record), the sign-in limits holding for passkeys, and an admin's reset ending a person's passkeys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from care.models import Infusion, Patient
from server.models import AuditEvent, User
from server.passkey_models import Passkey
from tests.authenticator import Authenticator
from tests.care.test_signing import _given
from tests.conftest import DEMO_PASSWORD, csrf_from, login, token
from tests.notes.test_process_and_dashboard import _process_note
from tests.server.test_passkeys import add_passkey, passkey_sign_in


async def _assertion(client: httpx.AsyncClient, csrf: str, authenticator: Authenticator) -> str:
    r = await client.post("/account/passkeys/step-up", data={"csrf_token": csrf})
    assert r.status_code == 200, r.text
    return authenticator.get(r.json())


async def test_a_passkey_opens_a_process_note(client, demo):
    authenticator = await add_passkey(client, "therapist@demo.clinic")
    csrf = await token(client)
    note = await _process_note(client, csrf)
    data = {"csrf_token": csrf, "passkey_assertion": await _assertion(client, csrf, authenticator)}
    opened = await client.post(f"/process-notes/{note.id}/open", data=data)
    assert opened.status_code == 200 and "Countertransference" in opened.text
    assert await AuditEvent.filter(action="process_note.opened", object_id=str(note.id)).exists()
    data = {"csrf_token": csrf, "passkey_assertion": "{not json"}
    refused = await client.post(f"/process-notes/{note.id}/open", data=data)
    assert refused.status_code == 400 and "Countertransference" not in refused.text


async def test_a_passkey_breaks_the_glass(client, demo):
    authenticator = await add_passkey(client, "therapist2@demo.clinic")
    csrf = await token(client)
    proof = await _assertion(client, csrf, authenticator)
    data = {"csrf_token": csrf, "mrn": "DC-1001", "reason": "Patient in ED now, covering for Sam"}
    r = await client.post("/break-glass", data=data | {"passkey_assertion": proof})
    casey = await Patient.get(mrn="DC-1001")
    assert r.status_code == 303 and r.headers["location"] == f"/patients/{casey.id}"
    assert await AuditEvent.filter(action="passkey.step_up").count() == 1


async def test_a_passkey_signs_an_infusion_record(client, demo):
    authenticator = await add_passkey(client, "nurse@demo.clinic")
    csrf = await token(client)
    infusion = await _given(client, csrf)
    version = str((await Infusion.get(id=infusion.id)).version)
    proof = await _assertion(client, csrf, authenticator)
    r = await client.post(
        f"/infusions/{infusion.id}/sign", data={"csrf_token": csrf, "version": version, "passkey_assertion": proof}
    )
    assert r.status_code == 303, r.text[-1000:]
    assert (await Infusion.get(id=infusion.id)).signed_at is not None


async def test_a_step_up_needs_a_passkey_on_the_account(client, demo):
    assert (await login(client, "therapist@demo.clinic")).status_code == 303
    r = await client.post("/account/passkeys/step-up", data={"csrf_token": await token(client)})
    assert r.status_code == 400 and "no passkey" in r.json()["errors"]["password"]


async def test_refused_passkey_sign_ins_meet_the_ip_limit(client, demo, settings):
    stranger = Authenticator()  # a passkey this server never registered
    for _ in range(settings.login_max_failures_ip):
        assert (await passkey_sign_in(client, stranger)).status_code == 400
    csrf = csrf_from((await client.get("/login")).text)
    r = await client.post("/login/passkey/options", data={"csrf_token": csrf})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert await AuditEvent.filter(action="auth.login_throttled").exists()
    refused = await AuditEvent.filter(action="passkey.refused").first()
    assert refused.detail == {"reason": "unknown_credential", "for": "sign_in"} and refused.actor_id is None


async def test_an_admins_reset_removes_the_accounts_passkeys(client, demo):
    authenticator = await add_passkey(client, "therapist@demo.clinic")
    therapist = await User.get(email="therapist@demo.clinic")
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as admin:
        assert (await login(admin, "admin@demo.clinic")).status_code == 303
        r = await admin.post(f"/admin/users/{therapist.id}/password", data={"csrf_token": await token(admin)})
        assert r.status_code in {200, 303}
    assert not await Passkey.filter(user_id=therapist.id).exists()
    event = await AuditEvent.get(action="user.password_reset")
    assert event.detail["passkeys_removed"] == 1
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as fresh:
        assert (await passkey_sign_in(fresh, authenticator)).status_code == 400


HOSTILE = ["", "null", "[]", '{"response": 1}', '{"response": {}}', '{"id": [], "response": {"clientDataJSON": "!!"}}',
           '{"response": {"clientDataJSON": "WyJhIl0", "transports": 5}}', "x" * 30_000]  # fmt: skip


async def test_a_malformed_answer_is_refused_never_a_5xx(client, demo):
    good = await add_passkey(client, "therapist@demo.clinic")
    csrf = await token(client)
    data = {"csrf_token": csrf, "name": "Two", "password": DEMO_PASSWORD}
    options = (await client.post("/account/passkeys/options", data=data)).json()
    answer = json.loads(good.create(options))
    answer["response"]["transports"] = {"usb": 1}
    for credential in [*HOSTILE, json.dumps(answer)]:
        r = await client.post("/account/passkeys", data={"csrf_token": csrf, "name": "Two", "credential": credential})
        assert r.status_code == 400, credential[:60]
        note = await _process_note(client, csrf)
        r = await client.post(
            f"/process-notes/{note.id}/open", data={"csrf_token": csrf, "passkey_assertion": credential}
        )
        assert r.status_code in {400, 429}, credential[:60]
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as stranger:
        login_csrf = csrf_from((await stranger.get("/login")).text)
        for credential in HOSTILE:
            r = await stranger.post("/login/passkey", data={"csrf_token": login_csrf, "credential": credential})
            assert r.status_code == 400 and "errors" in r.json(), credential[:60]


async def test_a_disabled_account_cannot_sign_in_with_its_passkey(client, demo):
    authenticator = await add_passkey(client, "therapist@demo.clinic")
    await User.filter(email="therapist@demo.clinic").update(disabled_at=datetime(2026, 11, 22, 15, 0, tzinfo=UTC))
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as fresh:
        assert (await passkey_sign_in(fresh, authenticator)).status_code == 400
    refused = await AuditEvent.filter(action="passkey.refused").order_by("-seq").first()
    assert refused.detail == {"reason": "disabled", "for": "sign_in"}
