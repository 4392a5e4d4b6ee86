from tortoise import migrations
from tortoise.migrations import operations as ops
from care.calendar_models import BookingKind, BookingStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0017_accounts_links_and_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Booking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic_id', fields.IntField(db_index=True)),
                ('patient', fields.ForeignKeyField('models.Patient', source_field='patient_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
                ('course_id', fields.IntField(null=True)),
                ('kind', fields.CharEnumField(description='DOSING: dosing\nPREPARATION: preparation\nINTEGRATION: integration', enum_type=BookingKind, max_length=16)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('room', fields.CharField(default='', max_length=40)),
                ('status', fields.CharEnumField(default=BookingStatus.BOOKED, description='BOOKED: booked\nCHECKED_IN: checked_in\nDOSE_STARTED: dose_started\nCOMPLETED: completed\nCANCELLED: cancelled\nNO_SHOW: no_show', enum_type=BookingStatus, max_length=16)),
                ('status_reason', fields.CharField(default='', max_length=300)),
                ('infusion_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'booking', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'starts_at']), Index(fields=['patient_id', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BookingStaff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'booking_staff', 'app': 'models', 'unique_together': (('booking', 'user'),), 'pk_attr': 'id', 'table_description': 'A member of staff who attends a booked session (a clinician is never booked twice at once).'},
            bases=['Model'],
        ),
    ]
