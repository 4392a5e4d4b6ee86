"""Make audit_event append-only in the database itself and create the one-row chain head."""

from tortoise import migrations
from tortoise.migrations import operations as ops

GENESIS = "0" * 64

SQLITE_FORWARD = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]

POSTGRES_FORWARD = [
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER audit_event_no_truncate ON audit_event",
    "DROP TRIGGER audit_event_no_change ON audit_event",
    "DROP FUNCTION audit_event_append_only()",
]


async def _run(editor, statements) -> None:
    for sql in statements:
        await editor.client.execute_script(sql)


async def forward(apps, editor) -> None:
    sqlite = editor.client.capabilities.dialect == "sqlite"
    await _run(editor, SQLITE_FORWARD if sqlite else POSTGRES_FORWARD)
    await editor.client.execute_query(
        "INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, $1)".replace("$1", "?" if sqlite else "$1"),
        [GENESIS],
    )


async def backward(apps, editor) -> None:
    sqlite = editor.client.capabilities.dialect == "sqlite"
    await editor.client.execute_script("DELETE FROM audit_chain_head")
    await _run(editor, SQLITE_BACKWARD if sqlite else POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
