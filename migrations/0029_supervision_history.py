from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0028_passkeys')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Supervision',
            options={'table': 'supervision', 'app': 'models', 'indexes': [Index(fields=['supervisee_id', 'started_at'])], 'pk_attr': 'id', 'table_description': 'A recorded supervision relationship, from `started_at` until `ended_at` (open-ended when None): while it runs'},
        ),
        ops.AddField(
            model_name='Supervision',
            name='ended_by_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Supervision',
            name='linked_by_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Supervision',
            index=Index(fields=['supervisee_id', 'started_at']),
        ),
    ]
