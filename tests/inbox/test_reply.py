"""Replies: queued, delivered by the network, and measured by the SLA clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.actions import InboxError, ingest, mark_delivered, mark_failed, reply
from inbox.models import Conversation, Delivery, Message, SLAState, Status, Visibility
from tests.factories import AgentFactory, ChannelFactory, mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting():
    """A conversation whose customer has waited ten minutes."""
    ingest(ChannelFactory(), [mention("t1", at=timezone.now() - timedelta(minutes=10))], {})
    return Conversation.objects.get()


@pytest.fixture
def agent():
    return AgentFactory().user


def test_a_reply_is_queued_as_an_answer_to_the_latest_customer_message(waiting, agent):
    message = reply(waiting.pk, agent, "  Lo sentimos, lo revisamos ahora.  ")
    assert message.delivery == Delivery.QUEUED
    assert message.text == "Lo sentimos, lo revisamos ahora."
    assert message.parent_external_id == "t1"


def test_an_empty_reply_is_refused(waiting, agent):
    with pytest.raises(InboxError):
        reply(waiting.pk, agent, "   ")
    assert not Message.objects.filter(direction="out").exists()


def test_a_reply_is_delivered_after_commit(waiting, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(waiting.pk, agent, "On it")
    message.refresh_from_db()
    assert message.delivery == Delivery.SENT
    assert message.external_id == f"demo-out-{message.pk}"


def test_acceptance_by_the_network_stops_the_clock_and_records_the_response_time(waiting, agent):
    message = reply(waiting.pk, agent, "On it")
    accepted = waiting.waiting_since + timedelta(minutes=12)
    mark_delivered(message.pk, "x-1", accepted)

    waiting.refresh_from_db()
    message.refresh_from_db()
    assert message.response_seconds == 12 * 60
    assert waiting.first_response_seconds == 12 * 60
    assert waiting.sla_state == SLAState.MET
    assert waiting.status == Status.PENDING
    assert waiting.waiting_since is None and waiting.response_due_at is None


def test_a_reply_accepted_after_the_target_is_a_breach(waiting, agent):
    message = reply(waiting.pk, agent, "Sorry for the wait")
    mark_delivered(message.pk, "x-1", waiting.waiting_since + timedelta(hours=2, seconds=1))
    waiting.refresh_from_db()
    assert waiting.sla_state == SLAState.BREACHED


def test_a_second_acceptance_of_the_same_reply_changes_nothing(waiting, agent):
    message = reply(waiting.pk, agent, "On it")
    mark_delivered(message.pk, "x-1", waiting.waiting_since + timedelta(minutes=12))
    mark_delivered(message.pk, "x-2", waiting.waiting_since + timedelta(minutes=50))
    message.refresh_from_db()
    assert (message.external_id, message.response_seconds) == ("x-1", 12 * 60)


def test_a_note_does_not_stop_the_clock(waiting, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = reply(waiting.pk, agent, "Checking with billing", Visibility.NOTE)
    waiting.refresh_from_db()
    assert note.delivery == ""
    assert waiting.waiting_since is not None
    assert waiting.sla_state == SLAState.OK


def test_the_next_customer_message_starts_a_next_response_measurement(waiting, agent):
    message = reply(waiting.pk, agent, "On it")
    mark_delivered(message.pk, "x-1", timezone.now())
    ingest(waiting.channel, [mention("t2", at=timezone.now())], {})
    waiting.refresh_from_db()
    assert waiting.status == Status.OPEN
    assert waiting.sla_state == SLAState.OK
    assert waiting.response_due_at == waiting.waiting_since + timedelta(hours=2)
    assert waiting.first_response_seconds is not None


def test_a_refused_reply_ends_failed_with_the_reason(waiting, agent):
    message = reply(waiting.pk, agent, "On it")
    mark_failed(message.pk, "Status is a duplicate.")
    message.refresh_from_db()
    assert (message.delivery, message.delivery_error) == (Delivery.FAILED, "Status is a duplicate.")
    waiting.refresh_from_db()
    assert waiting.waiting_since is not None
