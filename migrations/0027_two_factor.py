"""Two-factor sign-in: an authenticator app (totp_factor) and its recovery codes (recovery_code) per account, the
account's strongest factor (user.second_factor), and a session's stage (session.stage: "code" while a sign-in waits
for its second factor).

The clinic setting `staff_two_factor` is on for a clinic created from now on. A clinic that exists at this upgrade
keeps signing its staff in as before (the setting is stored off) until an admin turns it on, so an upgrade never
holds a whole clinic's staff on an enrolment page unannounced.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


EXISTING_CLINICS_OFF = {
    "sqlite": "UPDATE clinic SET settings = json_set(settings, '$.staff_two_factor', json('false'))"
    " WHERE json_type(settings, '$.staff_two_factor') IS NULL",
    "postgres": "UPDATE clinic SET settings = settings || '{\"staff_two_factor\": false}'::jsonb"
    " WHERE NOT settings ? 'staff_two_factor'",
}


async def forward(apps, editor) -> None:
    await editor.client.execute_script(EXISTING_CLINICS_OFF[editor.client.capabilities.dialect])


async def backward(apps, editor) -> None:
    pass  # the setting is ignored by code that does not know it


class Migration(migrations.Migration):
    dependencies = [("models", "0026_entry_replies")]

    initial = False

    operations = [
        ops.CreateModel(
            name="RecoveryCode",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recovery_codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "recovery_code",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One single-use recovery code, kept as a keyed hash (HMAC-SHA256 with the server's secret): the code itself is",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TotpFactor",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.OneToOneField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="totp",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("secret", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("confirmed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_step", fields.BigIntField(default=0)),
            ],
            options={
                "table": "totp_factor",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An authenticator app (RFC 6238, 30-second steps): its secret, whether its first code confirmed it, and the",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Session",
            name="stage",
            field=fields.CharField(default="", db_default="", max_length=8),
        ),
        ops.AddField(
            model_name="User",
            name="second_factor",
            field=fields.CharField(default="", db_default="", max_length=16),
        ),
        ops.RunPython(forward, backward),
    ]
