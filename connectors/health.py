"""A channel's health: what its last poll said, and whether to keep trying."""

from django.db.models import F
from django.utils import timezone

from connectors.models import Channel, Health


def polled_ok(channel_id):
    now = timezone.now()
    Channel.objects.filter(pk=channel_id).update(
        last_polled_at=now, last_success_at=now, last_error="", consecutive_failures=0, health=Health.HEALTHY
    )


def poll_failed(channel_id, error, permanent: bool):
    """Record the error; a permanent one (revoked credentials) pauses the channel."""
    Channel.objects.filter(pk=channel_id).update(
        last_polled_at=timezone.now(),
        last_error=str(error)[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
        health=Health.PAUSED if permanent else Health.FAILING,
    )
