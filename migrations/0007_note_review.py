from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_oversight')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NoteReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('note', fields.ForeignKeyField('models.IntegrationNote', source_field='note_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.RESTRICT)),
                ('sampled_by', fields.ForeignKeyField('models.User', source_field='sampled_by_id', db_constraint=True, to_field='id', related_name='note_reviews', on_delete=OnDelete.RESTRICT)),
                ('sampled_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(default='', max_length=20)),
                ('comment', fields.CharField(default='', max_length=1000)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'note_review', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed note drawn for quality review, and what the reviewing supervisor found.'},
            bases=['Model'],
        ),
    ]
