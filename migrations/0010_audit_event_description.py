"""The audit_event table's description (the AuditEvent model's docstring) no longer cites a design document the
repository does not carry. Tortoise keeps the description in the migration state, and PostgreSQL has it as the
table's comment; SQLite stores none."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

OLD = "Append-only, hash-chained record of who did what (DESIGN §4, §5). Never updated, never deleted."
NEW = "Append-only, hash-chained record of who did what (server/audit.py). Never updated, never deleted."


async def _comment(editor, text: str) -> None:
    if editor.client.capabilities.dialect == "postgres":
        await editor.client.execute_script(f"COMMENT ON TABLE audit_event IS '{text}'")


async def forward(apps, editor) -> None:
    await _comment(editor, NEW)


async def backward(apps, editor) -> None:
    await _comment(editor, OLD)


def _options(description: str) -> dict:
    return {
        'table': 'audit_event',
        'app': 'models',
        'indexes': [
            Index(fields=['clinic_id', 'seq']),
            Index(fields=['patient_id', 'seq']),
            Index(fields=['actor_id', 'seq']),
        ],
        'pk_attr': 'seq',
        'table_description': description,
    }


class Migration(migrations.Migration):
    dependencies = [('models', '0009_drop_unused_columns')]

    initial = False

    operations = [
        ops.AlterModelOptions(name='AuditEvent', options=_options(NEW)),
        ops.RunPython(forward, backward),
    ]
