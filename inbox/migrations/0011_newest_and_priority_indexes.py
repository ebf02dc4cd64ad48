"""Indexes for the lists sorted newest first (any status) and by priority.

PostgreSQL only, like 0010.
"""

from django.db import migrations

from inbox.postgres_indexes import postgres_indexes

ACTIVE = "WHERE status IN ('open', 'pending')"
INDEXES = {
    "conversation_team_newest_idx": "ON inbox_conversation (team_id, last_message_at DESC NULLS LAST, id DESC)",
    "conversation_mine_newest_idx": "ON inbox_conversation (assignee_id, last_message_at DESC NULLS LAST, id DESC)",
    "conversation_newest_idx": "ON inbox_conversation (last_message_at DESC NULLS LAST, id DESC)",
    "conversation_team_urgent_idx": "ON inbox_conversation"
    f" (team_id, priority DESC, response_due_at ASC NULLS LAST, id) {ACTIVE}",
}


class Migration(migrations.Migration):
    dependencies = [("inbox", "0010_queue_indexes")]
    operations = [postgres_indexes(INDEXES)]
