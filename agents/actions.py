"""Writes on agents and on who holds a conversation, by people (agents, supervisors,
admins); the automatic ones live in assignment.py and routing.py."""

from django.db import transaction
from django.utils import timezone

from agents.assignment import assign, hand_out_on_commit, unassign
from agents.models import AgentProfile, Presence
from agents.settings_actions import log_change
from inbox.actions import InboxError, apply_sla_policy
from inbox.models import Conversation, Status


@transaction.atomic
def set_presence(user_id, presence):
    """An agent steps away (no new work) or comes back."""
    if presence not in (Presence.ONLINE, Presence.AWAY):
        raise InboxError("Presence is online or away; offline follows from closing the inbox.")
    AgentProfile.objects.filter(user_id=user_id).update(presence=presence, last_seen_at=timezone.now())
    if presence == Presence.ONLINE:
        hand_out_on_commit(AgentProfile.objects.get(user_id=user_id).teams.values_list("id", flat=True))


@transaction.atomic
def assign_to(conversation_id, user_id, actor, may_override=True):
    """A person hands a conversation to an agent (or back to the queue with None). People
    may go past an agent's capacity; the automatic assignment never does. Without
    `may_override` (a supervisor's), only its assignee hands an assigned conversation to
    someone else; anyone may take it or return it to the queue."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.status == Status.RESOLVED:
        raise InboxError("A resolved conversation cannot be assigned.")
    if not may_override and user_id not in (None, actor.pk) and conversation.assignee_id not in (None, actor.pk):
        raise InboxError("Only the assignee or a supervisor can hand this conversation on.")
    if user_id is None:
        if conversation.assignee_id:
            unassign(conversation, "returned to the queue", actor)
        return conversation
    profile = AgentProfile.objects.select_for_update().get(user_id=user_id)
    if conversation.team_id and not profile.teams.filter(pk=conversation.team_id).exists():
        conversation.team_id = profile.teams.values_list("pk", flat=True).first() or conversation.team_id
        conversation.save(update_fields=["team", "updated_at"])
        apply_sla_policy(conversation)
    assign(conversation, profile, timezone.now(), actor=actor, reason="by hand")
    return conversation


@transaction.atomic
def move_agent(user_id, team_ids, actor):
    """An agent now works for these teams."""
    profile = AgentProfile.objects.select_for_update(of=("self",)).select_related("user").get(user_id=user_id)
    before = sorted(profile.teams.values_list("pk", flat=True))
    profile.teams.set(team_ids)
    log_change(actor, "agent", profile.user, "teams changed", {"teams": [before, sorted(team_ids)]})
    return profile
