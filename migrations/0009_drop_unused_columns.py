"""Drop two columns nothing reads or writes: journal_entry.deleted_at (entries are never deleted; every save is kept
as a revision) and user.totp_secret (second factors are not stored on the user row).

Each column goes with ALTER TABLE ... DROP COLUMN on SQLite as on PostgreSQL. Tortoise's own RemoveField rebuilds
the whole table on SQLite (CREATE new__t, copy, DROP t, rename), which here would lose every index on journal_entry,
including the unique (patient_id, draft_key) that stops a retried first save from making a second entry, and with
foreign_keys=ON its DROP TABLE of a table other rows point at (revisions at their entry, patients at their user)
fails with "FOREIGN KEY constraint failed" on any database with data. SQLite has dropped plain columns in place
since 3.35 (2021). Backwards, the columns come back empty (nullable, as they were).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


class DropColumn(ops.RemoveField):
    """RemoveField whose forward step is a plain DROP COLUMN on every database (the base editor's statement)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if not state_editor:
            return
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        await BaseSchemaEditor.remove_field(state_editor, model, model._meta.fields_map[self.name])


class Migration(migrations.Migration):
    dependencies = [('models', '0008_hot_path_indexes')]

    initial = False

    operations = [
        DropColumn(model_name='JournalEntry', name='deleted_at'),
        DropColumn(model_name='User', name='totp_secret'),
    ]
