"""The unassigned queue of a team, most urgent first: the Unassigned view and the hand-out
of waiting conversations both read it. PostgreSQL only, like 0010."""

from django.db import migrations

NAME = "conversation_unassigned_idx"
DEFINITION = (
    "ON inbox_conversation (team_id, response_due_at ASC NULLS LAST, last_message_at DESC NULLS LAST, id)"
    " WHERE status IN ('open', 'pending') AND assignee_id IS NULL"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0011_newest_and_priority_indexes")]
    operations = [migrations.RunPython(create, drop)]
