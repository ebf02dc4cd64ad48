"""Every API endpoint, tried as each persona: the rules are the pages' rules.

An agent works on their team's conversations (another team's are a 404, as if they did
not exist); supervisors and admins see all; supervisors see and move agents; only admins
touch channels and change teams; nobody anonymous gets past a 401.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from inbox.models import Status
from tests.api import client_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "agent", "outsider", "supervisor", "admin"]

# (name, method, path, body, expected status for anonymous, agent, outsider, supervisor, admin)
# The agent is in the conversation's team; the outsider is an agent of another team.
MATRIX = [
    ("list conversations", "get", "/api/conversations/", None, (401, 200, 200, 200, 200)),
    ("read a conversation", "get", "/api/conversations/{conversation}/", None, (401, 200, 404, 200, 200)),
    ("assign", "post", "/api/conversations/{conversation}/assign/", {"assignee": "{agent}"}, (401, 200, 404, 200, 200)),
    ("escalate", "post", "/api/conversations/{conversation}/escalate/", {"reason": "VIP"}, (401, 200, 404, 200, 200)),
    ("snooze", "post", "/api/conversations/{conversation}/snooze/", {"until": "{tomorrow}"}, (401, 200, 404, 200, 200)),
    ("resolve", "post", "/api/conversations/{conversation}/resolve/", None, (401, 200, 404, 200, 200)),
    ("reopen", "post", "/api/conversations/{resolved}/reopen/", None, (401, 200, 404, 200, 200)),
    ("list messages", "get", "/api/conversations/{conversation}/messages/", None, (401, 200, 404, 200, 200)),
    ("reply", "post", "/api/conversations/{conversation}/reply/", {"text": "Hi!"}, (401, 201, 404, 201, 201)),
    ("note", "post", "/api/conversations/{conversation}/note/", {"text": "Hm"}, (401, 201, 404, 201, 201)),
    ("list contacts", "get", "/api/contacts/", None, (401, 200, 200, 200, 200)),
    ("read a contact", "get", "/api/contacts/{contact}/", None, (401, 200, 404, 200, 200)),
    ("list channels", "get", "/api/channels/", None, (401, 403, 403, 403, 200)),
    ("read a channel", "get", "/api/channels/{channel}/", None, (401, 403, 403, 403, 200)),
    ("create a channel", "post", "/api/channels/", {"kind": "demo", "name": "New"}, (401, 403, 403, 403, 201)),
    ("change a channel", "patch", "/api/channels/{channel}/", {"name": "Renamed"}, (401, 403, 403, 403, 200)),
    ("test a channel", "post", "/api/channels/{channel}/test/", None, (401, 403, 403, 403, 200)),
    ("pause a channel", "post", "/api/channels/{channel}/pause/", None, (401, 403, 403, 403, 200)),
    ("resume a channel", "post", "/api/channels/{channel}/resume/", None, (401, 403, 403, 403, 200)),
    ("list teams", "get", "/api/teams/", None, (401, 200, 200, 200, 200)),
    ("read a team", "get", "/api/teams/{team}/", None, (401, 200, 200, 200, 200)),
    ("create a team", "post", "/api/teams/", {"name": "Tier 2"}, (401, 403, 403, 403, 201)),
    ("rename a team", "patch", "/api/teams/{team}/", {"name": "Soporte"}, (401, 403, 403, 403, 200)),
    ("list agents", "get", "/api/agents/", None, (401, 403, 403, 200, 200)),
    ("read the agent", "get", "/api/agents/{agent}/", None, (401, 200, 403, 200, 200)),
    ("set the agent's presence", "patch", "/api/agents/{agent}/", {"presence": "away"}, (401, 200, 403, 200, 200)),
    ("move the agent", "patch", "/api/agents/{agent}/", {"teams": ["{team}"]}, (401, 403, 403, 200, 200)),
    ("metrics", "get", "/api/metrics/", None, (401, 403, 403, 200, 200)),
    ("schema", "get", "/api/schema/", None, (200, 200, 200, 200, 200)),
    ("docs", "get", "/api/docs/", None, (200, 200, 200, 200, 200)),
]

CASES = [
    pytest.param(method, path, body, persona, expected[i], id=f"{name} as {persona}")
    for name, method, path, body, expected in MATRIX
    for i, persona in enumerate(PERSONAS)
]


@pytest.fixture
def world(agent, outsider, supervisor, admin, team, channel, conversation):
    resolved = ConversationFactory(channel=channel, status=Status.RESOLVED)
    return SimpleNamespace(
        users={"anonymous": None, "agent": agent, "outsider": outsider, "supervisor": supervisor, "admin": admin},
        ids={
            "conversation": conversation.pk,
            "resolved": resolved.pk,
            "contact": conversation.contact_id,
            "channel": channel.pk,
            "team": team.pk,
            "agent": agent.pk,
            "tomorrow": (timezone.now() + timedelta(days=1)).isoformat(),
        },
    )


def filled(value, ids):
    """The table's placeholders ("{agent}") replaced with the world's ids."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [filled(item, ids) for item in value]
    return value


@pytest.mark.parametrize("method, path, body, persona, expected", CASES)
def test_role_matrix(world, method, path, body, persona, expected):
    client = client_for(world.users[persona])
    url = filled(path, world.ids)
    kwargs = {"data": filled(body, world.ids), "format": "json"} if body is not None else {}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == expected, response.content[:300]
