from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from care.models import Agent, AlertSource, ConsentKind, CourseStatus, Instrument, Phase, Protocol, RouteOfAdmin
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_audit_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Patient',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_constraint=True, to_field='id', related_name='patients', on_delete=OnDelete.RESTRICT)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='patient', on_delete=OnDelete.RESTRICT)),
                ('mrn', fields.CharField(max_length=32)),
                ('date_of_birth', fields.DateField()),
                ('pronouns', fields.CharField(default='', max_length=40)),
                ('weight_kg', fields.DecimalField(max_digits=5, decimal_places=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'patient', 'app': 'models', 'unique_together': (('clinic', 'mrn'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CareTeam',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='care_team', on_delete=OnDelete.CASCADE)),
                ('therapist', fields.ForeignKeyField('models.User', source_field='therapist_id', db_constraint=True, to_field='id', related_name='care_teams', on_delete=OnDelete.RESTRICT)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('added_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'care_team', 'app': 'models', 'unique_together': (('patient', 'therapist'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Course',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='courses', on_delete=OnDelete.RESTRICT)),
                ('indication', fields.CharField(default='Treatment-resistant depression', max_length=100)),
                ('protocol', fields.CharEnumField(description='IV_INDUCTION: iv_induction\nSPRAVATO: spravato\nKAP_LOZENGE: kap_lozenge\nCUSTOM: custom', enum_type=Protocol, max_length=20)),
                ('status', fields.CharEnumField(default=CourseStatus.ACTIVE, description='ACTIVE: active\nMAINTENANCE: maintenance\nCOMPLETED: completed\nSTOPPED: stopped', enum_type=CourseStatus, max_length=20)),
                ('planned_count', fields.IntField()),
                ('started_on', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'course', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='OFF_LABEL_KETAMINE: off_label_ketamine\nKAP: kap\nSPRAVATO_REMS: spravato_rems', enum_type=ConsentKind, max_length=24)),
                ('signed_on', fields.DateField()),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name='consents_recorded', on_delete=OnDelete.RESTRICT)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consent', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Infusion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='infusions', on_delete=OnDelete.RESTRICT)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='infusions', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField()),
                ('phase', fields.CharEnumField(default=Phase.DOSING, description='PREPARATION: preparation\nDOSING: dosing\nINTEGRATION: integration\nBOOSTER: booster', enum_type=Phase, max_length=16)),
                ('scheduled_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('route', fields.CharEnumField(description='IV: iv\nIM: im\nINTRANASAL: intranasal\nSUBLINGUAL: sublingual', enum_type=RouteOfAdmin, max_length=12)),
                ('agent', fields.CharEnumField(description='RACEMIC_KETAMINE: racemic_ketamine\nESKETAMINE: esketamine', enum_type=Agent, max_length=20)),
                ('dose_mg_per_kg', fields.DecimalField(null=True, max_digits=5, decimal_places=3)),
                ('weight_kg', fields.DecimalField(null=True, max_digits=5, decimal_places=1)),
                ('total_mg', fields.DecimalField(null=True, max_digits=7, decimal_places=1)),
                ('lot_number', fields.CharField(default='', max_length=40)),
                ('administered_by', fields.ForeignKeyField('models.User', source_field='administered_by_id', null=True, db_constraint=True, to_field='id', related_name='infusions_administered', on_delete=OnDelete.RESTRICT)),
                ('cadss', fields.IntField(null=True)),
                ('moaas', fields.IntField(null=True)),
                ('adverse_events', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('adverse_other', fields.CharField(default='', max_length=200)),
                ('discharge_ready_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('escort_confirmed', fields.BooleanField(default=False)),
                ('rems', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'infusion', 'app': 'models', 'unique_together': (('course', 'number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeasureResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='measures', on_delete=OnDelete.RESTRICT)),
                ('instrument', fields.CharEnumField(description='PHQ9: PHQ9\nGAD7: GAD7\nCSSRS: CSSRS', enum_type=Instrument, max_length=8)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('total', fields.IntField()),
                ('severity', fields.CharField(max_length=24)),
                ('item9', fields.IntField(null=True)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('infusion', fields.ForeignKeyField('models.Infusion', source_field='infusion_id', null=True, db_constraint=True, to_field='id', related_name='measures', on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharField(max_length=16)),
                ('entered_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'measure_response', 'app': 'models', 'indexes': [Index(fields=['patient_id', 'instrument', 'taken_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RiskAlert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.RESTRICT)),
                ('source', fields.CharEnumField(description='PHQ9_ITEM9: phq9_item9\nCSSRS: cssrs\nJOURNAL_LANGUAGE: journal_language', enum_type=AlertSource, max_length=20)),
                ('level', fields.CharField(max_length=12)),
                ('summary', fields.CharField(max_length=200)),
                ('measure', fields.ForeignKeyField('models.MeasureResponse', source_field='measure_id', null=True, db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.SET_NULL)),
                ('source_ref', fields.CharField(default='', max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('acknowledged_by', fields.ForeignKeyField('models.User', source_field='acknowledged_by_id', null=True, db_constraint=True, to_field='id', related_name='alerts_acknowledged', on_delete=OnDelete.RESTRICT)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('action_taken', fields.CharField(default='', max_length=500)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'risk_alert', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'acknowledged_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VitalSign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('infusion', fields.ForeignKeyField('models.Infusion', source_field='infusion_id', db_constraint=True, to_field='id', related_name='vitals', on_delete=OnDelete.CASCADE)),
                ('minute_offset', fields.IntField()),
                ('systolic', fields.IntField()),
                ('diastolic', fields.IntField()),
                ('heart_rate', fields.IntField()),
                ('spo2', fields.IntField()),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'vital_sign', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
