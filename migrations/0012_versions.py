from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_form_submissions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Clinic',
            name='settings_version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Course',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Infusion',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='User',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
