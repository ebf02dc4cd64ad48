"""The real-time contract: what happened to which conversations, sent to whom.

Events carry ids, never rendered text: each consumer renders what its own user may see.
They leave only after the transaction that caused them commits, so a browser never sees a
state that was rolled back.
"""

import asyncio
import logging
import os
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

VERSION = 1
CONVERSATION_CHANGED = "conversation.changed"
CONVERSATION_ASSIGNED = "conversation.assigned"
CONVERSATION_ESCALATED = "conversation.escalated"
CONVERSATION_MENTIONED = "conversation.mentioned"
SLA_WARNING = "sla.warning"
SLA_BREACHED = "sla.breached"
TYPES = {
    CONVERSATION_CHANGED,
    CONVERSATION_ASSIGNED,
    CONVERSATION_ESCALATED,
    CONVERSATION_MENTIONED,
    SLA_WARNING,
    SLA_BREACHED,
}
CRISIS_STARTED = "crisis.started"
CRISIS_ENDED = "crisis.ended"
SUPERVISORS = "supervisors"
SEND_TIMEOUT = 5


def team_group(team_id):
    return f"team.{team_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


def conversation_group(conversation_id):
    """Everyone with this conversation open, for who-is-viewing and who-is-typing."""
    return f"conversation.{conversation_id}"


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


def publish_alert_on_commit(event_type, alert_id):
    """Crisis alerts concern the supervisors only."""
    assert event_type in {CRISIS_STARTED, CRISIS_ENDED}, event_type
    transaction.on_commit(lambda: _send(event_type, {SUPERVISORS: []}, alert=alert_id))


def _send(event_type, by_group, **extra):
    try:
        if settings.EMBEDDED:
            # The in-memory layer lives on the server's loop; async_to_sync finds it.
            async_to_sync(_send_all)(event_type, by_group, extra)
        else:
            sending = _send_all(event_type, by_group, extra)
            asyncio.run_coroutine_threadsafe(sending, _publisher_loop()).result(SEND_TIMEOUT)
    except Exception:  # the write is committed; a lost push is repaired by the page's refresh
        log.exception("could not publish %s to %s", event_type, sorted(by_group))


async def _send_all(event_type, by_group, extra):
    layer = get_channel_layer()
    # One id for the whole publication: a listener in several groups hears it once.
    publication = uuid.uuid4().hex
    for group, conversation_ids in by_group.items():
        event = {"type": event_type, "version": VERSION, "id": publication, "conversation_ids": conversation_ids, **extra}
        await layer.group_send(group, {"type": "inbox.event", "event": event})


_publisher = {"pid": None, "loop": None}
_publisher_lock = threading.Lock()


def _publisher_loop():
    """One long-lived loop per process for publishing from plain threads (workers, web
    threads): the Redis layer keeps its connections per loop, and a fresh loop per event
    would open a connection per event."""
    with _publisher_lock:
        if _publisher["pid"] != os.getpid():  # a forked worker must not share its parent's loop
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="event-publisher", daemon=True).start()
            _publisher.update(pid=os.getpid(), loop=loop)
        return _publisher["loop"]
