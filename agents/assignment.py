"""Handing conversations to agents: fairly, within capacity, and race-free across workers.

Every assignment locks the chosen agent's profile row and recounts their open
conversations under that lock, so no two workers can push an agent over capacity; the
conversation row is locked by the caller, so it is never assigned twice.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from agents.models import AgentProfile, Presence
from inbox import events
from inbox.actions import audit
from inbox.models import Conversation, Status

CANDIDATES_TRIED = 5


def _available(team_id, now):
    return (
        AgentProfile.objects.filter(
            teams=team_id, presence=Presence.ONLINE, last_seen_at__gte=now - settings.PRESENCE_TIMEOUT
        )
        .annotate(open_count=Count("user__assigned_conversations", filter=Q(user__assigned_conversations__status=Status.OPEN)))
        .filter(open_count__lt=F("capacity"))
        .order_by("open_count", F("last_assigned_at").asc(nulls_first=True), "pk")
    )


def pick_agent(team_id, now) -> AgentProfile | None:
    """The online agent with free capacity and the fewest open conversations, locked."""
    for candidate in _available(team_id, now)[:CANDIDATES_TRIED]:
        profile = AgentProfile.objects.select_for_update(skip_locked=True).filter(pk=candidate.pk).first()
        if profile is None:
            continue  # another worker is assigning to this agent right now
        open_now = Conversation.objects.filter(assignee_id=profile.user_id, status=Status.OPEN).count()
        if open_now < profile.capacity:
            return profile
    return None


def assign(conversation: Conversation, profile: AgentProfile, now, actor=None):
    """Give a locked conversation to a locked agent."""
    previous = conversation.assignee_id
    conversation.assignee_id = profile.user_id
    conversation.save(update_fields=["assignee", "updated_at"])
    profile.last_assigned_at = now
    profile.save(update_fields=["last_assigned_at"])
    audit(conversation, "assigned", actor, assignee=profile.user_id)
    events.publish_on_commit(
        events.CONVERSATION_ASSIGNED, [events.Audience.of(conversation, previous_assignee_id=previous)]
    )


def assign_waiting(team_id):
    """Hand out the team's queue, most urgent first, while anyone has room."""
    while True:
        with transaction.atomic():
            now = timezone.now()
            waiting = (
                Conversation.objects.select_for_update(skip_locked=True)
                .filter(team_id=team_id, assignee__isnull=True, status=Status.OPEN)
                .order_by(F("response_due_at").asc(nulls_last=True), "pk")
                .first()
            )
            if waiting is None:
                return
            profile = pick_agent(team_id, now)
            if profile is None:
                return
            assign(waiting, profile, now)
