"""/api/teams/ and /api/agents/: queues, and the people who answer them."""

import pytest
from django.utils import timezone

from agents.models import AgentProfile, Presence, SettingsChange, Team
from inbox.models import Status
from tests.api import client_for, results
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


# Teams


def test_everyone_with_an_agent_profile_lists_the_teams(agent, team, other_team):
    body = results(client_for(agent).get("/api/teams/"))
    assert [row["name"] for row in body] == ["Billing", "Support"]


def test_an_admin_creates_a_team_and_it_is_audited(admin):
    response = client_for(admin).post("/api/teams/", {"name": "Segundo nivel"}, format="json")
    assert response.status_code == 201
    team = Team.objects.get(pk=response.json()["id"])
    assert team.name == "Segundo nivel"
    assert SettingsChange.objects.filter(area="team", action="created", object_id=str(team.pk), actor=admin).exists()


def test_an_admin_renames_a_team(admin, team):
    response = client_for(admin).patch(f"/api/teams/{team.pk}/", {"name": "Soporte"}, format="json")
    assert (response.status_code, response.json()["name"]) == (200, "Soporte")
    team.refresh_from_db()
    assert team.name == "Soporte"


def test_a_team_name_is_unique(admin, team):
    response = client_for(admin).post("/api/teams/", {"name": "Support"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("name:")


# Agents


def test_supervisors_list_agents_with_presence_load_and_capacity(supervisor, agent, team):
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now(), capacity=4)
    ConversationFactory(channel__default_team=team, assignee=agent, status=Status.OPEN)
    ConversationFactory(channel__default_team=team, assignee=agent, status=Status.OPEN)
    ConversationFactory(channel__default_team=team, assignee=agent, status=Status.RESOLVED)
    rows = {row["username"]: row for row in results(client_for(supervisor).get("/api/agents/"))}
    ana = rows["ana"]
    assert (ana["id"], ana["presence"], ana["available"], ana["load"], ana["capacity"]) == (agent.pk, "online", True, 2, 4)
    assert ana["teams"] == [team.pk] and ana["role"] == "agent"


def test_the_agent_list_filters_by_team(supervisor, agent, outsider, other_team):
    rows = results(client_for(supervisor).get("/api/agents/", {"team": other_team.pk}))
    assert [row["username"] for row in rows] == ["carla", "sofia"]  # sofia supervises both teams


def test_a_supervisor_moves_an_agent_to_other_teams(supervisor, agent, team, other_team):
    response = client_for(supervisor).patch(f"/api/agents/{agent.pk}/", {"teams": [other_team.pk]}, format="json")
    assert response.status_code == 200 and response.json()["teams"] == [other_team.pk]
    assert list(agent.agent_profile.teams.all()) == [other_team]
    change = SettingsChange.objects.get(area="agent", action="teams changed")
    assert change.changes == {"teams": [[team.pk], [other_team.pk]]}


def test_a_supervisor_sets_an_agents_presence(supervisor, agent):
    response = client_for(supervisor).patch(f"/api/agents/{agent.pk}/", {"presence": "away"}, format="json")
    assert response.status_code == 200 and response.json()["presence"] == "away"


def test_an_agent_steps_away_and_comes_back(agent):
    client = client_for(agent)
    assert client.patch(f"/api/agents/{agent.pk}/", {"presence": "away"}, format="json").json()["presence"] == "away"
    assert client.patch(f"/api/agents/{agent.pk}/", {"presence": "online"}, format="json").json()["presence"] == "online"


def test_an_agent_cannot_move_themself_between_teams(agent, other_team):
    response = client_for(agent).patch(f"/api/agents/{agent.pk}/", {"teams": [other_team.pk]}, format="json")
    assert response.status_code == 403
    assert other_team not in agent.agent_profile.teams.all()


def test_offline_cannot_be_set_by_hand_and_the_error_says_why(supervisor, agent):
    response = client_for(supervisor).patch(f"/api/agents/{agent.pk}/", {"presence": "offline"}, format="json")
    assert response.status_code == 400 and response.json()["detail"].startswith("presence:")


def test_an_unknown_team_is_refused(supervisor, agent):
    response = client_for(supervisor).patch(f"/api/agents/{agent.pk}/", {"teams": [10**9]}, format="json")
    assert response.status_code == 400 and "teams" in response.json()["errors"]
