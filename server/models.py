"""Shell tables: clinics (tenants), users, sessions, login throttling and the audit chain."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    PATIENT = "patient"
    THERAPIST = "therapist"
    MEDICAL = "medical"  # physician, nurse practitioner, PA, CRNA or RN: gives and monitors doses
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# The licences a medical-staff account may hold (server/accounts.py checks one is chosen for `medical`, none otherwise).
CREDENTIALS = {
    "MD": "physician (MD)",
    "DO": "physician (DO)",
    "NP": "nurse practitioner",
    "PA": "physician assistant",
    "CRNA": "nurse anesthetist (CRNA)",
    "RN": "registered nurse",
}


class Clinic(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=100, unique=True)
    timezone = fields.CharField(max_length=64, default="America/New_York")
    settings: fields.Field[dict] = fields.JSONField(default=dict)
    settings_version = fields.IntField(default=1, db_default=1)  # an admin's save names the version it started from
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "clinic"


class User(Model):
    id = fields.IntField(primary_key=True)
    clinic: fields.ForeignKeyRelation[Clinic] = fields.ForeignKeyField(
        "models.Clinic", related_name="users", on_delete=fields.RESTRICT
    )
    clinic_id: int
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16)
    password_hash = fields.CharField(max_length=255)
    is_trainee = fields.BooleanField(default=False)
    credential = fields.CharField(max_length=8, default="", db_default="")  # medical staff only: CREDENTIALS
    created_at = fields.DatetimeField(auto_now_add=True)
    password_changed_at = fields.DatetimeField(null=True)
    disabled_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1, db_default=1)  # an admin's edit names the version it started from
    # An account an admin made or reset for someone who reads clinical content waits for a supervisor's approval
    # before anyone can sign in to it (server/enrolment.py).
    awaiting_approval = fields.BooleanField(default=False, db_default=False)
    # The strongest second factor the account has ("" none, "totp"; passkeys later), kept by server/factors.py so
    # the sign-in gate and step-up forms know it without a query.
    second_factor = fields.CharField(max_length=16, default="", db_default="")

    class Meta:
        table = "user"
        indexes = (("clinic_id", "role"),)  # the clinic's staff lists (calendar, supervision, approvals)

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and not self.awaiting_approval


class Session(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    revoked_at = fields.DatetimeField(null=True)
    # "" a full session; "code": the password was right and the sign-in waits for a second factor (this session
    # reaches only the code page, for a few minutes: server/web.py's gate).
    stage = fields.CharField(max_length=8, default="", db_default="")

    class Meta:
        table = "session"
        indexes = (("user_id", "last_seen_at"),)  # the account security page's "where you're signed in"


class TotpFactor(Model):
    """An authenticator app (RFC 6238, 30-second steps): its secret, whether its first code confirmed it, and the
    last time step a code was accepted for (a used code is never accepted again)."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="totp", on_delete=fields.CASCADE
    )
    user_id: int
    secret = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    last_step = fields.BigIntField(default=0)

    class Meta:
        table = "totp_factor"


class RecoveryCode(Model):
    """One single-use recovery code, kept as a keyed hash (HMAC-SHA256 with the server's secret): the code itself is
    shown once, when the set is made."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    user_id: int
    code_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_code"


class FormSubmission(Model):
    """A create form's one-time key and what its first submission made (server/once.py): a repeat of the same form
    (a double click, a retry after a dropped connection, the same page sent from a second tab) is answered with the
    first result instead of making another."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="form_submissions", on_delete=fields.CASCADE
    )
    user_id: int
    key = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=32)
    object_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "form_submission"
        unique_together = (("user", "key"),)


