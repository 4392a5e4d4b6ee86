"""The journal's new entry kind, "intention" (written before a dosing session). Only the kind field's description
changes (the enum's values, kept in the migration state and as PostgreSQL's column comment): on SQLite, Tortoise's
AlterField would rebuild the journal_entry table for it, so there it changes the state alone (as in 0015)."""

import importlib

from tortoise import fields, migrations

from journal.models import Kind

AlterDescription = importlib.import_module("migrations.0015_pre_dose_checklist").AlterDescription


class Migration(migrations.Migration):
    dependencies = [("models", "0022_medical_staff")]

    initial = False

    operations = [
        AlterDescription(
            model_name="JournalEntry",
            name="kind",
            field=fields.CharEnumField(
                description="POST_SESSION: post_session\nCHECK_IN: check_in\nFREE: free\nINTENTION: intention",
                enum_type=Kind,
                max_length=16,
            ),
        ),
    ]
