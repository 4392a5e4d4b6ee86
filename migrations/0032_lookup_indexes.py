from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0031_fhir_exports')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AccessApproval',
            index=Index(fields=['user_id', 'outcome']),
        ),
        ops.AddIndex(
            model_name='Allergy',
            index=Index(fields=['patient_id']),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['infusion_id']),
        ),
        ops.AddIndex(
            model_name='Consent',
            index=Index(fields=['course_id']),
        ),
        ops.AddIndex(
            model_name='Diagnosis',
            index=Index(fields=['patient_id']),
        ),
        ops.AddIndex(
            model_name='Enrolment',
            index=Index(fields=['user_id']),
        ),
        ops.AddIndex(
            model_name='EntryReply',
            index=Index(fields=['entry_id', 'signed_at']),
        ),
        ops.AddIndex(
            model_name='ExportJob',
            index=Index(fields=['status', 'heartbeat_at']),
        ),
        ops.RemoveIndex(
            model_name='JournalEntry',
            name=None,
            fields=['patient_id', 'shared', 'shared_at'],
        ),
        ops.AddIndex(
            model_name='JournalEntry',
            index=Index(fields=['patient_id', 'shared', 'deleted_at', 'shared_at']),
        ),
        ops.AddIndex(
            model_name='JournalEntry',
            index=Index(fields=['conflict_of_id', 'conflict_sitting']),
        ),
        ops.AddIndex(
            model_name='Medication',
            index=Index(fields=['patient_id']),
        ),
        ops.AddIndex(
            model_name='Passkey',
            index=Index(fields=['user_id']),
        ),
        ops.AddIndex(
            model_name='ProcessNote',
            index=Index(fields=['patient_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='RiskAlert',
            index=Index(fields=['patient_id', 'acknowledged_at']),
        ),
        ops.AddIndex(
            model_name='SafetyPlanStep',
            index=Index(fields=['plan_id', 'added_at']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['user_id', 'last_seen_at']),
        ),
        ops.AddIndex(
            model_name='Supervision',
            index=Index(fields=['supervisor_id', 'started_at']),
        ),
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['clinic_id', 'role']),
        ),
    ]
