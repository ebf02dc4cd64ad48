"""The REST API. Shared personas and clients; test modules import the fixtures they use."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agents.models import Role
from tests.factories import AgentFactory, ChannelFactory, ConversationFactory, TeamFactory

# Test modules take everything with `from tests.api import *`: pytest finds fixtures by name
# in the module that uses them.
__all__ = [
    "client_for", "results", "ids",
    "team", "other_team", "agent", "outsider", "supervisor", "admin", "channel", "conversation",
]  # fmt: skip


def client_for(user=None) -> APIClient:
    """An API client sending the user's token (none: anonymous)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list:
    return [row["id"] for row in results(response)]


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
