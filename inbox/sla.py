"""The SLA clock: which policy applies, when a waiting customer is due an answer (in
business time when the policy has a calendar), and how each wait is judged."""

from datetime import date, time
from functools import lru_cache

from django.utils import timezone

from inbox import business_time
from inbox.models import SLAPolicy, SLAState


class Policies:
    """The policies in force, read once per use; the first that matches a conversation
    applies, and the default catches the rest."""

    def __init__(self):
        self.ordered = list(SLAPolicy.objects.select_related("calendar"))
        self.default = next((p for p in self.ordered if p.is_default), None) or _create_default()

    def for_conversation(self, conversation) -> SLAPolicy:
        for policy in self.ordered:
            if policy.is_default:
                continue
            if (
                policy.team_id in (None, conversation.team_id)
                and policy.channel_id in (None, conversation.channel_id)
                and policy.priority in (None, conversation.priority)
            ):
                return policy
        return self.default


def _create_default():
    policy, _ = SLAPolicy.objects.get_or_create(is_default=True, defaults={"name": "Two hours"})
    return policy


def default_policy() -> SLAPolicy:
    return Policies().default


def calendar_of(policy: SLAPolicy) -> business_time.Calendar | None:
    model = policy.calendar
    if model is None:
        return None
    return _calendar(
        model.pk,
        model.time_zone,
        tuple(sorted((int(day), tuple(tuple(r) for r in ranges)) for day, ranges in model.hours.items())),
        model.holiday_country,
        model.holiday_subdivision,
        tuple(model.closed_dates),
        timezone.now().year,
    )


@lru_cache(maxsize=256)
def _calendar(pk, time_zone, hours, country, subdivision, closed_dates, year):
    # Keyed on every field, so an edited calendar is a new entry, never a stale one.
    ranges = {day: tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in day_ranges) for day, day_ranges in hours}
    extra = frozenset(date.fromisoformat(d) for d in closed_dates)
    if country:
        return business_time.Calendar.with_public_holidays(
            time_zone, ranges, country, subdivision=subdivision or None, years=[year - 1, year, year + 1], extra=extra
        )
    return business_time.Calendar(time_zone, ranges, extra)


def target(policy: SLAPolicy, first_response: bool):
    return policy.first_response_target if first_response else policy.next_response_target


def due_at(policy: SLAPolicy, waiting_since, first_response: bool):
    return business_time.add(calendar_of(policy), waiting_since, target(policy, first_response))


def warning_at(policy: SLAPolicy, waiting_since, first_response: bool):
    return business_time.add(calendar_of(policy), waiting_since, target(policy, first_response) * policy.warning_share)


def waited(policy: SLAPolicy, waiting_since, answered_at) -> tuple[int, int]:
    """How long the customer waited: (calendar seconds, business seconds)."""
    calendar_seconds = max(int((answered_at - waiting_since).total_seconds()), 0)
    business = business_time.between(calendar_of(policy), waiting_since, answered_at)
    return calendar_seconds, max(int(business.total_seconds()), 0)


def running_state(response_due_at, warning, now=None) -> str:
    """ok, warning or breached for a clock that is still running."""
    now = now or timezone.now()
    if now >= response_due_at:
        return SLAState.BREACHED
    return SLAState.WARNING if now >= warning else SLAState.OK
