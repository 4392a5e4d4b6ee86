"""Passkeys (WebAuthn credentials) and the one-time challenges their ceremonies answer (server/passkeys.py)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Passkey(Model):
    """One passkey a person registered: the authenticator keeps the private key, we keep its public key."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="passkeys", on_delete=fields.CASCADE
    )
    user_id: int
    credential_id = fields.CharField(max_length=1400, unique=True)  # base64url; WebAuthn allows up to 1023 bytes
    public_key = fields.TextField()  # COSE key, base64url
    sign_count = fields.BigIntField(default=0)
    transports: fields.Field[list] = fields.JSONField(default=list)
    name = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"
        indexes = (("user_id",),)


class PasskeyChallenge(Model):
    """A challenge handed to the browser for one ceremony: used once, within minutes, by the browser it was bound
    to (the hash of its CSRF token, which is the session's while signed in)."""

    id = fields.IntField(primary_key=True)
    challenge = fields.CharField(max_length=128, unique=True)  # base64url
    purpose = fields.CharField(max_length=16)  # "register" | "sign_in" | "step_up"
    binding = fields.CharField(max_length=64)
    user_id = fields.IntField(null=True)  # the signed-in user it was made for (register, step-up)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "passkey_challenge"
