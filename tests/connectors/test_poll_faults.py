"""Polling through faults, on every network: each ends with every mention stored once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from connectors.models import Channel, Health
from connectors.tasks import poll_channel, poll_due_channels
from inbox.models import Message
from tests.connectors.networks import POLLING
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("network", POLLING, indirect=True)]


def stored(channel):
    return sorted(Message.objects.filter(channel=channel).values_list("external_id", flat=True))


def customers_write(network, count=3):
    return [network.fake.add_mention(text=f"Where is my order number {n}?") for n in range(count)]


def test_a_rate_limited_poll_resumes_after_the_reset_and_stores_everything_once(network, network_channel):
    written = customers_write(network)
    network.rate_limit(network.fake, seconds=120)
    poll_channel(network_channel.pk)
    network_channel.refresh_from_db()
    assert stored(network_channel) == []
    assert network_channel.next_poll_at > timezone.now() + timedelta(seconds=60)

    poll_due_channels()  # not yet due: nothing asked of the network
    assert stored(network_channel) == []
    with time_machine.travel(network_channel.next_poll_at + timedelta(seconds=1)):
        poll_due_channels()
    assert stored(network_channel) == sorted(written)


@pytest.fixture
def polled_once(network, network_channel):
    """The channel has read what was there; its cursor marks the spot."""
    first = network.fake.add_mention(text="Hello, anyone there?")
    poll_channel(network_channel.pk)
    network_channel.refresh_from_db()
    network.small_pages(network.fake)
    return first, network_channel.cursor


def test_a_server_error_in_the_middle_of_a_poll_keeps_the_cursor_and_the_next_poll_gets_everything(network, network_channel, polled_once):
    first, cursor = polled_once
    written = customers_write(network)
    network.fake.fail_next(500, after=1)
    poll_channel(network_channel.pk)
    network_channel.refresh_from_db()
    assert (stored(network_channel), network_channel.cursor) == ([first], cursor)
    assert network_channel.health == Health.FAILING
    poll_channel(network_channel.pk)
    assert stored(network_channel) == sorted([first, *written])


def test_a_timeout_in_the_middle_of_a_poll_keeps_the_cursor_and_the_next_poll_gets_everything(network, network_channel, polled_once, settings):
    settings.CONNECTOR_TIMEOUT = 0.5
    first, cursor = polled_once
    written = customers_write(network)
    network.fake.hang_next(2, after=1)
    poll_channel(network_channel.pk)
    network_channel.refresh_from_db()
    assert (stored(network_channel), network_channel.cursor) == ([first], cursor)
    poll_channel(network_channel.pk)
    assert stored(network_channel) == sorted([first, *written])


def test_expired_credentials_pause_the_channel_and_tell_the_admins(network, network_channel, django_capture_on_commit_callbacks):
    UserFactory(is_staff=True, email="admin@example.com")
    network.expire_credentials(network.fake)
    with django_capture_on_commit_callbacks(execute=True):
        poll_channel(network_channel.pk)
    network_channel.refresh_from_db()
    assert network_channel.health == Health.PAUSED
    assert [m.to for m in mail.outbox] == [["admin@example.com"]]
    poll_due_channels()
    assert Channel.objects.get(pk=network_channel.pk).consecutive_failures == 1
