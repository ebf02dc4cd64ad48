"""Crisis alerts: a burst of negative mentions on a channel, or on one of its brand
keywords, against how many it usually sees. One alert per burst, closed when it subsides."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import CrisisAlert
from connectors.models import Channel
from inbox import events
from inbox.models import Direction, Message

SAMPLE_SIZE = 10


def watch(now=None) -> list[CrisisAlert]:
    """Check every enabled channel and each of its brand keywords; returns alerts raised."""
    now = now or timezone.now()
    raised = []
    for channel in Channel.objects.filter(enabled=True):
        for keyword in ["", *channel.listening.get("brand_keywords", [])]:
            alert = check(channel, keyword, now)
            if alert:
                raised.append(alert)
    return raised


def _negative(channel, keyword, start, end):
    mentions = Message.objects.filter(
        channel=channel, direction=Direction.INBOUND, sentiment_label="negative", sent_at__gte=start, sent_at__lt=end
    )
    return mentions.filter(text__icontains=keyword) if keyword else mentions


def thresholds(channel):
    """The channel's own crisis thresholds (admins set them), else the site's."""
    own = channel.listening.get("crisis", {})
    return (
        timedelta(minutes=own["window_minutes"]) if "window_minutes" in own else settings.CRISIS_WINDOW,
        settings.CRISIS_BASELINE,
        float(own.get("factor", settings.CRISIS_FACTOR)),
        int(own.get("min_mentions", settings.CRISIS_MIN_MENTIONS)),
    )


def check(channel, keyword, now) -> CrisisAlert | None:
    window, baseline, factor, least = thresholds(channel)
    recent = _negative(channel, keyword, now - window, now)
    count = recent.count()
    usual = _negative(channel, keyword, now - window - baseline, now - window).count() * (window / baseline)
    threshold = max(least, factor * usual)
    open_alert = CrisisAlert.objects.filter(channel=channel, keyword=keyword, ended_at__isnull=True).first()
    if open_alert is None and count >= threshold:
        sample = list(recent.order_by("-sent_at").values_list("pk", flat=True)[:SAMPLE_SIZE])
        return _raise(channel, keyword, now, count, usual, sample)
    if open_alert is not None and count < threshold / 2:
        _end(open_alert, now)
    return None


def _raise(channel, keyword, now, count, usual, sample):
    try:
        with transaction.atomic():
            alert = CrisisAlert.objects.create(
                channel=channel, keyword=keyword, started_at=now, negative_count=count, usual_count=usual, sample=sample
            )
            events.publish_alert_on_commit(events.CRISIS_STARTED, alert.pk)
    except IntegrityError:
        return None  # another watcher raised this burst's alert first
    return alert


def _end(alert, now):
    with transaction.atomic():
        if CrisisAlert.objects.filter(pk=alert.pk, ended_at__isnull=True).update(ended_at=now):
            events.publish_alert_on_commit(events.CRISIS_ENDED, alert.pk)
