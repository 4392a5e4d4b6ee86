from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from notes.models import Format, Status
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_journal')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IntegrationNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('infusion', fields.ForeignKeyField('models.Infusion', source_field='infusion_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.RESTRICT)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='notes_written', on_delete=OnDelete.RESTRICT)),
                ('draft_key', fields.CharField(max_length=64)),
                ('format', fields.CharEnumField(default=Format.DAP, description='DAP: DAP\nSOAP: SOAP\nBIRP: BIRP', enum_type=Format, max_length=4)),
                ('kap_phase', fields.CharField(default='integration', max_length=16)),
                ('content', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('shared_summary', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=Status.DRAFT, description='DRAFT: draft\nSIGNED: signed\nCOSIGN_PENDING: cosign_pending\nRETURNED: returned\nCOSIGNED: cosigned', enum_type=Status, max_length=16)),
                ('version', fields.IntField(default=1)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signed_by', fields.ForeignKeyField('models.User', source_field='signed_by_id', null=True, db_constraint=True, to_field='id', related_name='notes_signed', on_delete=OnDelete.RESTRICT)),
                ('content_sha256', fields.CharField(default='', max_length=64)),
                ('cosigned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cosigned_by', fields.ForeignKeyField('models.User', source_field='cosigned_by_id', null=True, db_constraint=True, to_field='id', related_name='notes_cosigned', on_delete=OnDelete.RESTRICT)),
                ('return_comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'integration_note', 'app': 'models', 'unique_together': (('author', 'draft_key'),), 'indexes': [Index(fields=['clinic_id', 'status']), Index(fields=['patient_id', 'infusion_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Addendum',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('note', fields.ForeignKeyField('models.IntegrationNote', source_field='note_id', db_constraint=True, to_field='id', related_name='addenda', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='addenda', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('content_sha256', fields.CharField(max_length=64)),
            ],
            options={'table': 'note_addendum', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='process_notes', on_delete=OnDelete.RESTRICT)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='process_notes', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'process_note', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Psychotherapy notes (HIPAA): apart from the record, for their author only (and a recorded supervisor).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SeenMarker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='seen_markers', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=40)),
                ('seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'seen_marker', 'app': 'models', 'unique_together': (('user', 'key'),), 'pk_attr': 'id', 'table_description': 'When a clinician last looked at something (e.g. shared journal entries on the dashboard).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignedVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('note', fields.ForeignKeyField('models.IntegrationNote', source_field='note_id', db_constraint=True, to_field='id', related_name='signed_versions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.IntField()),
                ('content', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('shared_summary', fields.TextField(default='', unique=False)),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('signed_by_id', fields.IntField()),
                ('content_sha256', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(default='', max_length=16)),
                ('outcome_comment', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'note_signed_version', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What was signed, each time (a returned note signed again keeps both versions readable).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Supervision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('supervisor', fields.ForeignKeyField('models.User', source_field='supervisor_id', db_constraint=True, to_field='id', related_name='supervisees', on_delete=OnDelete.RESTRICT)),
                ('supervisee', fields.ForeignKeyField('models.User', source_field='supervisee_id', db_constraint=True, to_field='id', related_name='supervisors', on_delete=OnDelete.RESTRICT)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supervision', 'app': 'models', 'pk_attr': 'id', 'table_description': "A recorded supervision relationship: the supervisor may read the supervisee's process notes."},
            bases=['Model'],
        ),
    ]
