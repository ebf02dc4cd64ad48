from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds):
    """3725 → '1h 2m'; short enough for a row."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)dm %(s)ds") % {"m": minutes, "s": secs}
    return _("%(s)ds") % {"s": secs}


@register.filter
def compact(number):
    """Follower counts the way networks show them: 48200 → 48.2K."""
    number = int(number or 0)
    for limit, suffix in ((1_000_000, "M"), (1_000, "K")):
        if number >= limit:
            return f"{number / limit:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)
