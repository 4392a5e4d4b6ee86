from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_calendar')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PracticeDone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient_id', fields.IntField()),
                ('prompt', fields.ForeignKeyField('models.Prompt', source_field='prompt_id', db_constraint=True, to_field='id', related_name='done', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('done_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_done', 'app': 'models', 'unique_together': (('prompt', 'day'),), 'pk_attr': 'id', 'table_description': 'A practice ticked "done today": one row per practice per day in the clinic\'s time zone (a tally, no streak).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='alerted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='prompt_text',
            field=fields.CharField(default='', db_default='', max_length=500),
        ),
    ]
