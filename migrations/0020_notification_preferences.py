from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_patient_truth')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notification_preference', on_delete=OnDelete.CASCADE)),
                ('email', fields.BooleanField(default=True)),
                ('off', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('quiet_from', fields.IntField(default=21)),
                ('quiet_until', fields.IntField(default=8)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification_preference', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a person wants to hear about by email (server/outbox.py): reminders on or off, per topic, and quiet hours'},
            bases=['Model'],
        ),
    ]
