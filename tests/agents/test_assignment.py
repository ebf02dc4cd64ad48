"""Routing to the channel's team and assignment to an available agent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents import presence
from agents.actions import set_presence
from agents.assignment import reassign_unanswered, requeue_absent
from agents.models import Presence
from agents.routing import route
from inbox.models import Conversation, Status
from tests.factories import AgentFactory, ConversationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory()


def test_a_conversation_goes_to_the_channels_default_team(team):
    conversation = ConversationFactory(team=None, channel__default_team=team)
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.team == team
    assert conversation.events.filter(kind="routed").exists()


def test_the_online_agent_with_the_fewest_open_conversations_gets_it(team):
    busy = AgentFactory(online=True, teams=[team])
    free = AgentFactory(online=True, teams=[team])
    ConversationFactory(team=team, assignee=busy.user)
    conversation = ConversationFactory(team=team, channel__default_team=team)

    route(conversation.pk)

    conversation.refresh_from_db()
    assert conversation.assignee == free.user
    assert conversation.events.filter(kind="assigned").exists()


def test_ties_go_to_the_agent_who_waited_longest_since_an_assignment(team):
    recent = AgentFactory(online=True, teams=[team], last_assigned_at=timezone.now())
    waited = AgentFactory(online=True, teams=[team], last_assigned_at=timezone.now() - timedelta(hours=1))
    conversation = ConversationFactory(team=team)
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.assignee == waited.user != recent.user


def test_offline_away_and_silent_agents_get_nothing(team):
    AgentFactory(teams=[team], presence=Presence.OFFLINE)
    AgentFactory(teams=[team], presence=Presence.AWAY, last_seen_at=timezone.now())
    AgentFactory(teams=[team], presence=Presence.ONLINE, last_seen_at=timezone.now() - timedelta(hours=1))
    conversation = ConversationFactory(team=team)
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_agent_at_capacity_gets_nothing_and_the_conversation_waits(team):
    full = AgentFactory(online=True, teams=[team], capacity=1)
    ConversationFactory(team=team, assignee=full.user)
    conversation = ConversationFactory(team=team)
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_answered_conversations_do_not_count_against_capacity(team):
    agent = AgentFactory(online=True, teams=[team], capacity=1)
    ConversationFactory(team=team, assignee=agent.user, status=Status.PENDING)
    conversation = ConversationFactory(team=team)
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.assignee == agent.user


def test_an_agent_coming_online_takes_the_waiting_queue_most_urgent_first(team, django_capture_on_commit_callbacks):
    now = timezone.now()
    later = ConversationFactory(team=team, response_due_at=now + timedelta(hours=2))
    sooner = ConversationFactory(team=team, response_due_at=now + timedelta(minutes=5))
    agent = AgentFactory(teams=[team], capacity=1)

    with django_capture_on_commit_callbacks(execute=True):
        presence.connected(agent.user_id)

    assert Conversation.objects.get(pk=sooner.pk).assignee == agent.user
    assert Conversation.objects.get(pk=later.pk).assignee is None


def test_an_agent_stays_online_while_another_of_their_pages_is_open():
    agent = AgentFactory(user=UserFactory())
    presence.connected(agent.user_id)
    presence.connected(agent.user_id)
    presence.disconnected(agent.user_id)
    agent.refresh_from_db()
    assert agent.presence == Presence.ONLINE
    presence.disconnected(agent.user_id)
    agent.refresh_from_db()
    assert agent.presence == Presence.OFFLINE


def test_a_returning_author_goes_back_to_their_previous_agent(team):
    previous = AgentFactory(online=True, teams=[team])
    AgentFactory(online=True, teams=[team])  # idle, would win on load alone
    earlier = ConversationFactory(team=team, assignee=previous.user, status=Status.RESOLVED)
    ConversationFactory(team=team, assignee=previous.user)
    again = ConversationFactory(team=team, contact=earlier.contact, channel=earlier.channel)
    route(again.pk)
    again.refresh_from_db()
    assert again.assignee == previous.user


def test_a_returning_authors_previous_agent_when_away_does_not_get_it(team):
    previous = AgentFactory(teams=[team], presence=Presence.AWAY, last_seen_at=timezone.now())
    other = AgentFactory(online=True, teams=[team])
    earlier = ConversationFactory(team=team, assignee=previous.user, status=Status.RESOLVED)
    again = ConversationFactory(team=team, contact=earlier.contact, channel=earlier.channel)
    route(again.pk)
    again.refresh_from_db()
    assert again.assignee == other.user


def test_an_agent_gone_too_long_loses_open_conversations_to_the_queue(team, settings):
    settings.OFFLINE_REQUEUE_AFTER = timedelta(minutes=15)
    gone = AgentFactory(teams=[team], presence=Presence.OFFLINE, last_seen_at=timezone.now() - timedelta(minutes=20))
    here = AgentFactory(online=True, teams=[team])
    conversation = ConversationFactory(team=team, assignee=gone.user)
    assert requeue_absent() == 1
    conversation.refresh_from_db()
    assert conversation.assignee == here.user
    assert conversation.events.filter(kind="unassigned", data__reason="agent offline").exists()


def test_an_agent_away_for_a_moment_keeps_their_conversations(team, settings):
    settings.OFFLINE_REQUEUE_AFTER = timedelta(minutes=15)
    brief = AgentFactory(teams=[team], presence=Presence.OFFLINE, last_seen_at=timezone.now() - timedelta(minutes=5))
    conversation = ConversationFactory(team=team, assignee=brief.user)
    assert requeue_absent() == 0
    conversation.refresh_from_db()
    assert conversation.assignee == brief.user


def test_a_conversation_its_assignee_left_unanswered_goes_to_someone_else(team, settings):
    settings.UNANSWERED_REASSIGN_AFTER = timedelta(minutes=45)
    slow = AgentFactory(online=True, teams=[team])
    quick = AgentFactory(online=True, teams=[team])
    long_ago = timezone.now() - timedelta(hours=1)
    conversation = ConversationFactory(team=team, assignee=slow.user, assigned_at=long_ago, waiting_since=long_ago)
    assert reassign_unanswered() == 1
    conversation.refresh_from_db()
    assert conversation.assignee == quick.user


def test_an_agent_who_steps_away_gets_no_new_work_and_back_online_takes_the_queue(team, django_capture_on_commit_callbacks):
    agent = AgentFactory(online=True, teams=[team])
    set_presence(agent.user_id, Presence.AWAY)
    waiting = ConversationFactory(team=team)
    route(waiting.pk)
    assert Conversation.objects.get(pk=waiting.pk).assignee is None
    with django_capture_on_commit_callbacks(execute=True):
        set_presence(agent.user_id, Presence.ONLINE)
    assert Conversation.objects.get(pk=waiting.pk).assignee == agent.user
