from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_signed_version_outcome_by')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RiskAlert',
            name='resolved_by_note_id',
            field=fields.IntField(null=True),
        ),
    ]
