"""Indexes for the supervisor metrics over a period (bench/dashboard.py measured them at a
million conversations). PostgreSQL only: covering INCLUDE columns and partial indexes."""

from django.db import migrations

from inbox.postgres_indexes import postgres_indexes

INDEXES = {
    "event_kind_time_idx": "ON inbox_conversationevent (kind, created_at) INCLUDE (conversation_id, actor_id)",
    "event_responded_idx": "ON inbox_conversationevent (conversation_id, id) WHERE kind = 'responded'",
    "event_reopened_idx": "ON inbox_conversationevent (conversation_id, created_at) WHERE kind = 'reopened'",
    "message_in_time_idx": "ON inbox_message (sent_at) INCLUDE (channel_id, conversation_id, sentiment_label)"
    " WHERE direction = 'in'",
    "message_sent_time_idx": "ON inbox_message (sent_at) INCLUDE (channel_id, conversation_id, author_user_id, visibility)"
    " WHERE direction = 'out' AND delivery = 'sent'",
    "conversation_resolved_time_idx": "ON inbox_conversation (resolved_at)"
    " INCLUDE (id, created_at, team_id, channel_id, assignee_id) WHERE resolved_at IS NOT NULL",
    "conversation_backlog_idx": "ON inbox_conversation (team_id)"
    " INCLUDE (status, assignee_id, channel_id, waiting_since, sla_state) WHERE status <> 'resolved'",
    "conversation_created_idx": "ON inbox_conversation (created_at)",
}


class Migration(migrations.Migration):
    dependencies = [("inbox", "0012_unassigned_queue_index")]
    operations = [postgres_indexes(INDEXES)]
