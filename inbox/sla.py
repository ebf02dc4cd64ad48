"""The SLA clock: when a waiting customer is due an answer, and how the wait is judged."""

from django.utils import timezone

from inbox.models import SLAPolicy, SLAState


def default_policy() -> SLAPolicy:
    policy = SLAPolicy.objects.filter(is_default=True).first()
    if policy is None:
        policy, _ = SLAPolicy.objects.get_or_create(is_default=True, defaults={"name": "Two hours"})
    return policy


def target(policy: SLAPolicy, first_response: bool):
    return policy.first_response_target if first_response else policy.next_response_target


def due_at(policy: SLAPolicy, waiting_since, first_response: bool):
    return waiting_since + target(policy, first_response)


def warning_at(policy: SLAPolicy, waiting_since, response_due_at):
    return waiting_since + (response_due_at - waiting_since) * policy.warning_share


def running_state(policy: SLAPolicy, waiting_since, response_due_at, now=None) -> str:
    """ok, warning or breached for a clock that is still running."""
    now = now or timezone.now()
    if now >= response_due_at:
        return SLAState.BREACHED
    return SLAState.WARNING if now >= warning_at(policy, waiting_since, response_due_at) else SLAState.OK
