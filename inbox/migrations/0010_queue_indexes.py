"""Indexes in the inbox lists' default order, so a list page reads one page of rows.

PostgreSQL only (SQLite cannot order an index NULLS LAST); the SQLite demo is small.
"""

from django.db import migrations

from inbox.postgres_indexes import postgres_indexes

ORDER = "response_due_at ASC NULLS LAST, last_message_at DESC NULLS LAST, id"
ACTIVE = "WHERE status IN ('open', 'pending')"
INDEXES = {
    "conversation_mine_idx": f"ON inbox_conversation (assignee_id, {ORDER}) {ACTIVE}",
    "conversation_team_list_idx": f"ON inbox_conversation (team_id, {ORDER}) {ACTIVE}",
    "conversation_list_idx": f"ON inbox_conversation ({ORDER}) {ACTIVE}",
}


class Migration(migrations.Migration):
    dependencies = [("inbox", "0009_starter_canned_responses")]
    operations = [postgres_indexes(INDEXES)]
