from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0024_chart_essentials')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SafetyPlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.OneToOneField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='safety_plan', on_delete=OnDelete.RESTRICT)),
                ('warning_signs', fields.TextField(unique=False)),
                ('coping', fields.TextField(unique=False)),
                ('distractions', fields.TextField(unique=False)),
                ('helpers', fields.TextField(unique=False)),
                ('professionals', fields.TextField(unique=False)),
                ('environment', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
                ('version', fields.IntField(default=1, db_default=1)),
            ],
            options={'table': 'safety_plan', 'app': 'models', 'pk_attr': 'id', 'table_description': "Stanley-Brown's safety plan, written by the therapist with the patient: six steps, each a list of lines"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SafetyPlanStep',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plan', fields.ForeignKeyField('models.SafetyPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='own_steps', on_delete=OnDelete.RESTRICT)),
                ('text', fields.CharField(max_length=200)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'safety_plan_step', 'app': 'models', 'pk_attr': 'id', 'table_description': "A coping step the patient added to their own plan (step 2), kept beside the therapist's."},
            bases=['Model'],
        ),
    ]
