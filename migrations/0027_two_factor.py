from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


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
    ]
