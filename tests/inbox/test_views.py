"""The inbox pages: login, roles and teams decide what each person may open."""

import pytest

from agents.models import Role
from inbox.models import Message
from tests.factories import AgentFactory, ConversationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation():
    return ConversationFactory()


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/inbox/", "/inbox/rows/", "/inbox/c/1/"])
def test_every_inbox_page_requires_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_user_without_an_agent_profile_has_no_inbox(client):
    assert logged_in(client, UserFactory()).get("/inbox/").status_code == 403


def test_an_agent_sees_their_teams_conversations(client, conversation):
    agent = AgentFactory(teams=[conversation.team])
    response = logged_in(client, agent.user).get("/inbox/")
    assert response.status_code == 200
    assert f'id="conv-{conversation.pk}"' in response.text


def test_an_agent_does_not_see_another_teams_conversations(client, conversation):
    outsider = AgentFactory(teams=[TeamFactory()])
    client = logged_in(client, outsider.user)
    assert f'id="conv-{conversation.pk}"' not in client.get("/inbox/").text
    assert client.get(f"/inbox/c/{conversation.pk}/").status_code == 404


def test_an_agent_of_another_team_cannot_reply(client, conversation):
    outsider = AgentFactory(teams=[TeamFactory()])
    response = logged_in(client, outsider.user).post(f"/inbox/c/{conversation.pk}/reply/", {"text": "hi"})
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_an_agent_sees_a_conversation_assigned_to_them_outside_their_teams(client, conversation):
    agent = AgentFactory(teams=[TeamFactory()])
    conversation.assignee = agent.user
    conversation.save()
    assert logged_in(client, agent.user).get(f"/inbox/c/{conversation.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_see_every_conversation(client, conversation, role):
    boss = AgentFactory(role=role)
    assert logged_in(client, boss.user).get(f"/inbox/c/{conversation.pk}/").status_code == 200


def test_an_empty_reply_is_answered_with_the_reason(client, conversation):
    agent = AgentFactory(teams=[conversation.team])
    response = logged_in(client, agent.user).post(f"/inbox/c/{conversation.pk}/reply/", {"text": " "})
    assert response.status_code == 400
    assert "needs some text" in response.text


def test_the_reply_endpoint_only_takes_posts(client, conversation):
    agent = AgentFactory(teams=[conversation.team])
    assert logged_in(client, agent.user).get(f"/inbox/c/{conversation.pk}/reply/").status_code == 405


def test_an_action_from_the_page_answers_with_the_refreshed_conversation(client, conversation):
    agent = AgentFactory(teams=[conversation.team])
    response = logged_in(client, agent.user).post(
        f"/inbox/c/{conversation.pk}/resolve/", headers={"X-Fragment": "1"}
    )
    assert response.status_code == 200
    assert f'data-conversation="{conversation.pk}"' in response.text and "<html" not in response.text


def test_in_bulk_an_agent_does_not_hand_a_colleagues_conversation_to_a_third(client, conversation):
    agent, colleague, third = (AgentFactory(teams=[conversation.team]) for _ in range(3))
    conversation.assignee = colleague.user
    conversation.save()
    response = logged_in(client, agent.user).post(
        "/inbox/bulk/", {"conversation": conversation.pk, "action": "assign", "assignee": third.user_id}
    )
    assert response.status_code == 400
    conversation.refresh_from_db()
    assert conversation.assignee_id == colleague.user_id
