from tortoise import migrations
from tortoise.migrations import operations as ops
from journal.models import Kind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0021_journal_history')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='JournalEntry',
            name='kind',
            field=fields.CharEnumField(description='POST_SESSION: post_session\nCHECK_IN: check_in\nFREE: free\nINTENTION: intention', enum_type=Kind, max_length=16),
        ),
    ]
