from tortoise import migrations
from tortoise.migrations import operations as ops
from care.chart_models import DiagnosisStatus, Severity
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0023_intention_kind')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Allergy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='allergies', on_delete=OnDelete.RESTRICT)),
                ('substance', fields.CharField(max_length=120)),
                ('reaction', fields.CharField(default='', max_length=200)),
                ('severity', fields.CharEnumField(default=Severity.UNKNOWN, description='MILD: mild\nMODERATE: moderate\nSEVERE: severe\nUNKNOWN: unknown', enum_type=Severity, max_length=16)),
                ('active', fields.BooleanField(default=True, db_default=True)),
            ],
            options={'table': 'allergy', 'app': 'models', 'pk_attr': 'id'},
            bases=['_Item'],
        ),
        ops.CreateModel(
            name='ChartProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.OneToOneField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='chart_profile', on_delete=OnDelete.RESTRICT)),
                ('no_known_allergies', fields.BooleanField(default=False, db_default=False)),
                ('allergies_reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('allergies_reviewed_by_id', fields.IntField(null=True)),
                ('emergency_name', fields.CharField(default='', db_default='', max_length=120)),
                ('emergency_relationship', fields.CharField(default='', db_default='', max_length=60)),
                ('emergency_phone', fields.CharField(default='', db_default='', max_length=40)),
                ('escort_name', fields.CharField(default='', db_default='', max_length=120)),
                ('escort_phone', fields.CharField(default='', db_default='', max_length=40)),
                ('referrer_name', fields.CharField(default='', db_default='', max_length=120)),
                ('referrer_contact', fields.CharField(default='', db_default='', max_length=200)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
                ('version', fields.IntField(default=1, db_default=1)),
            ],
            options={'table': 'chart_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One per patient: the allergy state ("no known allergies" is said, never assumed from an empty list) and the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Diagnosis',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='diagnoses', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=10)),
                ('noted_on', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=DiagnosisStatus.ACTIVE, description='ACTIVE: active\nRESOLVED: resolved\nENTERED_IN_ERROR: entered_in_error', enum_type=DiagnosisStatus, max_length=20)),
            ],
            options={'table': 'diagnosis', 'app': 'models', 'pk_attr': 'id'},
            bases=['_Item'],
        ),
        ops.CreateModel(
            name='Medication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='medications', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=120)),
                ('dose', fields.CharField(default='', max_length=60)),
                ('frequency', fields.CharField(default='', max_length=60)),
                ('prescriber', fields.CharField(default='', max_length=120)),
                ('started_on', fields.DateField(null=True)),
                ('stopped_on', fields.DateField(null=True)),
                ('entered_in_error', fields.BooleanField(default=False, db_default=False)),
            ],
            options={'table': 'medication', 'app': 'models', 'pk_attr': 'id'},
            bases=['_Item'],
        ),
    ]
