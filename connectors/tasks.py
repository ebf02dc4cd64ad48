"""Polling, webhook processing and delivery, run by the worker fleet.

Tasks take ids, are idempotent, and retry only what may succeed later. Nothing sleeps:
a rate limit becomes a later poll or a countdown.
"""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from connectors import actions as channel_actions
from connectors.base import ConnectorError, RateLimited, Transient, WebhookDelivery
from connectors.delivery import outbound_reply
from connectors.models import Channel, Health, WebhookEvent
from connectors.registry import connector_for
from inbox import actions

log = logging.getLogger(__name__)
JITTER = 0.1
DELIVERY_RETRIES = 8
POLL_LOCK = 7301  # advisory-lock namespace for "a poll of channel N is running"


@shared_task(name="connectors.poll_due_channels")
def poll_due_channels():
    """Claim every channel whose poll is due and send each to a worker once."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Channel.objects.select_for_update(skip_locked=True)
            .filter(enabled=True)
            .exclude(health=Health.PAUSED)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        )
        for channel in due:
            interval = channel.poll_interval * (1 + random.uniform(-JITTER, JITTER))
            channel.next_poll_at = now + timedelta(seconds=interval)
        Channel.objects.bulk_update(due, ["next_poll_at"])
    for channel in due:
        poll_channel.delay(channel.pk)


class _PollLock:
    """At most one poll of a channel at a time across every worker. A session-level
    advisory lock, so a worker that dies mid-poll releases it with its connection."""

    def __init__(self, channel_id):
        self.channel_id = channel_id

    def __enter__(self):
        if connection.vendor != "postgresql":
            return True  # the embedded demo runs one process
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [POLL_LOCK, self.channel_id])
            return cursor.fetchone()[0]

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [POLL_LOCK, self.channel_id])


@shared_task(name="connectors.poll_channel")
def poll_channel(channel_id):
    with _PollLock(channel_id) as acquired:
        if not acquired:
            log.info("channel %s is being polled elsewhere", channel_id)
            return
        channel = Channel.objects.filter(pk=channel_id, enabled=True).exclude(health=Health.PAUSED).first()
        if channel is None:
            return
        try:
            fetched = connector_for(channel).fetch(channel.cursor or {})
            actions.ingest(channel, fetched.mentions, fetched.cursor)
        except RateLimited as error:
            channel_actions.poll_rate_limited(channel_id, error)
            return
        except ConnectorError as error:
            channel_actions.poll_failed(channel_id, error, permanent=error.permanent)
            return
        channel_actions.polled_ok(channel_id)


@shared_task(name="connectors.process_webhook")
def process_webhook(event_id):
    event = WebhookEvent.objects.select_related("channel").filter(pk=event_id, processed_at=None).first()
    if event is None:
        return
    delivery = WebhookDelivery(headers=event.headers, body=bytes(event.body))
    try:
        mentions = connector_for(event.channel).parse_webhook(delivery)
    except (ValueError, KeyError, TypeError) as error:
        # A payload we cannot read stays stored, with the reason, for someone to look at.
        WebhookEvent.objects.filter(pk=event_id).update(error=f"unreadable payload: {error!r}"[:2000])
        return
    with transaction.atomic():
        actions.ingest(event.channel, mentions)
        WebhookEvent.objects.filter(pk=event_id).update(processed_at=timezone.now(), error="")


@shared_task(name="connectors.deliver_message", bind=True, max_retries=DELIVERY_RETRIES)
def deliver_message(self, message_id):
    """Post a queued reply once. An attempt that may have reached the network (a worker
    that died, a timeout) is looked up there before anything is posted again."""
    claim = actions.claim_delivery(message_id)
    if claim is None:
        return
    message, ambiguous = claim
    connector = connector_for(message.conversation.channel)
    reply = outbound_reply(message)
    try:
        sent = connector.find_sent(reply) if ambiguous else None
        if sent is None:
            sent = connector.send(reply)
    except RateLimited as error:
        actions.release_delivery(message_id, str(error), ambiguous=False)
        raise self.retry(countdown=max((error.reset_at - timezone.now()).total_seconds(), 1)) from error
    except Transient as error:
        if self.request.retries >= self.max_retries:
            actions.mark_failed(message_id, str(error))
            return
        actions.release_delivery(message_id, str(error), ambiguous=True)
        raise self.retry(countdown=2**self.request.retries) from error
    except ConnectorError as error:
        actions.mark_failed(message_id, str(error))
        return
    actions.mark_delivered(message_id, sent.external_id, sent.accepted_at, sent.url)
