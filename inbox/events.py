"""The real-time contract: what happened to which conversations, sent to whom.

Events carry ids, never rendered text: each consumer renders what its own user may see.
They leave only after the transaction that caused them commits, so a browser never sees a
state that was rolled back.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

VERSION = 1
CONVERSATION_CHANGED = "conversation.changed"
CONVERSATION_ASSIGNED = "conversation.assigned"
TYPES = {CONVERSATION_CHANGED, CONVERSATION_ASSIGNED}
SUPERVISORS = "supervisors"


def team_group(team_id):
    return f"team.{team_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


@dataclass(frozen=True)
class Audience:
    """Where a conversation is seen: now, and before the change that moved it."""

    conversation_id: int
    team_id: int | None
    assignee_id: int | None
    previous_team_id: int | None = None
    previous_assignee_id: int | None = None

    @classmethod
    def of(cls, conversation, previous_team_id=None, previous_assignee_id=None):
        return cls(conversation.pk, conversation.team_id, conversation.assignee_id, previous_team_id, previous_assignee_id)

    def groups(self):
        groups = {SUPERVISORS}
        for team_id in (self.team_id, self.previous_team_id):
            if team_id:
                groups.add(team_group(team_id))
        for user_id in (self.assignee_id, self.previous_assignee_id):
            if user_id:
                groups.add(agent_group(user_id))
        return groups


def publish_on_commit(event_type, audiences):
    """Send one message per group, naming every conversation of that group that changed."""
    assert event_type in TYPES, event_type
    by_group = defaultdict(list)
    for audience in audiences:
        for group in audience.groups():
            by_group[group].append(audience.conversation_id)
    if by_group:
        transaction.on_commit(lambda: _send(event_type, by_group))


def _send(event_type, by_group):
    layer = get_channel_layer()
    for group, conversation_ids in by_group.items():
        message = {
            "type": "inbox.event",
            "event": {"type": event_type, "version": VERSION, "conversation_ids": conversation_ids},
        }
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # the write is committed; a lost push is repaired by the page's refresh
            log.exception("could not publish %s to %s", event_type, group)
