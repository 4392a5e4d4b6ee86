"""Who returned or co-signed each signed version of a note (note_signed_version.outcome_by_id), so the co-sign page
can show a supervisor what changed since the version they last decided on.

Existing decided versions are filled in from the audit log: a version's decision is the first note.returned or
note.cosigned event on its note at or after the version was signed (a note awaits one decision at a time). A
version no event explains stays empty, and the co-sign page then shows that note to the supervisor as new.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

BACKFILL = """
UPDATE note_signed_version SET outcome_by_id = (
    SELECT e.actor_id FROM audit_event e
    WHERE e.object_type = 'note' AND e.object_id = CAST(note_signed_version.note_id AS TEXT)
      AND e.action IN ('note.returned', 'note.cosigned') AND e.outcome = 'ok'
      AND e.at >= note_signed_version.signed_at
    ORDER BY e.seq LIMIT 1
)
WHERE outcome IN ('returned', 'cosigned') AND outcome_by_id IS NULL
"""


async def forward(apps, editor) -> None:
    await editor.client.execute_script(BACKFILL)


async def backward(apps, editor) -> None:
    pass  # the column goes with the field


class Migration(migrations.Migration):
    dependencies = [('models', '0012_versions')]

    initial = False

    operations = [
        ops.AddField(model_name='SignedVersion', name='outcome_by_id', field=fields.IntField(null=True)),
        ops.RunPython(forward, backward),
    ]
