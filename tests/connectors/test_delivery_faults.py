"""Replies through a real worker, on every network that takes them: posted exactly once."""

import pytest

from connectors.tasks import poll_channel
from inbox.actions import reply
from inbox.models import Conversation, Delivery, Message
from tests.conftest import wait_for
from tests.connectors.networks import REPLYING
from tests.factories import AgentFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.parametrize("network", REPLYING, indirect=True)]


@pytest.fixture
def conversation(network, network_channel, celery_worker):
    network.fake.add_mention(text="My order never arrived, can you check?")
    poll_channel(network_channel.pk)
    return Conversation.objects.get(channel=network_channel)


def delivered(message):
    wait_for(lambda: Message.objects.get(pk=message.pk).delivery in (Delivery.SENT, Delivery.FAILED), 30, "delivery")
    message.refresh_from_db()
    return message


def test_a_reply_whose_answer_timed_out_after_the_network_took_it_is_not_posted_twice(network, conversation, settings):
    settings.CONNECTOR_TIMEOUT = 0.5
    network.fake.hang_next(2, path=network.reply_path, after_handling=True)
    message = delivered(reply(conversation.pk, AgentFactory().user, "Sorry about that, we are checking now."))
    assert message.delivery == Delivery.SENT
    assert len(network.fake.posted_replies) == 1
    assert message.delivery_attempts == 2


def test_a_reply_the_network_refuses_ends_failed_with_its_reason(network, conversation):
    network.refuse_reply(network.fake)
    message = delivered(reply(conversation.pk, AgentFactory().user, "Sorry about that."))
    assert message.delivery == Delivery.FAILED
    assert message.delivery_error
    assert network.fake.posted_replies == []
    conversation.refresh_from_db()
    assert conversation.waiting_since is not None  # the customer is still waiting
