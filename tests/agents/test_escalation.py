"""Escalation by agents and on breach: level, reason, the receiving team's rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.escalation import escalate, handle_breach
from inbox.actions import InboxError, ingest
from inbox.models import Conversation, Priority, SLAPolicy
from inbox.sla import default_policy
from tests.factories import AgentFactory, ChannelFactory, TeamFactory, mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned():
    """A conversation of the first tier, assigned to one of its agents."""
    channel = ChannelFactory()
    agent = AgentFactory(online=True, teams=[channel.default_team])
    ingest(channel, [mention("t1", at=timezone.now() - timedelta(minutes=5))], {})
    conversation = Conversation.objects.get()
    conversation.assignee = agent.user
    conversation.team = channel.default_team
    conversation.save()
    return conversation


def test_escalating_to_another_team_moves_it_there_with_level_and_reason(assigned):
    second_tier = TeamFactory()
    escalate(assigned.pk, "Needs a network engineer", actor=assigned.assignee, to_team_id=second_tier.pk)
    assigned.refresh_from_db()
    assert (assigned.team, assigned.assignee, assigned.escalation_level) == (second_tier, None, 1)
    assert assigned.escalation_reason == "Needs a network engineer"
    event = assigned.events.get(kind="escalated")
    assert event.data == {"level": 1, "reason": "Needs a network engineer", "to_team": second_tier.pk}


def test_the_receiving_team_assigns_it_to_one_of_its_agents(assigned):
    second_tier = TeamFactory()
    expert = AgentFactory(online=True, teams=[second_tier])
    escalate(assigned.pk, "Needs an expert", to_team_id=second_tier.pk)
    assigned.refresh_from_db()
    assert assigned.assignee == expert.user


def test_the_receiving_teams_sla_policy_applies(assigned):
    second_tier = TeamFactory()
    policy = SLAPolicy.objects.create(name="Tier 2", team=second_tier, first_response_target=timedelta(hours=8))
    escalate(assigned.pk, "Complex case", to_team_id=second_tier.pk)
    assigned.refresh_from_db()
    assert assigned.sla_policy == policy
    assert assigned.response_due_at == assigned.waiting_since + timedelta(hours=8)


def test_escalating_to_the_supervisors_keeps_the_team_and_raises_the_priority(assigned):
    escalate(assigned.pk, "Customer threatens legal action")
    assigned.refresh_from_db()
    assert (assigned.escalation_level, assigned.priority) == (1, Priority.HIGH)


def test_each_escalation_goes_one_level_up(assigned):
    escalate(assigned.pk, "first")
    escalate(assigned.pk, "second")
    assigned.refresh_from_db()
    assert assigned.escalation_level == 2


def test_an_escalation_needs_a_reason(assigned):
    with pytest.raises(InboxError):
        escalate(assigned.pk, "  ")


def test_a_breach_escalates_when_the_policy_says_so(assigned):
    second_tier = TeamFactory()
    SLAPolicy.objects.filter(pk=default_policy().pk).update(breach_escalate_to=second_tier)
    Conversation.objects.filter(pk=assigned.pk).update(sla_policy=default_policy())
    handle_breach(assigned.pk)
    assigned.refresh_from_db()
    assert (assigned.team, assigned.escalation_level, assigned.escalation_reason) == (second_tier, 1, "SLA breached")


def test_a_breach_reassigns_when_the_policy_says_so(assigned):
    colleague = AgentFactory(online=True, teams=[assigned.team])
    SLAPolicy.objects.filter(pk=default_policy().pk).update(breach_reassign=True)
    Conversation.objects.filter(pk=assigned.pk).update(sla_policy=default_policy())
    handle_breach(assigned.pk)
    assigned.refresh_from_db()
    assert assigned.assignee == colleague.user
