"""Polling and delivery, run by the worker fleet; each task takes ids and is idempotent."""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connectors import health
from connectors.base import ConnectorError, OutboundReply, RateLimited
from connectors.models import Channel, Health
from connectors.registry import connector_for
from inbox import actions
from inbox.models import Visibility

log = logging.getLogger(__name__)
JITTER = 0.1
DELIVERY_RETRIES = 8

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
            channel.save(update_fields=["next_poll_at"])
    for channel in due:
        poll_channel.delay(channel.pk)

@shared_task(name="connectors.poll_channel")
def poll_channel(channel_id):
    channel = Channel.objects.filter(pk=channel_id, enabled=True).first()
    if channel is None:
        return
    try:
        fetched = connector_for(channel).fetch(channel.cursor or {})
        actions.ingest(channel, fetched.mentions, fetched.cursor)
    except RateLimited as error:
        health.poll_failed(channel_id, error, permanent=False)
        Channel.objects.filter(pk=channel_id).update(next_poll_at=error.reset_at)
        return
    except ConnectorError as error:
        health.poll_failed(channel_id, error, permanent=error.permanent)
        return
    health.polled_ok(channel_id)

@shared_task(name="connectors.deliver_message", bind=True, max_retries=DELIVERY_RETRIES)
def deliver_message(self, message_id):
    message = actions.mark_sending(message_id)
    if message is None:
        return
    conversation = message.conversation
    reply = OutboundReply(
        message_id=message.pk,
        text=message.text,
        public=message.visibility == Visibility.PUBLIC,
        in_reply_to=message.parent_external_id,
        recipient_id=conversation.contact.platform_id,
    )
    try:
        sent = connector_for(conversation.channel).send(reply)
    except RateLimited as error:
        raise self.retry(countdown=max((error.reset_at - timezone.now()).total_seconds(), 1)) from error
    except ConnectorError as error:
        if error.permanent or self.request.retries >= self.max_retries:
            actions.mark_failed(message_id, str(error))
            return
        raise self.retry(countdown=2**self.request.retries) from error
    actions.mark_delivered(message_id, sent.external_id, sent.accepted_at, sent.url)

