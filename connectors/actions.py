"""Writes the connectors app owns: stored webhooks and channel health."""

import logging

from celery import current_app
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connectors.base import ConnectorError
from connectors.models import Channel, Health, WebhookEvent
from connectors.registry import connector_for

log = logging.getLogger(__name__)


@transaction.atomic
def store_webhook(channel, key, delivery) -> WebhookEvent | None:
    """Keep a delivery once per key and process it after commit; a repeat changes nothing."""
    event, created = WebhookEvent.objects.get_or_create(
        channel=channel, key=key, defaults={"headers": delivery.headers, "body": delivery.body}
    )
    if not created:
        return None
    transaction.on_commit(lambda: current_app.signature("connectors.process_webhook", args=(event.pk,)).delay())
    return event


def polled_ok(channel_id):
    now = timezone.now()
    Channel.objects.filter(pk=channel_id).update(
        last_polled_at=now, last_success_at=now, last_error="", consecutive_failures=0, health=Health.HEALTHY
    )


def poll_rate_limited(channel_id, error):
    """Not a failure: the network asked us to wait, so the next poll waits for its reset."""
    Channel.objects.filter(pk=channel_id).update(
        last_polled_at=timezone.now(), last_error=str(error)[:2000], next_poll_at=error.reset_at
    )


@transaction.atomic
def poll_failed(channel_id, error, permanent: bool):
    """Record the error; a permanent one (revoked credentials) pauses the channel and tells
    the admins, once, when it happens."""
    channel = Channel.objects.select_for_update().get(pk=channel_id)
    newly_paused = permanent and channel.health != Health.PAUSED
    Channel.objects.filter(pk=channel_id).update(
        last_polled_at=timezone.now(),
        last_error=str(error)[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
        health=Health.PAUSED if permanent else Health.FAILING,
    )
    if newly_paused:
        transaction.on_commit(lambda: _tell_admins(channel, error))


def _tell_admins(channel, error):
    admins = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    recipients = list(admins.values_list("email", flat=True))
    log.error("channel %s paused: %s", channel, error)
    if recipients:
        send_mail(
            f"SocialCare: channel {channel.name} paused",
            f"The channel {channel} stopped listening: {error}\n\nFix its credentials in the settings to resume.",
            None,
            recipients,
            fail_silently=True,
        )


def resume(channel_id):
    """Credentials fixed: listen again from where the channel stopped."""
    Channel.objects.filter(pk=channel_id).update(health=Health.HEALTHY, consecutive_failures=0, next_poll_at=None)


def verify_channel(channel) -> str | None:
    """The connector's "test connection": None when it answered, else the error text
    (with any credential scrubbed out, should a network echo one back)."""
    try:
        connector_for(channel).verify()
    except ConnectorError as error:
        text = str(error) or type(error).__name__
    except Exception as error:  # a connector bug must not hide behind a 500 on this page
        log.exception("test connection of channel %s", channel.pk)
        text = f"{type(error).__name__}: {error}"
    else:
        return None
    for secret in (channel.credentials or {}).values():
        if isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, "•••")
    return text[:1000]
