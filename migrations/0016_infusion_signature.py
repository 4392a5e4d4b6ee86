from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_pre_dose_checklist')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InfusionVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('infusion', fields.ForeignKeyField('models.Infusion', source_field='infusion_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('saved_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('saved_by_id', fields.IntField()),
                ('reason', fields.CharField(max_length=300)),
            ],
            options={'table': 'infusion_version', 'app': 'models', 'unique_together': (('infusion', 'version'),), 'pk_attr': 'id', 'table_description': 'A signed infusion record as it stood at its signature and after each amendment: who, when and why.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Infusion',
            name='signed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Infusion',
            name='signed_by_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='VitalSign',
            name='struck_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='VitalSign',
            name='struck_by_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='VitalSign',
            name='struck_reason',
            field=fields.CharField(default='', db_default='', max_length=300),
        ),
    ]
