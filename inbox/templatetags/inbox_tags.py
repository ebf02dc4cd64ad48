from django import template
from django.conf import settings
from django.utils.translation import gettext_lazy

from inbox.wording import describe, duration

register = template.Library()


register.filter(duration)


@register.filter
def compact(number):
    """Follower counts the way networks show them: 48200 → 48.2K."""
    number = int(number or 0)
    for limit, suffix in ((1_000_000, "M"), (1_000, "K")):
        if number >= limit:
            return f"{number / limit:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)


NETWORK_INITIALS = {"twitter": "X", "facebook": "f", "discourse": "D", "feed": "R", "demo": "d"}
LANGUAGES = {"es": gettext_lazy("Spanish"), "en": gettext_lazy("English")}
FEELINGS = {"negative": gettext_lazy("negative"), "neutral": gettext_lazy("neutral"), "positive": gettext_lazy("positive")}


@register.filter
def network_initial(kind):
    return NETWORK_INITIALS.get(kind, "?")


@register.filter
def influential(contact):
    """An opinion leader: verified, or followed by more than the configured threshold."""
    return contact.verified or contact.followers >= settings.OPINION_LEADER_FOLLOWERS


@register.filter
def language_name(code):
    return LANGUAGES.get(code, code)


@register.filter
def audit_text(event):
    return describe(event)


@register.filter
def feeling_name(label):
    return FEELINGS.get(label, label)


@register.filter
def capped(count):
    """A tab's count, "99+" past the cap it was counted to."""
    from inbox.selectors import COUNT_CAP

    return f"{COUNT_CAP - 1}+" if count >= COUNT_CAP else count
