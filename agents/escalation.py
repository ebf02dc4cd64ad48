"""Escalation: to another team (second tier, another department) or to the supervisors."""

from django.db import transaction
from django.utils import timezone

from agents.assignment import assign, pick_agent, unassign
from inbox import events
from inbox.actions import InboxError, apply_sla_policy, audit
from inbox.models import Conversation, Priority, Status


@transaction.atomic
def escalate(conversation_id, reason, actor=None, to_team_id=None):
    """Up one level, with a reason. To a team: the receiving team's routing and SLA
    apply; without one: the supervisors are alerted and the priority rises."""
    reason = reason.strip()
    if not reason:
        raise InboxError("Say why the conversation is escalated.")
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.status == Status.RESOLVED:
        raise InboxError("A resolved conversation cannot be escalated.")
    previous_team = conversation.team_id
    conversation.escalation_level += 1
    conversation.escalation_reason = reason
    if to_team_id:
        conversation.team_id = to_team_id
    else:
        conversation.priority = max(conversation.priority, Priority.HIGH)
    conversation.save(update_fields=["escalation_level", "escalation_reason", "team", "priority", "updated_at"])
    audit(conversation, "escalated", actor, level=conversation.escalation_level, reason=reason, to_team=to_team_id)
    apply_sla_policy(conversation)
    if to_team_id and to_team_id != previous_team and conversation.assignee_id:
        unassign(conversation, "escalated to another team", actor)
    events.publish_on_commit(
        events.CONVERSATION_ESCALATED, [events.Audience.of(conversation, previous_team_id=previous_team)]
    )
    if to_team_id and conversation.assignee_id is None and conversation.status == Status.OPEN:
        now = timezone.now()
        profile = pick_agent(to_team_id, now)
        if profile:
            assign(conversation, profile, now, reason="escalation")
    return conversation


def handle_breach(conversation_id):
    """What the breached conversation's policy says to do."""
    conversation = Conversation.objects.select_related("sla_policy").filter(pk=conversation_id).first()
    if conversation is None or conversation.sla_policy is None or conversation.status == Status.RESOLVED:
        return
    policy = conversation.sla_policy
    if policy.breach_escalate_to_id and policy.breach_escalate_to_id != conversation.team_id:
        escalate(conversation_id, "SLA breached", to_team_id=policy.breach_escalate_to_id)
    elif policy.breach_reassign and conversation.assignee_id:
        _reassign(conversation_id)


@transaction.atomic
def _reassign(conversation_id):
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    previous = conversation.assignee_id
    if previous is None or conversation.team_id is None:
        return
    now = timezone.now()
    profile = pick_agent(conversation.team_id, now, exclude_user_id=previous)
    if profile:
        assign(conversation, profile, now, reason="SLA breached")
