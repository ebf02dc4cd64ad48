"""The supervisor dashboard: who may see it, what it shows, its actions and its exports."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents import metrics
from agents.dashboard import volume_chart
from agents.models import AgentProfile, CrisisAlert, Presence, Role, SettingsChange
from inbox.actions import resolve
from inbox.models import BusinessCalendar, Conversation, ConversationEvent, SLAPolicy, SLAState
from tests.agents.test_metrics import answers, on, place, writes
from tests.factories import AgentFactory, ChannelFactory, ConversationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
PAGES = ["/supervisor/", "/supervisor/now/", "/supervisor/export/conversations.csv", "/supervisor/export/responses.csv"]
ACTIONS = ["/supervisor/reassign/", "/supervisor/agents/teams/", "/supervisor/agents/1/presence/"]


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def supervisor():
    return AgentFactory(role=Role.SUPERVISOR).user


@pytest.fixture
def as_supervisor(client, supervisor):
    return logged_in(client, supervisor)


# --- Who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/supervisor/")


@pytest.mark.parametrize("url", ACTIONS)
def test_anonymous_visitors_cannot_act(client, url):
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", PAGES + ACTIONS)
def test_agents_are_refused(client, url):
    agent = AgentFactory(role=Role.AGENT).user
    client = logged_in(client, agent)
    response = client.post(url, {}) if url in ACTIONS else client.get(url)
    assert response.status_code == 403


def test_users_without_an_agent_profile_are_refused(client):
    assert logged_in(client, UserFactory()).get("/supervisor/").status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
@pytest.mark.parametrize("url", PAGES)
def test_supervisors_and_admins_see_every_page(client, role, url):
    response = logged_in(client, AgentFactory(role=role).user).get(url)
    assert response.status_code == 200


# --- What it shows ------------------------------------------------------------------------


@pytest.fixture
def waiting():
    """One customer waiting past the due time, one at risk, one on time."""
    team = TeamFactory(name="Soporte")
    channel = ChannelFactory(default_team=team)
    now = timezone.now()
    breached = ConversationFactory(
        channel=channel, team=team, waiting_since=now - timedelta(hours=3), response_due_at=now - timedelta(hours=1),
        sla_state=SLAState.BREACHED, preview="Still nothing",
    )
    at_risk = ConversationFactory(
        channel=channel, team=team, waiting_since=now - timedelta(minutes=100), response_due_at=now + timedelta(minutes=20),
        sla_state=SLAState.WARNING, preview="Hello?",
    )
    ConversationFactory(channel=channel, team=team, waiting_since=now, response_due_at=now + timedelta(hours=2))
    return breached, at_risk


def test_the_now_section_counts_and_lists_who_waits(as_supervisor, waiting):
    breached, at_risk = waiting
    page = as_supervisor.get("/supervisor/").text
    assert 'id="now-waiting">3<' in page
    assert 'id="now-breached">1<' in page
    assert 'id="now-at-risk">1<' in page
    assert 'id="now-unassigned">3<' in page
    assert f'href="/inbox/c/{breached.pk}/"' in page
    assert f'href="/inbox/c/{at_risk.pk}/"' in page
    assert "Soporte" in page


def test_the_now_fragment_is_the_now_section_alone(as_supervisor, waiting):
    breached, _at_risk = waiting
    response = as_supervisor.get("/supervisor/now/")
    assert 'id="breached-list"' in response.text
    assert f'data-conversation="{breached.pk}"' in response.text
    assert "<html" not in response.text


def test_text_from_the_network_is_escaped(as_supervisor, waiting):
    breached, _at_risk = waiting
    contact = breached.contact
    contact.handle = "<img src=x onerror=alert(1)>"
    contact.save()
    Conversation.objects.filter(pk=breached.pk).update(preview="<script>alert('owned')</script>")
    page = as_supervisor.get("/supervisor/").text
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in page


def test_each_agent_row_names_their_teams_and_can_be_ticked_for_a_move(as_supervisor):
    TeamFactory(name="Support")
    sales = TeamFactory(name="Sales")
    agent = AgentFactory(teams=[sales]).user
    page = as_supervisor.get("/supervisor/now/").text
    row = page[page.index(f'id="agent-{agent.pk}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="teams">Sales</td>' in row
    assert f'name="agent" value="{agent.pk}" form="move-agents"' in row
    assert 'id="move-agents"' in page and "> Support</label>" in page


def test_names_people_typed_are_escaped_in_the_actions(as_supervisor, waiting):
    TeamFactory(name="<b>Team</b>")
    AgentFactory(user__first_name="<i>Eve</i>", user__last_name="")
    page = as_supervisor.get("/supervisor/now/").text
    assert "<b>Team" not in page and "&lt;b&gt;Team&lt;/b&gt;" in page
    assert "<i>Eve" not in page and "&lt;i&gt;Eve&lt;/i&gt;" in page


def test_an_open_crisis_shows_a_banner(as_supervisor):
    channel = ChannelFactory(name="Brand on X")
    CrisisAlert.objects.create(channel=channel, started_at=timezone.now(), negative_count=42, usual_count=4)
    page = as_supervisor.get("/supervisor/").text
    assert 'class="crisis" role="alert"' in page
    assert "Crisis on Brand on X: 42 negative mentions" in page


def test_no_banner_once_the_crisis_ended(as_supervisor):
    now = timezone.now()
    CrisisAlert.objects.create(channel=ChannelFactory(), started_at=now, ended_at=now, negative_count=42, usual_count=4)
    assert 'class="crisis"' not in as_supervisor.get("/supervisor/").text


@pytest.fixture
def office_hours():
    calendar = BusinessCalendar.objects.create(
        name="Office", time_zone="UTC", hours={str(day): [["09:00", "13:00"], ["14:00", "18:00"]] for day in range(5)}
    )
    SLAPolicy.objects.update(is_default=False)
    return SLAPolicy.objects.create(name="Office hours", calendar=calendar, is_default=True)


@pytest.fixture
def answered(office_hours):
    """Mon 12:30 → 14:30 (7200 s, 3600 s in business hours), resolved 15:00; Tue 09:00 →
    09:10 (600 s both ways); Wed 10:00 still waiting."""
    team = TeamFactory(name="Soporte")
    channel = ChannelFactory(default_team=team, name="Demo brand")
    alice = AgentFactory(teams=[team], user__username="alice").user
    monday = writes(channel, at(2, 12, 30), "=HYPERLINK(1)", "a1")
    place(monday, team, alice)
    answers(monday, alice, at(2, 14, 30))
    on(at(2, 15), resolve, monday.pk, alice)
    tuesday = writes(channel, at(3, 9), "tuesday", "a2")
    place(tuesday, team, alice)
    answers(tuesday, alice, at(3, 9, 10))
    wednesday = writes(channel, at(4, 10), "wednesday", "a3")
    return monday, tuesday, wednesday


def period(first, last, **more):
    return {"period": "custom", "from": first.isoformat(), "to": last.isoformat(), **more}


def test_the_period_section_shows_compliance_volumes_and_times(as_supervisor, answered):
    page = as_supervisor.get("/supervisor/", period(date(2026, 3, 2), date(2026, 3, 8))).text
    assert 'id="compliance-first">100.0%' in page
    assert "2 of 2 responses" in page
    # Medians of 7200 and 600 s (calendar) and of 3600 and 600 s (business).
    assert "1h 5m" in page and "35m 0s" in page
    assert "<svg" in page and 'class="bar in"' in page


def test_an_invalid_custom_period_falls_back_to_today_and_says_why(as_supervisor):
    response = as_supervisor.get("/supervisor/", {"period": "custom", "from": "2026-03-09", "to": "2026-03-01"})
    assert response.status_code == 200
    assert "The period ends before it starts." in response.text


def test_the_page_reads_a_fixed_number_of_times_whatever_the_data(as_supervisor, waiting):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert as_supervisor.get("/supervisor/").status_code == 200
        return len(captured)

    before = queries()
    team = TeamFactory()
    for _ in range(3):
        AgentFactory(teams=[team])
        ConversationFactory(team=team, waiting_since=timezone.now(), sla_state=SLAState.BREACHED,
                            response_due_at=timezone.now())
    assert queries() == before


# --- Actions ------------------------------------------------------------------------------


@pytest.fixture
def open_conversation():
    team = TeamFactory()
    return ConversationFactory(team=team, channel=ChannelFactory(default_team=team))


def test_a_supervisor_reassigns_a_conversation(as_supervisor, supervisor, open_conversation):
    agent = AgentFactory(teams=[open_conversation.team])
    response = as_supervisor.post(
        "/supervisor/reassign/",
        {"conversation": open_conversation.pk, "agent": agent.user_id, "next": "/supervisor/?period=7d"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/supervisor/?period=7d"
    open_conversation.refresh_from_db()
    assert open_conversation.assignee == agent.user
    event = ConversationEvent.objects.get(conversation=open_conversation, kind="assigned")
    assert event.actor == supervisor


def test_a_supervisor_returns_a_conversation_to_the_queue(as_supervisor, open_conversation):
    agent = AgentFactory(teams=[open_conversation.team])
    Conversation.objects.filter(pk=open_conversation.pk).update(assignee=agent.user)
    as_supervisor.post("/supervisor/reassign/", {"conversation": open_conversation.pk, "agent": ""})
    open_conversation.refresh_from_db()
    assert open_conversation.assignee is None


def test_a_resolved_conversation_cannot_be_reassigned(as_supervisor, open_conversation):
    resolve(open_conversation.pk)
    agent = AgentFactory(teams=[open_conversation.team])
    response = as_supervisor.post("/supervisor/reassign/", {"conversation": open_conversation.pk, "agent": agent.user_id}, follow=True)
    assert "A resolved conversation cannot be assigned." in response.text
    open_conversation.refresh_from_db()
    assert open_conversation.assignee is None


def test_a_supervisor_reassigns_several_conversations_at_once(as_supervisor, open_conversation):
    other = ConversationFactory(team=open_conversation.team, channel=open_conversation.channel)
    agent = AgentFactory(teams=[open_conversation.team])
    response = as_supervisor.post(
        "/supervisor/reassign/", {"conversation": [open_conversation.pk, other.pk], "agent": agent.user_id}, follow=True
    )
    assert f"#{open_conversation.pk}, #{other.pk} now go to" in response.text
    assert set(Conversation.objects.values_list("assignee", flat=True)) == {agent.user_id}


def test_reassigning_needs_real_conversations_and_agent(as_supervisor, open_conversation):
    assert as_supervisor.post("/supervisor/reassign/", {"conversation": 999999, "agent": ""}).status_code == 404
    response = as_supervisor.post("/supervisor/reassign/", {"conversation": open_conversation.pk, "agent": 999999})
    assert response.status_code == 400
    assert as_supervisor.post("/supervisor/reassign/", {"conversation": "x", "agent": ""}).status_code == 400
    assert as_supervisor.post("/supervisor/reassign/", {"agent": ""}).status_code == 400


def test_a_supervisor_moves_the_ticked_agents_to_other_teams(as_supervisor, supervisor):
    first, second, third = TeamFactory(), TeamFactory(), TeamFactory()
    agent, colleague = AgentFactory(teams=[first]), AgentFactory(teams=[first])
    response = as_supervisor.post(
        "/supervisor/agents/teams/", {"agent": [agent.user_id, colleague.user_id], "teams": [second.pk, third.pk]}
    )
    assert response.status_code == 302
    assert set(agent.teams.all()) == set(colleague.teams.all()) == {second, third}
    change = SettingsChange.objects.filter(object_id=str(agent.user_id)).get()
    assert (change.actor, change.changes) == (supervisor, {"teams": [[first.pk], sorted([second.pk, third.pk])]})


def test_moving_agents_needs_ticked_agents_and_existing_teams(as_supervisor):
    agent = AgentFactory()
    assert as_supervisor.post("/supervisor/agents/teams/", {"agent": agent.user_id, "teams": [999999]}).status_code == 400
    assert as_supervisor.post("/supervisor/agents/teams/", {"agent": 999999, "teams": []}).status_code == 400
    assert as_supervisor.post("/supervisor/agents/teams/", {"teams": []}).status_code == 400


@pytest.mark.parametrize("presence", [Presence.AWAY, Presence.ONLINE])
def test_a_supervisor_sets_an_agent_away_or_online(as_supervisor, presence):
    agent = AgentFactory(online=presence == Presence.AWAY)
    response = as_supervisor.post(f"/supervisor/agents/{agent.user_id}/presence/", {"presence": presence})
    assert response.status_code == 302
    assert AgentProfile.objects.get(pk=agent.pk).presence == presence


def test_offline_is_not_a_presence_a_supervisor_can_set(as_supervisor):
    agent = AgentFactory(online=True)
    response = as_supervisor.post(f"/supervisor/agents/{agent.user_id}/presence/", {"presence": Presence.OFFLINE})
    assert response.status_code == 400
    assert AgentProfile.objects.get(pk=agent.pk).presence == Presence.ONLINE


def test_actions_need_the_csrf_token(supervisor, open_conversation):
    client = logged_in(Client(enforce_csrf_checks=True), supervisor)
    response = client.post("/supervisor/reassign/", {"conversation": open_conversation.pk, "agent": ""})
    assert response.status_code == 403


def test_actions_only_go_back_to_the_dashboard(as_supervisor):
    agent = AgentFactory()
    response = as_supervisor.post(
        f"/supervisor/agents/{agent.user_id}/presence/", {"presence": "away", "next": "https://evil.example/supervisor/"}
    )
    assert response["Location"] == "/supervisor/"


# --- Exports ------------------------------------------------------------------------------


def rows_of(response):
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


CONVERSATION_HEADER = [
    "conversation_id", "url", "opened_at", "channel", "network", "team", "assignee", "customer_handle", "status",
    "priority", "sla_state", "escalation_level",
]


def test_the_conversation_export_has_one_row_per_conversation_opened_in_the_period(as_supervisor, answered):
    monday, tuesday, _wednesday = answered
    header, *rows = rows_of(as_supervisor.get("/supervisor/export/conversations.csv", period(date(2026, 3, 2), date(2026, 3, 3))))
    assert header == [
        *CONVERSATION_HEADER, "first_response_seconds_calendar", "last_response_seconds_calendar", "resolved_at",
        "resolution_seconds_calendar",
    ]
    assert [row[0] for row in rows] == [str(monday.pk), str(tuesday.pk)]
    first = dict(zip(header, rows[0]))
    assert first["url"] == f"http://testserver/inbox/c/{monday.pk}/"
    assert first["opened_at"] == "2026-03-02T12:30:00+00:00"
    assert (first["channel"], first["network"], first["team"], first["assignee"]) == ("Demo brand", "demo", "Soporte", "alice")
    assert first["customer_handle"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert (first["status"], first["sla_state"], first["first_response_seconds_calendar"]) == ("resolved", "met", "7200")
    assert (first["resolved_at"], first["resolution_seconds_calendar"]) == ("2026-03-02T15:00:00+00:00", "9000")
    second = dict(zip(header, rows[1]))
    assert (second["first_response_seconds_calendar"], second["resolved_at"], second["resolution_seconds_calendar"]) == ("600", "", "")


def test_the_conversation_export_in_business_time(as_supervisor, answered):
    header, *rows = rows_of(
        as_supervisor.get("/supervisor/export/conversations.csv", period(date(2026, 3, 2), date(2026, 3, 4), time="business"))
    )
    assert "first_response_seconds_business" in header and "first_response_seconds_calendar" not in header
    column = header.index("first_response_seconds_business")
    assert [row[column] for row in rows] == ["3600", "600", ""]


RESPONSE_HEADER = ["message_id", "conversation_id", "url", "answered_at", "agent", "team", "channel", "network", "kind"]


def test_the_response_export_has_one_row_per_response(as_supervisor, answered):
    monday, tuesday, _wednesday = answered
    header, *rows = rows_of(as_supervisor.get("/supervisor/export/responses.csv", period(date(2026, 3, 2), date(2026, 3, 8))))
    assert header == [*RESPONSE_HEADER, "response_seconds_calendar", "on_time"]
    records = [dict(zip(header, row)) for row in rows]
    assert [(r["conversation_id"], r["answered_at"], r["kind"], r["response_seconds_calendar"], r["on_time"]) for r in records] == [
        (str(monday.pk), "2026-03-02T14:30:00+00:00", "first", "7200", "yes"),
        (str(tuesday.pk), "2026-03-03T09:10:00+00:00", "first", "600", "yes"),
    ]
    assert records[0]["message_id"] == str(monday.messages.get(direction="out").pk)
    assert (records[0]["agent"], records[0]["team"], records[0]["network"]) == ("alice", "Soporte", "demo")


def test_the_response_export_honours_the_period_and_business_time(as_supervisor, answered):
    header, *rows = rows_of(
        as_supervisor.get("/supervisor/export/responses.csv", period(date(2026, 3, 2), date(2026, 3, 2), time="business"))
    )
    assert header[-2:] == ["response_seconds_business", "on_time"]
    assert [row[-2] for row in rows] == ["3600"]


def test_the_exports_honour_the_filters(as_supervisor, answered):
    other = TeamFactory()
    query = period(date(2026, 3, 2), date(2026, 3, 8), team=other.pk)
    assert len(rows_of(as_supervisor.get("/supervisor/export/responses.csv", query))) == 1  # the header only
    assert len(rows_of(as_supervisor.get("/supervisor/export/conversations.csv", query))) == 1


def test_the_exports_read_in_chunks(as_supervisor, answered, monkeypatch):
    from agents import dashboard

    monkeypatch.setattr(dashboard, "CHUNK", 1)
    rows = rows_of(as_supervisor.get("/supervisor/export/conversations.csv", period(date(2026, 3, 2), date(2026, 3, 4))))
    assert len(rows) == 4


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_exports_stream_asynchronously_under_asgi(async_client, answered):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(lambda: AgentFactory(role=Role.SUPERVISOR).user)()
    await async_client.aforce_login(user)
    response = await async_client.get("/supervisor/export/responses.csv", period(date(2026, 3, 2), date(2026, 3, 8)))
    assert response.status_code == 200
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    assert len(list(csv.reader(io.StringIO(body)))) == 3


@pytest.mark.parametrize(("most", "ticks"), [(0, ["0", "1", "2"]), (3, ["0", "2", "4"]), (31, ["0", "20", "40"]), (400, ["0", "200", "400"])])
def test_the_volume_chart_scale_ends_on_a_round_number_with_a_whole_middle_tick(most, ticks):
    days = [(date(2026, 3, 2), most, 0), (date(2026, 3, 3), 0, 1)]
    svg = str(volume_chart(metrics.Volume(most, 1, days)))
    assert re.findall(r'class="tick"[^>]*>([^<]*)</text>', svg) == ticks


def test_in_spanish_the_period_ends_hasta_and_the_open_count_is_plural(as_supervisor, supervisor):
    AgentProfile.objects.filter(user=supervisor).update(language="es")
    page = as_supervisor.get("/supervisor/").text
    assert "Hasta <input" in page and "Desde <input" in page
    assert '<span class="name">Abiertas</span>' in page


@pytest.mark.parametrize("summarised", [True, False])
def test_the_wait_distribution_follows_the_chosen_time_basis(answered, summarised, monkeypatch):
    """Monday's answer took 7200 s on the clock but 3600 s of office hours."""
    monkeypatch.setattr(metrics, "SUMMARISE_IN_DATABASE", summarised)
    monday = metrics.Period(date(2026, 3, 2), date(2026, 3, 2), ZoneInfo("UTC"))
    calendar = {b.up_to: b.first for b in metrics.replies(monday).waits if b.first}
    business = {b.up_to: b.first for b in metrics.replies(monday, basis="business").waits if b.first}
    assert (calendar, business) == ({7200: 1}, {3600: 1})


def test_the_page_draws_how_long_customers_waited(as_supervisor, answered):
    page = as_supervisor.get("/supervisor/", period(date(2026, 3, 2), date(2026, 3, 8))).text
    assert 'id="wait-title"' in page
    assert "<title>≤ 15 min · first responses: 1</title>" in page and "<title>≤ 2 h · first responses: 1</title>" in page
