"""Indexes for the Now numbers and lists, and for metrics filtered by channel, at volume
(bench/dashboard.py, docs/metrics.md):

- the conversations needing attention (open, or a clock running) with the columns the Now
  numbers read, replacing the index over every unresolved conversation;
- the waiting ones by SLA state and due time, for the breached and at-risk lists;
- conversations by channel with their id, replacing the plain foreign-key index, so that
  `conversation_id IN (SELECT id … WHERE channel_id …)` reads the index alone.
"""

import django.db.models.deletion
from django.db import migrations, models

from inbox.postgres_indexes import postgres_indexes, retired_postgres_indexes


class Migration(migrations.Migration):
    dependencies = [("inbox", "0014_response_flags"), ("connectors", "0002_webhookevent")]
    operations = [
        postgres_indexes(
            {
                "conversation_attention_idx": "ON inbox_conversation"
                " (team_id, channel_id, assignee_id, status, sla_state) INCLUDE (waiting_since)"
                " WHERE status = 'open' OR waiting_since IS NOT NULL",
                "conversation_waiting_state_idx": "ON inbox_conversation (sla_state, response_due_at, id)"
                " WHERE waiting_since IS NOT NULL",
            }
        ),
        retired_postgres_indexes(
            {
                "conversation_backlog_idx": "ON inbox_conversation (team_id)"
                " INCLUDE (status, assignee_id, channel_id, waiting_since, sla_state) WHERE status <> 'resolved'"
            }
        ),
        migrations.AlterField(
            model_name="conversation",
            name="channel",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="conversations",
                to="connectors.channel",
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["channel"], include=("id",), name="conversation_channel_idx"),
        ),
    ]
