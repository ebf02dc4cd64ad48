"""Where a conversation goes: its team (for now the channel's default) and its agent."""

from django.db import transaction
from django.utils import timezone

from agents.assignment import assign, pick_agent
from inbox import events
from inbox.actions import audit
from inbox.models import Conversation, Status


@transaction.atomic
def route(conversation_id):
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("channel").filter(pk=conversation_id).first()
    )
    if conversation is None or conversation.status == Status.RESOLVED:
        return
    if conversation.team_id is None and conversation.channel.default_team_id:
        conversation.team_id = conversation.channel.default_team_id
        conversation.save(update_fields=["team", "updated_at"])
        audit(conversation, "routed", team=conversation.team_id, rule="channel default team")
        events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    if conversation.assignee_id is None and conversation.team_id and conversation.status == Status.OPEN:
        now = timezone.now()
        profile = pick_agent(conversation.team_id, now)
        if profile is not None:
            assign(conversation, profile, now)
