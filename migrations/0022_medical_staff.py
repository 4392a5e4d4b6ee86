"""The medical-staff role (physician, NP, PA, CRNA or RN, who give and monitor doses) and its licence on the account.

The licence is added with ALTER TABLE ... ADD COLUMN and a database default, so existing accounts keep their rows
(with no licence). The new role changes only the role fields' description (the enum's values, kept in the migration
state and as PostgreSQL's column comment): on SQLite, Tortoise's AlterField would rebuild the user table for it, so
there it changes the state alone (as in 0015).
"""

import importlib

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from server.models import Role

ROLES = 'PATIENT: patient\nTHERAPIST: therapist\nMEDICAL: medical\nSUPERVISOR: supervisor\nADMIN: admin'


# AlterField for a field whose description alone changed (PostgreSQL updates the column comment; SQLite is left as
# it is): the operation 0015 defined for the same case.
AlterDescription = importlib.import_module("migrations.0015_pre_dose_checklist").AlterDescription


class Migration(migrations.Migration):
    dependencies = [('models', '0021_journal_history')]

    initial = False

    operations = [
        AlterDescription(
            model_name='AccessApproval',
            name='role',
            field=fields.CharEnumField(description=ROLES, enum_type=Role, max_length=16),
        ),
        AlterDescription(
            model_name='User',
            name='role',
            field=fields.CharEnumField(description=ROLES, enum_type=Role, max_length=16),
        ),
        ops.AddField(
            model_name='User',
            name='credential',
            field=fields.CharField(default='', db_default='', max_length=8),
        ),
    ]
