from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0010_audit_event_description')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FormSubmission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='form_submissions', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=64)),
                ('kind', fields.CharField(max_length=32)),
                ('object_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'form_submission', 'app': 'models', 'unique_together': (('user', 'key'),), 'pk_attr': 'id', 'table_description': "A create form's one-time key and what its first submission made (server/once.py): a repeat of the same form"},
            bases=['Model'],
        ),
        ops.AddConstraint(
            model_name='NoteReview',
            constraint=UniqueConstraint(fields=('note',), name=None),
        ),
    ]
