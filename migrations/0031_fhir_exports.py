from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from interop.models import ExportStatus
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0029_supervision_history')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ExportJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('requested_by_id', fields.IntField()),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=ExportStatus.QUEUED, description='QUEUED: queued\nRUNNING: running\nCOMPLETE: complete\nFAILED: failed', enum_type=ExportStatus, max_length=16)),
                ('worker', fields.CharField(default='', max_length=80)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('patients_total', fields.IntField(default=0)),
                ('patients_done', fields.IntField(default=0)),
                ('resources', fields.IntField(default=0)),
                ('counts', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('error', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'fhir_export', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One clinic export: who asked and when, its progress while a worker writes it (`heartbeat_at` moves after every'},
            bases=['Model'],
        ),
    ]
