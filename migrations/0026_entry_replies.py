from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0025_safety_plan')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EntryReply',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient_id', fields.IntField(db_index=True)),
                ('entry', fields.ForeignKeyField('models.JournalEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='entry_replies', on_delete=OnDelete.RESTRICT)),
                ('signed_as', fields.CharField(max_length=160)),
                ('body', fields.TextField(unique=False)),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'entry_reply', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
