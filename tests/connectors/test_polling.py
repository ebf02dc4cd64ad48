"""Polling a channel: fetch, ingest and health, one poll per due channel."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from connectors.base import AuthFailed, Fetched, Transient
from connectors.models import Channel, Health
from connectors.tasks import poll_channel, poll_due_channels
from inbox.models import Message
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_a_due_channel_is_polled_and_its_mentions_stored():
    channel = ChannelFactory(listening={"first_batch": 2})
    poll_due_channels()
    channel.refresh_from_db()
    assert Message.objects.filter(channel=channel).count() == 2
    assert channel.health == Health.HEALTHY and channel.last_success_at is not None
    assert channel.next_poll_at > timezone.now()


def test_a_channel_not_yet_due_is_left_alone():
    ChannelFactory(next_poll_at=timezone.now() + timedelta(minutes=1))
    poll_due_channels()
    assert not Message.objects.exists()


def test_a_disabled_channel_is_not_polled():
    ChannelFactory(enabled=False)
    poll_due_channels()
    assert not Message.objects.exists()


def failing(error):
    class Failing:
        def fetch(self, cursor):
            raise error

    return lambda channel: Failing()


def test_a_transient_error_marks_the_channel_failing_and_keeps_the_cursor(monkeypatch):
    channel = ChannelFactory(cursor={"seq": 5})
    monkeypatch.setattr("connectors.tasks.connector_for", failing(Transient("503 Service Unavailable")))
    poll_channel(channel.pk)
    channel.refresh_from_db()
    assert (channel.health, channel.consecutive_failures, channel.cursor) == (Health.FAILING, 1, {"seq": 5})
    assert "503" in channel.last_error


def test_expired_credentials_pause_the_channel(monkeypatch):
    channel = ChannelFactory()
    monkeypatch.setattr("connectors.tasks.connector_for", failing(AuthFailed("token expired")))
    poll_channel(channel.pk)
    channel.refresh_from_db()
    assert channel.health == Health.PAUSED
    poll_due_channels()
    assert Channel.objects.get(pk=channel.pk).consecutive_failures == 1


def test_credentials_are_encrypted_at_rest():
    channel = ChannelFactory(credentials={"access_token": "EAAG-very-secret-token"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials::text FROM connectors_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert "EAAG-very-secret-token" not in stored
    assert Channel.objects.get(pk=channel.pk).credentials == {"access_token": "EAAG-very-secret-token"}


def test_a_fetch_returning_nothing_still_moves_the_cursor(monkeypatch):
    channel = ChannelFactory(cursor={"seq": 1})

    class Quiet:
        def fetch(self, cursor):
            return Fetched([], {"seq": 2})

    monkeypatch.setattr("connectors.tasks.connector_for", lambda channel: Quiet())
    poll_channel(channel.pk)
    assert Channel.objects.get(pk=channel.pk).cursor == {"seq": 2}
