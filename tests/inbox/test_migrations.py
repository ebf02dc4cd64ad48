"""Data migrations keep what was recorded before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from inbox.models import ConversationEvent, Delivery, Direction, Message
from tests.factories import ConversationFactory

BEFORE_FLAGS = ("inbox", "0013_metrics_indexes")
FLAGS = ("inbox", "0014_response_flags")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.fixture
def latest_schema_after():
    """Leave the test database as the rest of the suite expects it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def reply_with_audit(conversation, seconds, **data):
    message = Message.objects.create(
        conversation=conversation, channel=conversation.channel, direction=Direction.OUTBOUND, text="On it",
        delivery=Delivery.SENT, sent_at=timezone.now(), response_seconds=seconds, response_business_seconds=seconds,
    )
    ConversationEvent.objects.create(
        conversation=conversation, kind="responded", data={"message": message.pk, "response_seconds": seconds, **data}
    )
    return message


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_replies_answered_before_the_flags_take_them_from_their_audit_rows():
    conversation = ConversationFactory()
    older = reply_with_audit(conversation, 600, on_time=True)  # written before `first` was recorded
    later = reply_with_audit(conversation, 9000, on_time=False)
    flagged = reply_with_audit(ConversationFactory(), 60, on_time=True, first=False)
    migrate(BEFORE_FLAGS)
    migrate(FLAGS)
    flags = dict(Message.objects.values_list("pk", "response_first").order_by("pk"))
    on_time = dict(Message.objects.values_list("pk", "response_on_time").order_by("pk"))
    assert (flags[older.pk], flags[later.pk], flags[flagged.pk]) == (True, False, False)
    assert (on_time[older.pk], on_time[later.pk], on_time[flagged.pk]) == (True, False, True)
