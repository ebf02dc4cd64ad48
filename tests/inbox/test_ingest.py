"""inbox.ingest: one transaction from a batch of mentions to threaded conversations."""

import threading
from datetime import timedelta

import pytest
from django.db import DataError, close_old_connections
from django.utils import timezone

from connectors.models import Channel
from inbox.actions import ingest
from inbox.models import Contact, Conversation, ConversationEvent, Message, SLAState, Status
from tests.factories import ChannelFactory, mention

pytestmark = pytest.mark.django_db


def test_a_mention_opens_a_conversation_with_its_author_and_message():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", author="lucia", text="¿Dónde está mi pedido?", language="es")], {"since": "t1"})

    conversation = Conversation.objects.get()
    message = conversation.messages.get()
    assert conversation.contact.platform_id == "lucia"
    assert conversation.status == Status.OPEN
    assert (message.external_id, message.text, message.language) == ("t1", "¿Dónde está mi pedido?", "es")
    assert ConversationEvent.objects.filter(conversation=conversation, kind="opened").exists()


def test_the_cursor_is_saved_with_the_batch():
    channel = ChannelFactory()
    ingest(channel, [mention("t1")], {"since": "t1"})
    assert Channel.objects.get(pk=channel.pk).cursor == {"since": "t1"}


def test_the_same_batch_twice_stores_each_mention_once():
    channel = ChannelFactory()
    batch = [mention("t1", author="a"), mention("t2", author="b"), mention("t3", author="a")]
    ingest(channel, batch, {})
    ingest(channel, batch, {})
    assert Message.objects.count() == 3
    assert Conversation.objects.count() == 2


def test_overlapping_batches_store_each_mention_once():
    channel = ChannelFactory()
    first = [mention("t1", author="a"), mention("t2", author="b")]
    second = [first[1], mention("t3", author="c")]
    ingest(channel, first, {})
    ingest(channel, second, {})
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["t1", "t2", "t3"]


def test_a_mention_repeated_inside_one_batch_is_stored_once():
    channel = ChannelFactory()
    ingest(channel, [mention("t1"), mention("t1")], {})
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_batches_store_each_mention_once():
    channel = ChannelFactory()
    shared = [mention(f"s{i}", author=f"author-{i % 7}") for i in range(40)]
    batches = [shared + [mention(f"x{n}-{i}", author=f"author-{i}") for i in range(10)] for n in range(4)]
    errors = []

    def run(batch):
        try:
            ingest(Channel.objects.get(pk=channel.pk), batch, {})
        except Exception as error:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Message.objects.count() == 40 + 4 * 10
    assert Message.objects.values("external_id").distinct().count() == 80
    # One unresolved conversation per author: the batches took turns, none forked a thread.
    assert Conversation.objects.count() == Contact.objects.count() == 10


def test_an_error_in_the_middle_of_a_batch_stores_nothing_and_keeps_the_cursor():
    channel = ChannelFactory(cursor={"since": "t0"})
    too_long_id = "x" * 500  # the database refuses it after contacts and conversations were written
    batch = [mention("t1", author="a"), mention(too_long_id, author="b"), mention("t3", author="c")]

    with pytest.raises(DataError):
        ingest(channel, batch, {"since": "t3"})

    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert Contact.objects.count() == 0
    assert Channel.objects.get(pk=channel.pk).cursor == {"since": "t0"}


def test_a_reply_to_a_held_message_joins_its_conversation():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", author="a")], {})
    ingest(channel, [mention("t2", author="b", parent="t1")], {})
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().messages.count() == 2


def test_a_reply_to_a_mention_of_the_same_batch_joins_it():
    channel = ChannelFactory()
    now = timezone.now()
    ingest(channel, [mention("t2", author="b", parent="t1", at=now), mention("t1", author="a", at=now - timedelta(1))], {})
    assert Conversation.objects.count() == 1


def test_a_new_mention_joins_the_authors_unresolved_conversation():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", author="a")], {})
    ingest(channel, [mention("t2", author="a", text="Still waiting")], {})
    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 2
    assert conversation.preview == "Still waiting"


def test_after_resolution_the_author_starts_a_new_conversation():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", author="a")], {})
    Conversation.objects.update(status=Status.RESOLVED)
    ingest(channel, [mention("t2", author="a")], {})
    assert Conversation.objects.count() == 2


def test_a_reply_to_a_resolved_conversation_reopens_it():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", author="a")], {})
    Conversation.objects.update(status=Status.RESOLVED, waiting_since=None, response_due_at=None)
    ingest(channel, [mention("t2", author="a", parent="t1")], {})
    conversation = Conversation.objects.get()
    assert conversation.status == Status.OPEN
    assert conversation.events.filter(kind="reopened").exists()


def test_the_same_author_on_another_channel_has_another_conversation():
    ingest(ChannelFactory(), [mention("t1", author="a")], {})
    ingest(ChannelFactory(), [mention("t1", author="a")], {})
    assert Conversation.objects.count() == 2
    assert Contact.objects.count() == 1


def test_the_contact_takes_the_latest_profile():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", author="a")], {})
    later = mention("t2", author="a")
    later = later.__class__(**{**later.__dict__, "author": later.author.__class__("a", "new_handle", "A", 90000, True)})
    ingest(channel, [later], {})
    contact = Contact.objects.get()
    assert (contact.handle, contact.followers, contact.verified) == ("new_handle", 90000, True)


def test_the_sla_clock_starts_at_the_first_waiting_message_with_a_two_hour_target():
    channel = ChannelFactory()
    asked = timezone.now() - timedelta(minutes=10)
    ingest(channel, [mention("t1", at=asked), mention("t2", at=asked + timedelta(minutes=5))], {})
    conversation = Conversation.objects.get()
    assert conversation.waiting_since == asked
    assert conversation.response_due_at == asked + timedelta(hours=2)
    assert conversation.sla_state == SLAState.OK


def test_a_mention_older_than_the_target_arrives_already_breached():
    channel = ChannelFactory()
    ingest(channel, [mention("t1", at=timezone.now() - timedelta(hours=3))], {})
    assert Conversation.objects.get().sla_state == SLAState.BREACHED
