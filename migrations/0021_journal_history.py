from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0020_notification_preferences')]

    initial = False

    operations = [
        ops.AddField(
            model_name='JournalEntry',
            name='conflict_of',
            field=fields.ForeignKeyField('models.JournalEntry', source_field='conflict_of_id', null=True, db_constraint=True, to_field='id', related_name='conflict_copies', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='conflict_sitting',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='mood5',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='sleep_hours',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='tags',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AlterModelOptions(
            name='JournalRevision',
            options={'table': 'journal_revision', 'app': 'models', 'unique_together': (('entry', 'version'),), 'pk_attr': 'id', 'table_description': 'One version of an entry: what it held at the end of one sitting (journal/versions.py). Saves from the same'},
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='anxiety',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='energy',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='mood',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='mood5',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='restored_from',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='sitting',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='sleep',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='sleep_hours',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='JournalRevision',
            name='tags',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
