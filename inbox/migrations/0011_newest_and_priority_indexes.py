"""Indexes for the lists sorted newest first (any status) and by priority.

PostgreSQL only, like 0010.
"""

from django.db import migrations

ACTIVE = "WHERE status IN ('open', 'pending')"
INDEXES = {
    "conversation_team_newest_idx": "ON inbox_conversation (team_id, last_message_at DESC NULLS LAST, id DESC)",
    "conversation_mine_newest_idx": "ON inbox_conversation (assignee_id, last_message_at DESC NULLS LAST, id DESC)",
    "conversation_newest_idx": "ON inbox_conversation (last_message_at DESC NULLS LAST, id DESC)",
    "conversation_team_urgent_idx": "ON inbox_conversation"
    f" (team_id, priority DESC, response_due_at ASC NULLS LAST, id) {ACTIVE}",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0010_queue_indexes")]
    operations = [migrations.RunPython(create, drop)]
