"""Every page, tried by every persona: anonymous, an agent of the conversation's team, an
agent of another team, a supervisor and an admin. (The API has its own matrix in tests/api.)"""

import pytest

from agents.models import Role, RoutingRule
from inbox.models import Delivery, Direction, Message, SLAPolicy
from tests.factories import AgentFactory, ChannelFactory, ConversationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "agent", "other_agent", "supervisor", "admin"]
OK, LOGIN, FORBIDDEN, HIDDEN = "ok", "login", "forbidden", "hidden"
EVERYONE = dict(zip(PERSONAS, [LOGIN, OK, OK, OK, OK]))
TEAM_ONLY = dict(zip(PERSONAS, [LOGIN, OK, HIDDEN, OK, OK]))
SUPERVISORS = dict(zip(PERSONAS, [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK]))
ADMINS = dict(zip(PERSONAS, [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK]))

PAGES = [
    ("GET", "/account/password/", EVERYONE),
    ("GET", "/inbox/", EVERYONE),
    ("GET", "/inbox/rows/", EVERYONE),
    ("GET", "/inbox/?view=unassigned&q=router", EVERYONE),
    ("GET", "/inbox/c/{conversation}/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/reply/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/resolve/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/snooze/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/priority/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/labels/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/assign/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/escalate/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/reopen/", TEAM_ONLY),
    ("POST", "/inbox/c/{conversation}/m/{message}/retry/", TEAM_ONLY),
    ("POST", "/inbox/bulk/", EVERYONE),
    ("GET", "/supervisor/", SUPERVISORS),
    ("GET", "/supervisor/now/", SUPERVISORS),
    ("GET", "/supervisor/export/conversations.csv", SUPERVISORS),
    ("GET", "/supervisor/export/responses.csv", SUPERVISORS),
    ("POST", "/supervisor/reassign/", SUPERVISORS),
    ("POST", "/supervisor/agents/teams/", SUPERVISORS),
    ("POST", "/supervisor/agents/{agent}/presence/", SUPERVISORS),
    ("GET", "/settings/", ADMINS),
    ("GET", "/settings/channels/", ADMINS),
    ("GET", "/settings/channels/new/twitter/", ADMINS),
    ("GET", "/settings/channels/{channel}/", ADMINS),
    ("POST", "/settings/channels/{channel}/pause/", ADMINS),
    ("POST", "/settings/channels/{channel}/resume/", ADMINS),
    ("POST", "/settings/channels/{channel}/test/", ADMINS),
    ("GET", "/settings/teams/", ADMINS),
    ("GET", "/settings/agents/", ADMINS),
    ("GET", "/settings/agents/invite/", ADMINS),
    ("POST", "/settings/agents/{agent}/deactivate/", ADMINS),
    ("POST", "/settings/agents/{agent}/reactivate/", ADMINS),
    ("GET", "/settings/sla/", ADMINS),
    ("POST", "/settings/sla/{policy}/move/", ADMINS),
    ("GET", "/settings/calendars/", ADMINS),
    ("GET", "/settings/rules/", ADMINS),
    ("POST", "/settings/rules/{rule}/move/", ADMINS),
    ("POST", "/settings/rules/preview/", ADMINS),
    ("GET", "/settings/canned/", ADMINS),
    ("GET", "/settings/audit/", ADMINS),
]

FORMS = {
    "/reply/": {"text": "On it"},
    "/snooze/": {"until": "2099-01-01T10:00:00"},
    "/priority/": {"priority": "3"},
    "/labels/": {"labels": "vip"},
    "/assign/": {"assignee": "me"},
    "/escalate/": {"reason": "Needs tier two"},
    "/presence/": {"presence": "away"},
    "/move/": {"direction": "up"},
}


@pytest.fixture
def world():
    team = TeamFactory()
    channel = ChannelFactory(default_team=team)
    conversation = ConversationFactory(channel=channel, team=team)
    people = {
        "agent": AgentFactory(teams=[team]).user,
        "other_agent": AgentFactory(teams=[TeamFactory()]).user,
        "supervisor": AgentFactory(role=Role.SUPERVISOR).user,
        "admin": AgentFactory(role=Role.ADMIN, user=UserFactory(is_staff=True)).user,
    }
    failed = Message.objects.create(
        conversation=conversation, channel=channel, direction=Direction.OUTBOUND, text="On it", delivery=Delivery.FAILED
    )
    return {
        "conversation": conversation.pk, "channel": channel.pk, "agent": people["agent"].pk, "message": failed.pk,
        "policy": SLAPolicy.objects.create(name="VIP", position=1).pk,
        "rule": RoutingRule.objects.create(name="Billing", keywords=["invoice"]).pk,
        "people": people,
    }  # fmt: skip


def outcome(response):
    if response.status_code in (301, 302) and "/login/" in response.get("Location", ""):
        return LOGIN
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return HIDDEN
    if response.status_code < 400 or response.status_code == 400:
        return OK  # 400: allowed in, the form itself was refused
    return f"status {response.status_code}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method,path,expected", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_each_page_lets_in_exactly_the_roles_it_serves(client, world, method, path, expected, persona):
    if persona != "anonymous":
        client.force_login(world["people"][persona])
    url = path.format(**world)
    data = next((form for suffix, form in FORMS.items() if url.endswith(suffix)), {})
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert outcome(response) == expected[persona]
