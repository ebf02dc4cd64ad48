"""What a network allows a reply to be, for the composer to show before sending."""

from datetime import timedelta

from django import template
from django.utils import timezone

from connectors.registry import connector_class

register = template.Library()

MESSENGER_WINDOW = timedelta(hours=24)


@register.simple_tag
def reply_rules(conversation):
    """{"limit": characters or None, "on_site": bool, "window_closes_at": datetime or None}."""
    connector = connector_class(conversation.channel.kind)
    window = None
    if conversation.channel.kind == "facebook" and conversation.messages.filter(visibility="private").exists():
        last = conversation.messages.filter(direction="in").order_by("-sent_at").values_list("sent_at", flat=True).first()
        window = last + MESSENGER_WINDOW if last else None
    return {
        "limit": connector.reply_limit,
        "on_site": connector.replies_on_site,
        "window_closes_at": window,
        "window_open": window is None or window > timezone.now(),
    }
