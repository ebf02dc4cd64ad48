"""Handing conversations to agents: fairly, within capacity, and race-free across workers.

Every assignment locks the chosen agent's profile row and recounts their open
conversations under that lock, so no two workers can push an agent over capacity; the
conversation row is locked by the caller, so it is never assigned twice.
"""

from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from agents.models import AgentProfile, Presence
from inbox import events
from inbox.actions import audit
from inbox.models import Conversation, Status

CANDIDATES_TRIED = 5


def hand_out_on_commit(team_ids):
    """Once the caller's transaction commits, whoever waits in these teams' queues may be
    assigned (the agents.assign_waiting task, on a worker)."""
    for team_id in team_ids:
        transaction.on_commit(partial(current_app.signature("agents.assign_waiting", args=(team_id,)).delay))


def _available(team_id, now):
    return AgentProfile.objects.filter(
        teams=team_id, presence=Presence.ONLINE, last_seen_at__gte=now - settings.PRESENCE_TIMEOUT
    )


def _with_room(profiles):
    return (
        profiles.annotate(open_count=Count("user__assigned_conversations", filter=Q(user__assigned_conversations__status=Status.OPEN)))
        .filter(open_count__lt=F("capacity"))
        .order_by("open_count", F("last_assigned_at").asc(nulls_first=True), "pk")
    )


def _lock_if_room(profile_pk):
    profile = AgentProfile.objects.select_for_update(skip_locked=True).filter(pk=profile_pk).first()
    if profile is None:
        return None  # another worker is assigning to this agent right now
    open_now = Conversation.objects.filter(assignee_id=profile.user_id, status=Status.OPEN).count()
    return profile if open_now < profile.capacity else None


def pick_agent(team_id, now, prefer_user_id=None, exclude_user_id=None) -> AgentProfile | None:
    """The agent to take a conversation, locked: the preferred one (a returning author's
    previous agent) when available with room, else the available agent with the fewest
    open conversations, the one who waited longest since an assignment first."""
    available = _available(team_id, now)
    if exclude_user_id:
        available = available.exclude(user_id=exclude_user_id)
    if prefer_user_id:
        preferred = available.filter(user_id=prefer_user_id).values_list("pk", flat=True).first()
        profile = _lock_if_room(preferred) if preferred else None
        if profile:
            return profile
    for candidate in _with_room(available).values_list("pk", flat=True)[:CANDIDATES_TRIED]:
        profile = _lock_if_room(candidate)
        if profile:
            return profile
    return None


def previous_agent(conversation) -> int | None:
    """Who last handled this author, so a returning customer meets a familiar agent."""
    return (
        Conversation.objects.filter(contact_id=conversation.contact_id, assignee__isnull=False)
        .exclude(pk=conversation.pk)
        .order_by("-created_at")
        .values_list("assignee_id", flat=True)
        .first()
    )


def assign(conversation: Conversation, profile: AgentProfile, now, actor=None, reason=""):
    """Give a locked conversation to a locked agent."""
    previous = conversation.assignee_id
    conversation.assignee_id = profile.user_id
    conversation.assigned_at = now
    conversation.save(update_fields=["assignee", "assigned_at", "updated_at"])
    profile.last_assigned_at = now
    profile.save(update_fields=["last_assigned_at"])
    audit(conversation, "assigned", actor, assignee=profile.user_id, reason=reason)
    events.publish_on_commit(
        events.CONVERSATION_ASSIGNED, [events.Audience.of(conversation, previous_assignee_id=previous)]
    )


def unassign(conversation: Conversation, reason, actor=None):
    """Back to the team queue (the caller holds the conversation's lock)."""
    previous = conversation.assignee_id
    conversation.assignee_id = None
    conversation.assigned_at = None
    conversation.save(update_fields=["assignee", "assigned_at", "updated_at"])
    audit(conversation, "unassigned", actor, previous=previous, reason=reason)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation, previous_assignee_id=previous)])


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
            profile = pick_agent(team_id, now, prefer_user_id=previous_agent(waiting))
            if profile is None:
                return
            assign(waiting, profile, now)


def requeue_absent(now=None) -> int:
    """Agents gone longer than allowed lose their open conversations back to the queue."""
    now = now or timezone.now()
    gone = AgentProfile.objects.filter(sockets=0).filter(
        Q(last_seen_at__lt=now - settings.OFFLINE_REQUEUE_AFTER) | Q(last_seen_at__isnull=True)
    )
    return _requeue(
        Conversation.objects.filter(status=Status.OPEN, assignee_id__in=gone.values("user_id")), "agent offline"
    )


def reassign_unanswered(now=None) -> int:
    """Conversations their assignee left unanswered too long go to someone else."""
    now = now or timezone.now()
    limit = now - settings.UNANSWERED_REASSIGN_AFTER
    stale = Conversation.objects.filter(
        status=Status.OPEN, assignee__isnull=False, assigned_at__lt=limit, waiting_since__lt=limit
    )
    return _requeue(stale, "unanswered by the assignee", keep_away=True)


def _requeue(conversations, reason, keep_away=False) -> int:
    moved = 0
    for conversation_id in conversations.values_list("pk", flat=True):
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update(skip_locked=True).filter(pk=conversation_id).first()
            if conversation is None or conversation.assignee_id is None:
                continue
            previous = conversation.assignee_id
            unassign(conversation, reason)
            moved += 1
            if conversation.team_id:
                now = timezone.now()
                profile = pick_agent(conversation.team_id, now, exclude_user_id=previous if keep_away else None)
                if profile:
                    assign(conversation, profile, now, reason=reason)
    return moved
