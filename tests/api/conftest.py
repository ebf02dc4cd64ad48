"""The personas every API test meets: two teams, an agent of each, a supervisor, an admin,
and a channel with a conversation in the Support team's queue."""

import pytest

from agents.models import Role
from tests.factories import AgentFactory, ChannelFactory, ConversationFactory, TeamFactory


@pytest.fixture
def team():
    return TeamFactory(name="Support")


@pytest.fixture
def other_team():
    return TeamFactory(name="Billing")


@pytest.fixture
def agent(team):
    """An agent of the Support team (a user)."""
    return AgentFactory(teams=[team], user__username="ana").user


@pytest.fixture
def outsider(other_team):
    """An agent of another team."""
    return AgentFactory(teams=[other_team], user__username="carla").user


@pytest.fixture
def supervisor(team, other_team):
    return AgentFactory(role=Role.SUPERVISOR, teams=[team, other_team], user__username="sofia").user


@pytest.fixture
def admin():
    return AgentFactory(role=Role.ADMIN, user__username="admin").user


@pytest.fixture
def channel(team):
    return ChannelFactory(default_team=team, name="Demo brand")


@pytest.fixture
def conversation(channel):
    """A conversation in the Support team's queue."""
    return ConversationFactory(channel=channel)
