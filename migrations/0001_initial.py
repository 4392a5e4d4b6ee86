from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.models import Role
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', fields.IntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('seq', fields.BigIntField(default=0)),
                ('hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_chain_head', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row: the last seq and hash. Locking it serialises appends on PostgreSQL.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('seq', fields.BigIntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_role', fields.CharField(default='', max_length=16)),
                ('clinic_id', fields.IntField(null=True, db_index=True)),
                ('action', fields.CharField(db_index=True, max_length=64)),
                ('object_type', fields.CharField(default='', max_length=32)),
                ('object_id', fields.CharField(default='', max_length=64)),
                ('patient_id', fields.IntField(null=True, db_index=True)),
                ('outcome', fields.CharField(default='ok', max_length=16)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('ip', fields.CharField(default='', max_length=64)),
                ('request_id', fields.CharField(default='', max_length=32)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'pk_attr': 'seq', 'table_description': 'Append-only, hash-chained record of who did what (DESIGN §4, §5). Never updated, never deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Clinic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('slug', fields.CharField(unique=True, max_length=100)),
                ('timezone', fields.CharField(default='America/New_York', max_length=64)),
                ('settings', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'clinic', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginFailure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=8)),
                ('key', fields.CharField(max_length=254)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_failure', 'app': 'models', 'indexes': [Index(fields=['scope', 'key', 'at'])], 'pk_attr': 'id', 'table_description': 'One failed sign-in, counted per account key and per client IP within the throttle window.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(description='PATIENT: patient\nTHERAPIST: therapist\nSUPERVISOR: supervisor\nADMIN: admin', enum_type=Role, max_length=16)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_trainee', fields.BooleanField(default=False)),
                ('totp_secret', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('password_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
