from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from journal.models import Kind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_care_records')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JournalEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='journal_entries', on_delete=OnDelete.RESTRICT)),
                ('infusion', fields.ForeignKeyField('models.Infusion', source_field='infusion_id', null=True, db_constraint=True, to_field='id', related_name='journal_entries', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='POST_SESSION: post_session\nCHECK_IN: check_in\nFREE: free', enum_type=Kind, max_length=16)),
                ('draft_key', fields.CharField(max_length=64)),
                ('title', fields.CharField(default='', max_length=200)),
                ('prompts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('body', fields.TextField(default='', unique=False)),
                ('mood', fields.IntField(null=True)),
                ('anxiety', fields.IntField(null=True)),
                ('energy', fields.IntField(null=True)),
                ('sleep', fields.IntField(null=True)),
                ('shared', fields.BooleanField(default=False)),
                ('shared_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('crisis_language', fields.BooleanField(default=False)),
                ('prompt_ref', fields.CharField(default='', max_length=40)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'journal_entry', 'app': 'models', 'unique_together': (('patient', 'draft_key'),), 'indexes': [Index(fields=['patient_id', 'created_at']), Index(fields=['patient_id', 'shared'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JournalPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.OneToOneField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='journal_preference', on_delete=OnDelete.CASCADE)),
                ('share_by_default', fields.BooleanField(default=False)),
            ],
            options={'table': 'journal_preference', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JournalRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('models.JournalEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.IntField()),
                ('title', fields.CharField(default='', max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('saved_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'journal_revision', 'app': 'models', 'unique_together': (('entry', 'version'),), 'pk_attr': 'id', 'table_description': 'Every accepted save, kept forever (append-only): nothing a patient wrote is ever lost.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Prompt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='prompts', on_delete=OnDelete.RESTRICT)),
                ('infusion', fields.ForeignKeyField('models.Infusion', source_field='infusion_id', null=True, db_constraint=True, to_field='id', related_name='prompts', on_delete=OnDelete.SET_NULL)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('text', fields.CharField(max_length=500)),
                ('source', fields.CharField(default='practice', max_length=16)),
                ('answered_entry', fields.ForeignKeyField('models.JournalEntry', source_field='answered_entry_id', null=True, db_constraint=True, to_field='id', related_name='answered_prompts', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'prompt', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A practice prompt assigned by the care team (schedule prompts after infusions are computed, not stored).'},
            bases=['Model'],
        ),
    ]
