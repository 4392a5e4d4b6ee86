"""The pre-dose checklist on each infusion record (pre-dose BP with the proceed/delay decision when it is above
140/90, fasting and medication review; the escort was already recorded), the reason for a dose above 0.75 mg/kg, and
a consent kind for Spravato treatment beside the REMS enrolment.

Every new column is added with ALTER TABLE ... ADD COLUMN, nullable or with a database default (db_default: a NOT
NULL column without one cannot be added to a table that has rows), so existing records keep their rows and read as
"not recorded". The consent kind changes only the field's description (the enum's values,
which Tortoise keeps in the migration state and PostgreSQL as the column's comment): on SQLite, Tortoise's AlterField
would rebuild the consent table for it, so there it changes the state alone.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from care.models import ConsentKind


class AlterDescription(ops.AlterField):
    """AlterField for a field whose description alone changed: PostgreSQL updates the column comment; SQLite, which
    stores no comments, is left as it is."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor and state_editor.client.capabilities.dialect != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor and state_editor.client.capabilities.dialect != "sqlite":
            await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0014_alert_resolved_by_note')]

    initial = False

    operations = [
        AlterDescription(
            model_name='Consent',
            name='kind',
            field=fields.CharEnumField(description='OFF_LABEL_KETAMINE: off_label_ketamine\nKAP: kap\nSPRAVATO_TREATMENT: spravato_treatment\nSPRAVATO_REMS: spravato_rems', enum_type=ConsentKind, max_length=24),
        ),
        ops.AddField(
            model_name='Infusion',
            name='bp_decision',
            field=fields.CharField(default='', db_default='', max_length=8),
        ),
        ops.AddField(
            model_name='Infusion',
            name='bp_decision_reason',
            field=fields.CharField(default='', db_default='', max_length=300),
        ),
        ops.AddField(
            model_name='Infusion',
            name='fasting_confirmed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Infusion',
            name='high_dose_reason',
            field=fields.CharField(default='', db_default='', max_length=300),
        ),
        ops.AddField(
            model_name='Infusion',
            name='medications_reviewed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Infusion',
            name='pre_dose_diastolic',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Infusion',
            name='pre_dose_systolic',
            field=fields.IntField(null=True),
        ),
    ]
