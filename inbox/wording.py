"""Durations and audit events in words, for rows and timelines."""

from django.utils.translation import gettext as _


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


def describe(event):
    data, names = event.data, getattr(event, "names", {})
    actor = event.actor.get_full_name() or event.actor.username if event.actor else _("SocialCare")

    def name(key):
        return names.get(("user", data.get(key)), _("someone"))

    def team(key):
        return names.get(("team", data.get(key)), _("another team"))

    texts = {
        "opened": lambda: _("Conversation opened"),
        "reopened": lambda: _("Reopened by %(actor)s") % {"actor": actor},
        "routed": lambda: _("Routed to %(team)s (%(rule)s)") % {"team": team("team"), "rule": data.get("rule", "")},
        "rule_applied": lambda: _("Rule applied: %(rule)s") % {"rule": data.get("name", "")},
        "priority_raised": lambda: _("Priority raised: %(reason)s") % {"reason": data.get("reason", "")},
        "priority_changed": lambda: _("Priority changed by %(actor)s") % {"actor": actor},
        "assigned": lambda: _("Assigned to %(agent)s") % {"agent": name("assignee")},
        "unassigned": lambda: _("Back to the queue: %(reason)s") % {"reason": data.get("reason", "")},
        "escalated": lambda: _("Escalated by %(actor)s (level %(level)s): %(reason)s")
        % {"actor": actor, "level": data.get("level"), "reason": data.get("reason", "")},
        "sla_warning": lambda: _("SLA at risk"),
        "sla_breached": lambda: _("SLA breached"),
        "sla_policy_applied": lambda: _("SLA policy changed"),
        "responded": lambda: _("Answered in %(time)s") % {"time": duration(data.get("response_seconds"))},
        "reply_queued": lambda: _("Reply queued by %(actor)s") % {"actor": actor},
        "reply_failed": lambda: _("Reply not delivered: %(reason)s") % {"reason": data.get("reason", "")},
        "reply_retried": lambda: _("Reply sent again by %(actor)s") % {"actor": actor},
        "note_added": lambda: _("Note by %(actor)s") % {"actor": actor},
        "labels_changed": lambda: _("Labels: %(labels)s") % {"labels": ", ".join(data.get("after", [])) or "—"},
        "snoozed": lambda: _("Snoozed by %(actor)s") % {"actor": actor},
        "woke": lambda: _("Back from snooze"),
        "resolved": lambda: _("Resolved by %(actor)s") % {"actor": actor},
    }
    return texts.get(event.kind, lambda: event.kind)()
