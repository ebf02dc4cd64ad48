"""Assignment under contention: four real worker processes on PostgreSQL hand out 1,000
conversations to 10 agents of capacity 5 while agents resolve what they hold."""

import os
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from agents.models import AgentProfile, Presence
from agents.tasks import route_conversations
from inbox.actions import resolve
from inbox.models import Conversation, ConversationEvent, Status
from tests.conftest import wait_for
from tests.factories import AgentFactory, ChannelFactory, ContactFactory, TeamFactory

CONVERSATIONS, AGENTS, CAPACITY, WORKERS = 1000, 10, 5, 4


def open_load():
    return Counter(
        Conversation.objects.filter(status=Status.OPEN, assignee__isnull=False).values_list("assignee_id", flat=True)
    )


def peak_load_from_the_audit_trail():
    """Replay assignments and resolutions in the order they were written."""
    load, peak, holder = defaultdict(int), defaultdict(int), {}
    for kind, conversation_id, data in ConversationEvent.objects.filter(kind__in=["assigned", "resolved"]).order_by(
        "pk"
    ).values_list("kind", "conversation_id", "data"):
        if kind == "assigned":
            holder[conversation_id] = data["assignee"]
            load[data["assignee"]] += 1
            peak[data["assignee"]] = max(peak[data["assignee"]], load[data["assignee"]])
        elif conversation_id in holder:
            load[holder.pop(conversation_id)] -= 1
    return max(peak.values())


@pytest.mark.django_db(transaction=True)
def test_four_workers_never_overfill_an_agent_nor_assign_a_conversation_twice(worker_process, monkeypatch):
    monkeypatch.setitem(os.environ, "PRESENCE_TIMEOUT_SECONDS", "3600")
    team = TeamFactory()
    for _ in range(AGENTS):
        AgentFactory(teams=[team], capacity=CAPACITY, presence=Presence.ONLINE, sockets=1, last_seen_at=timezone.now())
    channel = ChannelFactory(default_team=team)
    conversations = [
        Conversation(channel=channel, contact=ContactFactory(), team=team, response_due_at=timezone.now())
        for _ in range(CONVERSATIONS)
    ]
    ids = [c.pk for c in Conversation.objects.bulk_create(conversations)]
    for _ in range(WORKERS):
        worker_process()
    for start in range(0, CONVERSATIONS, 20):
        route_conversations.delay(ids[start : start + 20])

    resolved = set()
    while len(resolved) < CONVERSATIONS:
        wait_for(lambda: sum(open_load().values()) >= min(AGENTS * CAPACITY, CONVERSATIONS - len(resolved)), 120, "assignments")
        load = open_load()
        assert max(load.values()) <= CAPACITY
        assert AgentProfile.objects.count() == AGENTS
        # The agents finish what they hold; each resolution frees room for the queue.
        for conversation_id in Conversation.objects.filter(status=Status.OPEN, assignee__isnull=False).values_list("pk", flat=True):
            resolve(conversation_id)
            resolved.add(conversation_id)

    assigned_events = Counter(ConversationEvent.objects.filter(kind="assigned").values_list("conversation_id", flat=True))
    assert len(assigned_events) == CONVERSATIONS
    assert set(assigned_events.values()) == {1}
    assert peak_load_from_the_audit_trail() <= CAPACITY
