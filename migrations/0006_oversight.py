from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_notes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('verified_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seq', fields.BigIntField()),
                ('hash', fields.CharField(max_length=64)),
                ('ok', fields.BooleanField()),
                ('bad_seq', fields.BigIntField(null=True)),
                ('problem', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'audit_checkpoint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The last verification of the audit chain, so the viewer can show its status without re-walking millions of'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BreakGlass',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='break_glass', on_delete=OnDelete.RESTRICT)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='break_glass', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.CharField(max_length=500)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reviewed_by', fields.ForeignKeyField('models.User', source_field='reviewed_by_id', null=True, db_constraint=True, to_field='id', related_name='break_glass_reviewed', on_delete=OnDelete.RESTRICT)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'break_glass', 'app': 'models', 'indexes': [Index(fields=['user_id', 'patient_id', 'expires_at'])], 'pk_attr': 'id', 'table_description': "Emergency read access to a patient outside one's care team: time-boxed, reasoned, reviewed (HIPAA)."},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['clinic_id', 'seq']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['patient_id', 'seq']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['actor_id', 'seq']),
        ),
    ]
