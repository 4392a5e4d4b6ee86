from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_note_review')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='MeasureResponse',
            index=Index(fields=['patient_id', 'instrument', 'taken_at', 'id', 'total']),
        ),
        ops.AddIndex(
            model_name='JournalEntry',
            index=Index(fields=['patient_id', 'shared', 'shared_at']),
        ),
        ops.AddIndex(
            model_name='JournalEntry',
            index=Index(fields=['patient_id', 'prompt_ref']),
        ),
        ops.AddIndex(
            model_name='JournalEntry',
            index=Index(fields=['patient_id', 'id']),
        ),
        ops.AddIndex(
            model_name='CareTeam',
            index=Index(fields=['therapist_id', 'patient_id']),
        ),
        ops.AddIndex(
            model_name='Addendum',
            index=Index(fields=['note_id', 'signed_at']),
        ),
        ops.AddIndex(
            model_name='Course',
            index=Index(fields=['patient_id', 'started_on']),
        ),
        ops.AddIndex(
            model_name='Infusion',
            index=Index(fields=['patient_id', 'started_at']),
        ),
        ops.AddIndex(
            model_name='Infusion',
            index=Index(fields=['patient_id', 'scheduled_at']),
        ),
        ops.AddIndex(
            model_name='IntegrationNote',
            index=Index(fields=['infusion_id', 'status']),
        ),
        ops.AddIndex(
            model_name='MeasureResponse',
            index=Index(fields=['infusion_id', 'taken_at']),
        ),
        ops.AddIndex(
            model_name='Prompt',
            index=Index(fields=['patient_id', 'due_at']),
        ),
        ops.AddIndex(
            model_name='SignedVersion',
            index=Index(fields=['note_id', 'version']),
        ),
        ops.AddIndex(
            model_name='VitalSign',
            index=Index(fields=['infusion_id', 'minute_offset']),
        ),
    ]