class Enrolment(Model):
    """A one-time link on which a person sets their own password (a new account, or a reset): valid for a limited
    time, used once, ended early by a newer link. The token is never stored: it is derived from the row's salt and
    the server's secret, and only its hash is looked up (server/enrolment.py)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="enrolments", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    salt = fields.CharField(max_length=64)
    purpose = fields.CharField(max_length=8, default="enrol")  # "enrol" (a new or admin-reset account) | "reset"
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enrolment"
        indexes = (("user_id",),)


class ApprovalOutcome(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class AccessApproval(Model):
    """An admin's request that an account read clinical content — a new account, a wider role, or a reset of the
    sign-in of an account that reads clinical content — which a supervisor of the clinic approves or declines."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="approvals", on_delete=fields.CASCADE
    )
    user_id: int
    reason = fields.CharField(max_length=16)  # "new" | "role" | "reset"
    role = fields.CharEnumField(Role, max_length=16)
    is_trainee = fields.BooleanField(default=False)
    requested_by_id = fields.IntField(null=True)
    requested_at = fields.DatetimeField()
    outcome = fields.CharEnumField(ApprovalOutcome, max_length=16, default=ApprovalOutcome.PENDING)
    decided_by_id = fields.IntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    enrolment_id = fields.IntField(null=True)  # the link a supervisor's approval issued

    class Meta:
        table = "access_approval"
        indexes = (("user_id", "outcome"),)


class OutboxMessage(Model):
    """A message to send (server/outbox.py), written in the same transaction as the event that causes it and
    delivered later by a worker, with retries. It holds ids and enumerated values only: its words are rendered at
    delivery, and never carry clinical content."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(null=True)
    user_id = fields.IntField(null=True, db_index=True)  # the recipient's account, when there is one
    to_address = fields.CharField(max_length=254)
    kind = fields.CharField(max_length=32)
    payload: fields.Field[dict] = fields.JSONField(default=dict)
    dedupe_key = fields.CharField(max_length=128, null=True, unique=True)  # one message per cause
    created_at = fields.DatetimeField()
    next_attempt_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    claimed_by = fields.CharField(max_length=64, default="")
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=200, default="")

    class Meta:
        table = "outbox_message"
        indexes = (("sent_at", "failed_at", "next_attempt_at"),)


class NotificationPreference(Model):
    """What a person wants to hear about by email (server/outbox.py): reminders on or off, per topic, and quiet hours
    in their clinic's time zone. Messages about their account (a sign-in link) are never turned off."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="notification_preference", on_delete=fields.CASCADE
    )
    user_id: int
    email = fields.BooleanField(default=True)  # False: no reminders by email at all
    off: fields.Field[list] = fields.JSONField(default=list)  # topics turned off
    quiet_from = fields.IntField(default=21)  # hour, 0–23: reminders wait from this hour...
    quiet_until = fields.IntField(default=8)  # ...until this one (equal hours: no quiet hours)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "notification_preference"


class LoginFailure(Model):
    """One failed sign-in, counted per account key and per client IP within the throttle window."""

    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=8)  # "account" | "ip"
    key = fields.CharField(max_length=254)
    at = fields.DatetimeField()

    class Meta:
        table = "login_failure"
        indexes = (("scope", "key", "at"),)


class AuditEvent(Model):
    """Append-only, hash-chained record of who did what (server/audit.py). Never updated, never deleted."""

    seq = fields.BigIntField(primary_key=True, generated=False)
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_role = fields.CharField(max_length=16, default="")
    clinic_id = fields.IntField(null=True, db_index=True)
    action = fields.CharField(max_length=64, db_index=True)
    object_type = fields.CharField(max_length=32, default="")
    object_id = fields.CharField(max_length=64, default="")
    patient_id = fields.IntField(null=True, db_index=True)
    outcome = fields.CharField(max_length=16, default="ok")
    reason = fields.CharField(max_length=500, default="")
    ip = fields.CharField(max_length=64, default="")
    request_id = fields.CharField(max_length=32, default="")
    detail: fields.Field[dict] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_event"
        # The audit viewer pages by seq within one clinic, often for one patient or one actor (keyset, no OFFSET).
        indexes = (("clinic_id", "seq"), ("patient_id", "seq"), ("actor_id", "seq"))


class AuditChainHead(Model):
    """One row: the last seq and hash. Locking it serialises appends on PostgreSQL."""

    id = fields.IntField(primary_key=True, generated=False)
    seq = fields.BigIntField(default=0)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_chain_head"


class AuditCheckpoint(Model):
    """The last verification of the audit chain, so the viewer can show its status without re-walking millions of
    rows; each new check starts from the last good checkpoint."""

    id = fields.IntField(primary_key=True)
    verified_at = fields.DatetimeField()
    seq = fields.BigIntField()
    hash = fields.CharField(max_length=64)
    ok = fields.BooleanField()
    bad_seq = fields.BigIntField(null=True)
    problem = fields.CharField(max_length=200, default="")

    class Meta:
        table = "audit_checkpoint"
