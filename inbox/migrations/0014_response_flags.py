"""Responses read from the reply itself: `Message.response_first` and `response_on_time`,
set from the `responded` audit rows written so far, with covering indexes so that a month
of responses, and of replies with their waits, is summed up from the indexes alone
(docs/metrics.md)."""

from django.db import migrations, models

from inbox.postgres_indexes import postgres_indexes, retired_postgres_indexes

BATCH = 1000


def flag_earlier_responses(apps, schema_editor):
    """A responded row names its message and says whether it was on time; rows older than
    the `first` flag are first when no earlier row of their conversation precedes them."""
    ConversationEvent = apps.get_model("inbox", "ConversationEvent")
    Message = apps.get_model("inbox", "Message")
    rows = (
        ConversationEvent.objects.filter(kind="responded")
        .order_by("conversation_id", "pk")
        .values_list("conversation_id", "data")
    )
    previous, batch = None, []
    for conversation_id, data in rows.iterator(chunk_size=BATCH):
        first = data.get("first", conversation_id != previous)
        previous = conversation_id
        if data.get("message"):
            batch.append(Message(pk=data["message"], response_first=first, response_on_time=bool(data.get("on_time"))))
        if len(batch) >= BATCH:
            Message.objects.bulk_update(batch, ["response_first", "response_on_time"])
            batch = []
    Message.objects.bulk_update(batch, ["response_first", "response_on_time"])


class Migration(migrations.Migration):
    dependencies = [("inbox", "0013_metrics_indexes")]
    operations = [
        migrations.AddField("message", "response_first", models.BooleanField(blank=True, null=True)),
        migrations.AddField("message", "response_on_time", models.BooleanField(blank=True, null=True)),
        migrations.RunPython(flag_earlier_responses, migrations.RunPython.noop),
        postgres_indexes(
            {
                "message_response_time_idx": "ON inbox_message (sent_at) INCLUDE (response_first, response_on_time,"
                " response_seconds, response_business_seconds, channel_id, conversation_id, author_user_id)"
                " WHERE response_seconds IS NOT NULL",
                # Replies per day and the wait of the responses among them, read together.
                "message_replies_time_idx": "ON inbox_message (sent_at) INCLUDE (channel_id, conversation_id,"
                " author_user_id, visibility, response_first, response_seconds, response_business_seconds)"
                " WHERE direction = 'out' AND delivery = 'sent'",
            }
        ),
        retired_postgres_indexes(
            {
                "event_responded_idx": "ON inbox_conversationevent (conversation_id, id) WHERE kind = 'responded'",
                "message_sent_time_idx": "ON inbox_message (sent_at) INCLUDE (channel_id, conversation_id,"
                " author_user_id, visibility) WHERE direction = 'out' AND delivery = 'sent'",
            }
        ),
    ]
