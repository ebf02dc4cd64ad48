"""The unassigned queue of a team, most urgent first: the Unassigned view and the hand-out
of waiting conversations both read it. PostgreSQL only, like 0010."""

from django.db import migrations

from inbox.postgres_indexes import postgres_indexes

INDEXES = {
    "conversation_unassigned_idx": "ON inbox_conversation"
    " (team_id, response_due_at ASC NULLS LAST, last_message_at DESC NULLS LAST, id)"
    " WHERE status IN ('open', 'pending') AND assignee_id IS NULL"
}


class Migration(migrations.Migration):
    dependencies = [("inbox", "0011_newest_and_priority_indexes")]
    operations = [postgres_indexes(INDEXES)]
