from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.models import ApprovalOutcome, Role
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0016_infusion_signature')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessApproval',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='approvals', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(max_length=16)),
                ('role', fields.CharEnumField(description='PATIENT: patient\nTHERAPIST: therapist\nSUPERVISOR: supervisor\nADMIN: admin', enum_type=Role, max_length=16)),
                ('is_trainee', fields.BooleanField(default=False)),
                ('requested_by_id', fields.IntField(null=True)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(default=ApprovalOutcome.PENDING, description='PENDING: pending\nAPPROVED: approved\nDECLINED: declined\nWITHDRAWN: withdrawn', enum_type=ApprovalOutcome, max_length=16)),
                ('decided_by_id', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('enrolment_id', fields.IntField(null=True)),
            ],
            options={'table': 'access_approval', 'app': 'models', 'pk_attr': 'id', 'table_description': "An admin's request that an account read clinical content — a new account, a wider role, or a reset of the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Enrolment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='enrolments', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('salt', fields.CharField(max_length=64)),
                ('purpose', fields.CharField(default='enrol', max_length=8)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'enrolment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time link on which a person sets their own password (a new account, or a reset): valid for a limited'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(null=True)),
                ('user_id', fields.IntField(null=True, db_index=True)),
                ('to_address', fields.CharField(max_length=254)),
                ('kind', fields.CharField(max_length=32)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('claimed_by', fields.CharField(default='', max_length=64)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['sent_at', 'failed_at', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A message to send (server/outbox.py), written in the same transaction as the event that causes it and'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='awaiting_approval',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
