"""The admin settings screens under /settings/: who may use them, what each one saves,
that channel secrets are write-only, and that every change leaves an audit row."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection

from agents.crisis import thresholds
from agents.models import AgentProfile, Presence, Role, RoutingRule, SettingsChange, Team
from connectors.models import Channel, Health
from inbox import business_time, sla
from inbox.models import BusinessCalendar, CannedResponse, Conversation, Label, Message, Priority, SLAPolicy
from tests.factories import AgentFactory, ChannelFactory, ConversationFactory, TeamFactory, UserFactory
from tests.fakes.discourse import API_KEY, API_USERNAME, FakeDiscourse

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-Token-that-must-never-leak-9f2b"


# ------------------------------------------------------------------ personas and helpers


@pytest.fixture
def admin(client):
    profile = AgentFactory(role=Role.ADMIN)
    client.force_login(profile.user)
    return profile.user


def persona(client, role):
    profile = AgentFactory(role=role, teams=[TeamFactory()])
    client.force_login(profile.user)
    return profile.user


def twitter_post(**overrides):
    data = {
        "name": "Acme on X",
        "api_base_url": "",
        "poll_interval": "60",
        "default_team": "",
        "cred_consumer_key": "ck-123",
        "cred_consumer_secret": SECRET,
        "cred_access_token": "1234-at",
        "cred_access_token_secret": "ats-456",
        "cred_bearer_token": "",
        "user_id": "1234",
        "search_query": "acme -is:retweet",
        "direct_messages": "on",
        "brand_keywords": "acme, acme fibra",
        "crisis_window_minutes": "",
        "crisis_factor": "",
        "crisis_min_mentions": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def twitter_channel(admin_client, **overrides):
    response = admin_client.post("/settings/channels/new/twitter/", twitter_post(**overrides))
    assert response.status_code == 302, response.content.decode()
    return Channel.objects.get(name=twitter_post(**overrides)["name"])


def edit_post(channel, **overrides):
    """The edit form as the browser would send it back untouched (credentials empty)."""
    from agents.settings_forms import CHANNEL_FORMS

    form = CHANNEL_FORMS[channel.kind](channel=channel)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name.startswith("cred_") or name.startswith("remove_"):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def last_change(area):
    return SettingsChange.objects.filter(area=area).order_by("-pk").first()


# ------------------------------------------------------------------ roles

PAGES = [
    "/settings/",
    "/settings/channels/",
    "/settings/channels/new/twitter/",
    "/settings/channels/new/facebook/",
    "/settings/channels/new/discourse/",
    "/settings/channels/new/feed/",
    "/settings/channels/{channel}/",
    "/settings/teams/",
    "/settings/teams/{team}/",
    "/settings/agents/",
    "/settings/agents/invite/",
    "/settings/agents/{agent}/",
    "/settings/sla/",
    "/settings/sla/new/",
    "/settings/sla/{policy}/",
    "/settings/sla/{policy}/delete/",
    "/settings/calendars/",
    "/settings/calendars/new/",
    "/settings/calendars/{calendar}/",
    "/settings/calendars/{calendar}/delete/",
    "/settings/rules/",
    "/settings/rules/new/",
    "/settings/rules/{rule}/",
    "/settings/rules/{rule}/delete/",
    "/settings/canned/",
    "/settings/canned/new/",
    "/settings/canned/{canned}/",
    "/settings/canned/{canned}/delete/",
    "/settings/labels/",
    "/settings/labels/new/",
    "/settings/labels/{label}/",
    "/settings/labels/{label}/delete/",
    "/settings/audit/",
]


@pytest.fixture
def objects():
    team = TeamFactory()
    return {
        "channel": ChannelFactory(default_team=team).pk,
        "team": team.pk,
        "agent": AgentFactory(teams=[team]).user_id,
        "policy": SLAPolicy.objects.create(name="VIP", position=0).pk,
        "calendar": BusinessCalendar.objects.create(name="Madrid", time_zone="Europe/Madrid", hours={"0": [["09:00", "18:00"]]}).pk,
        "rule": RoutingRule.objects.create(name="Billing", keywords=["invoice"], set_team=team).pk,
        "canned": CannedResponse.objects.create(title="Hello", shortcut="hello-test", text_en="Hi", text_es="Hola").pk,
        "label": Label.objects.create(name="vip").pk,
    }


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, objects, url):
    response = client.get(url.format(**objects))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
def test_agents_are_refused_every_settings_page(client, objects, url):
    persona(client, Role.AGENT)
    assert client.get(url.format(**objects)).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_supervisors_are_refused_every_settings_page(client, objects, url):
    persona(client, Role.SUPERVISOR)
    assert client.get(url.format(**objects)).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_admins_open_every_settings_page(client, admin, objects, url):
    response = client.get(url.format(**objects), follow=True)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.text or url.endswith("audit/")


def test_a_supervisor_cannot_change_settings_by_posting(client, objects):
    persona(client, Role.SUPERVISOR)
    assert client.post(f"/settings/channels/{objects['channel']}/pause/").status_code == 403
    assert client.post("/settings/teams/", {"name": "Sneaky"}).status_code == 403
    assert Channel.objects.get(pk=objects["channel"]).enabled
    assert not Team.objects.filter(name="Sneaky").exists()


def test_every_form_control_has_a_label(client, admin, objects):
    for page in ["/settings/channels/new/twitter/", "/settings/agents/invite/", "/settings/calendars/new/", "/settings/rules/new/"]:
        html = client.get(page).text
        for control_id in _ids_of_controls(html):
            assert f'for="{control_id}"' in html or f'aria-labelledby="{control_id}' in html, (page, control_id)


def _ids_of_controls(html):
    import re

    controls = re.findall(r'<(?:input|select|textarea)\b[^>]*>', html)
    ids = []
    for control in controls:
        if 'type="hidden"' in control or 'type="checkbox"' in control and 'id="id_' not in control:
            continue
        found = re.search(r'\bid="([^"]+)"', control)
        if found and found.group(1).startswith("id_"):
            ids.append(found.group(1))
    return ids


# ------------------------------------------------------------------ channels: creating and editing


def test_an_admin_adds_an_x_channel_with_its_credentials_and_listening_settings(client, admin):
    team = TeamFactory()
    channel = twitter_channel(client, default_team=str(team.pk), poll_interval="120")
    assert channel.kind == "twitter"
    assert channel.default_team == team and channel.poll_interval == 120
    assert channel.credentials == {
        "consumer_key": "ck-123", "consumer_secret": SECRET, "access_token": "1234-at", "access_token_secret": "ats-456",
    }  # fmt: skip
    assert channel.listening == {
        "user_id": "1234", "search_query": "acme -is:retweet", "direct_messages": True, "brand_keywords": ["acme", "acme fibra"],
    }  # fmt: skip


def test_an_x_channel_needs_its_user_credentials_when_added(client, admin):
    response = client.post("/settings/channels/new/twitter/", twitter_post(cred_access_token=""))
    assert response.status_code == 200
    assert not Channel.objects.exists()
    assert "This field is required." in response.text


def test_an_admin_adds_a_facebook_page_with_messenger_off(client, admin):
    response = client.post(
        "/settings/channels/new/facebook/",
        {"name": "Acme Page", "poll_interval": "60", "cred_page_access_token": SECRET, "cred_app_secret": "app-secret",
         "cred_verify_token": "", "page_id": "1122334455", "graph_version": "v25.0",
         "visitor_posts": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    channel = Channel.objects.get(kind="facebook")
    assert channel.credentials == {"page_access_token": SECRET, "app_secret": "app-secret"}
    assert channel.listening == {"page_id": "1122334455", "messenger": False, "visitor_posts": True, "graph_version": "v25.0"}


def test_an_admin_adds_a_discourse_forum_with_categories_and_a_search(client, admin):
    response = client.post(
        "/settings/channels/new/discourse/",
        {"name": "Community", "api_base_url": "https://forum.example.com", "poll_interval": "30",
         "cred_api_key": SECRET, "cred_api_username": "acme_support", "cred_webhook_secret": "hook",
         "search_query": "acme", "categories": "support, billing/7"},
    )  # fmt: skip
    assert response.status_code == 302
    channel = Channel.objects.get(kind="discourse")
    assert channel.api_base_url == "https://forum.example.com"
    assert channel.credentials == {"api_key": SECRET, "api_username": "acme_support", "webhook_secret": "hook"}
    assert channel.listening == {"search_query": "acme", "categories": ["support", "billing/7"], "watch_latest": False}


def test_a_discourse_forum_needs_its_address_and_something_to_listen_to(client, admin):
    response = client.post(
        "/settings/channels/new/discourse/",
        {"name": "Community", "poll_interval": "30", "cred_api_key": "k", "cred_api_username": "u"},
    )
    assert response.status_code == 200
    assert "Listen to something: a search, some categories or every new post." in response.text
    assert not Channel.objects.exists()


def test_an_admin_adds_a_feed_with_keywords(client, admin):
    response = client.post(
        "/settings/channels/new/feed/",
        {"name": "Blog", "poll_interval": "300", "url": "https://blog.example.com/feed.xml", "keywords": "acme, outage"},
    )
    assert response.status_code == 302
    channel = Channel.objects.get(kind="feed")
    assert channel.credentials == {}
    assert channel.listening == {"url": "https://blog.example.com/feed.xml", "keywords": ["acme", "outage"]}


def test_editing_a_channel_changes_its_settings_and_keeps_listening_keys_the_form_does_not_show(client, admin):
    channel = ChannelFactory(
        kind="facebook", credentials={"page_access_token": SECRET, "app_secret": "a"},
        listening={"page_id": "1", "messenger": True, "comment_window_days": 3},
    )  # fmt: skip
    response = client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, name="Renamed", page_id="2", messenger=None))
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Renamed"
    assert channel.listening == {"page_id": "2", "messenger": False, "visitor_posts": False, "comment_window_days": 3}


def test_a_credential_left_empty_keeps_its_stored_value(client, admin):
    channel = twitter_channel(client)
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, name="Still Acme"))
    channel.refresh_from_db()
    assert channel.name == "Still Acme"
    assert channel.credentials["consumer_secret"] == SECRET
    assert channel.credentials["consumer_key"] == "ck-123"


def test_a_typed_credential_replaces_the_stored_one(client, admin):
    channel = twitter_channel(client)
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, cred_consumer_secret="new-secret"))
    channel.refresh_from_db()
    assert channel.credentials["consumer_secret"] == "new-secret"
    assert channel.credentials["access_token"] == "1234-at"


def test_an_optional_credential_can_be_removed(client, admin):
    channel = twitter_channel(client, cred_bearer_token="bearer-1")
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, remove_bearer_token="on"))
    channel.refresh_from_db()
    assert "bearer_token" not in channel.credentials
    assert channel.credentials["consumer_secret"] == SECRET


def test_the_edit_page_says_which_credentials_are_set(client, admin):
    channel = twitter_channel(client)
    html = client.get(f"/settings/channels/{channel.pk}/").text
    assert html.count("Set. Leave empty to keep it; type to replace it.") == 4
    assert html.count("Not set.") == 1  # the bearer token


def test_a_secret_never_appears_in_any_settings_page(client, admin):
    response = client.post("/settings/channels/new/twitter/", twitter_post(), follow=True)
    channel = Channel.objects.get()
    pages = [response.text]
    pages.append(client.get(f"/settings/channels/{channel.pk}/").text)
    pages.append(client.get("/settings/channels/").text)
    pages.append(client.get("/settings/audit/").text)
    pages.append(client.post(f"/settings/channels/{channel.pk}/", edit_post(channel), follow=True).text)
    # A form sent back with an error must not echo the secret that was typed either.
    pages.append(client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, poll_interval="1", cred_consumer_secret="another-" + SECRET)).text)
    for html in pages:
        assert SECRET not in html
        assert "another-" not in html
    assert 'name="cred_consumer_secret"' in pages[1] and 'type="password"' in pages[1]


def test_the_database_holds_no_credential_in_clear_text(client, admin):
    twitter_channel(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials::text FROM connectors_channel")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored and "ck-123" not in stored and "ats-456" not in stored
    assert all(value.startswith("gAAAA") for value in json.loads(stored).values())  # Fernet tokens
    assert Channel.objects.get().credentials["consumer_secret"] == SECRET


# ------------------------------------------------------------------ channels: test connection, pause, resume, crisis


def test_test_connection_shows_the_connectors_error(client, admin, settings):
    settings.CONNECTOR_TIMEOUT = 0.5
    channel = ChannelFactory(
        kind="discourse", api_base_url="http://127.0.0.1:9", credentials={"api_key": SECRET, "api_username": "acme"},
        listening={"watch_latest": True},
    )  # fmt: skip
    response = client.post(f"/settings/channels/{channel.pk}/test/", follow=True)
    assert response.status_code == 200
    assert "Connection failed: Could not reach the forum" in response.text
    assert SECRET not in response.text


def test_test_connection_says_ok_when_the_forum_accepts_the_key(client, admin):
    with FakeDiscourse() as forum:
        channel = ChannelFactory(
            kind="discourse", api_base_url=forum.url, credentials={"api_key": API_KEY, "api_username": API_USERNAME},
            listening={"watch_latest": True},
        )  # fmt: skip
        response = client.post(f"/settings/channels/{channel.pk}/test/", follow=True)
    assert "Connection OK" in response.text


def test_test_connection_shows_the_forums_refusal_of_a_wrong_key(client, admin):
    with FakeDiscourse() as forum:
        channel = ChannelFactory(
            kind="discourse", api_base_url=forum.url, credentials={"api_key": "wrong", "api_username": API_USERNAME},
            listening={"watch_latest": True},
        )  # fmt: skip
        response = client.post(f"/settings/channels/{channel.pk}/test/", follow=True)
    assert "Connection failed: You are not permitted to view the requested resource." in response.text


def test_testing_a_connection_changes_nothing(client, admin, settings):
    settings.CONNECTOR_TIMEOUT = 0.5
    channel = ChannelFactory(kind="feed", api_base_url="http://127.0.0.1:9/feed.xml", listening={})
    client.post(f"/settings/channels/{channel.pk}/test/")
    channel.refresh_from_db()
    assert channel.health == Health.HEALTHY and channel.last_error == ""
    assert not SettingsChange.objects.exists()


def test_pausing_a_channel_stops_its_listening(client, admin):
    channel = ChannelFactory()
    response = client.post(f"/settings/channels/{channel.pk}/pause/")
    assert response.status_code == 302
    channel.refresh_from_db()
    assert not channel.enabled
    change = last_change("channel")
    assert (change.action, change.changes) == ("paused", {"enabled": [True, False]})


def test_resuming_a_channel_paused_by_a_permanent_error_listens_again(client, admin):
    channel = ChannelFactory(enabled=False, health=Health.PAUSED, consecutive_failures=3, last_error="401 Unauthorized")
    client.post(f"/settings/channels/{channel.pk}/resume/")
    channel.refresh_from_db()
    assert channel.enabled and channel.health == Health.HEALTHY and channel.consecutive_failures == 0
    change = last_change("channel")
    assert change.action == "resumed"
    assert change.changes == {"enabled": [False, True], "health": ["paused", "healthy"]}


def test_the_channel_list_shows_health_last_error_and_whether_it_listens(client, admin):
    ChannelFactory(name="Broken", health=Health.FAILING, last_error="Could not reach the forum", enabled=False)
    html = client.get("/settings/channels/").text
    assert "Broken" in html and "Failing" in html and "Could not reach the forum" in html and "Paused" in html


def test_crisis_thresholds_set_per_channel_are_the_ones_the_crisis_watch_uses(client, admin):
    channel = ChannelFactory()
    client.post(
        f"/settings/channels/{channel.pk}/",
        edit_post(channel, crisis_window_minutes="30", crisis_factor="2.5", crisis_min_mentions="4", brand_keywords="acme"),
    )
    channel.refresh_from_db()
    window, _baseline, factor, least = thresholds(channel)
    assert (window, factor, least) == (timedelta(minutes=30), 2.5, 4)
    assert channel.listening["brand_keywords"] == ["acme"]
    assert channel.listening["rate_per_minute"] == 60  # the demo's own setting is kept


def test_clearing_the_crisis_thresholds_returns_the_channel_to_the_site_defaults(client, admin, settings):
    channel = ChannelFactory(listening={"crisis": {"window_minutes": 30, "factor": 2, "min_mentions": 4}})
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, crisis_window_minutes="", crisis_factor="", crisis_min_mentions=""))
    channel.refresh_from_db()
    assert "crisis" not in channel.listening
    assert thresholds(channel)[0] == settings.CRISIS_WINDOW


# ------------------------------------------------------------------ teams and agents


def test_an_admin_creates_a_team(client, admin):
    client.post("/settings/teams/", {"name": "Billing"})
    team = Team.objects.get(name="Billing")
    change = last_change("team")
    assert (change.action, change.object_id, change.changes) == ("created", str(team.pk), {"name": [None, "Billing"]})


def test_an_admin_renames_a_team(client, admin):
    team = TeamFactory(name="Soporte")
    client.post(f"/settings/teams/{team.pk}/", {"name": "Support"})
    team.refresh_from_db()
    assert team.name == "Support"
    assert last_change("team").changes == {"name": ["Soporte", "Support"]}


def test_two_teams_cannot_share_a_name(client, admin):
    TeamFactory(name="Billing")
    response = client.post("/settings/teams/", {"name": "Billing"})
    assert response.status_code == 200
    assert Team.objects.filter(name="Billing").count() == 1


def test_inviting_an_agent_creates_an_account_whose_password_is_shown_once(client, admin):
    team = TeamFactory()
    response = client.post(
        "/settings/agents/invite/",
        {"username": "dora", "email": "dora@example.com", "first_name": "Dora", "last_name": "Díaz", "password": "",
         "role": "agent", "teams": [team.pk], "capacity": "7", "language": "es", "time_zone": "Europe/Madrid"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password and password in response.text
    profile = AgentProfile.objects.get(user__username="dora")
    assert (profile.role, profile.capacity, profile.language, profile.time_zone) == ("agent", 7, "es", "Europe/Madrid")
    assert list(profile.teams.all()) == [team]
    assert profile.user.check_password(password)
    client.logout()
    assert client.login(username="dora", password=password)
    change = last_change("agent")
    assert change.action == "invited" and change.changes["password"] == ["not set", "set"]
    assert password not in json.dumps(change.changes)


def test_an_invited_admin_is_staff_so_they_hear_about_paused_channels(client, admin):
    client.post(
        "/settings/agents/invite/",
        {"username": "root2", "password": "a long and unusual passphrase 42", "role": "admin", "capacity": "0", "language": "en", "time_zone": "UTC"},
    )
    assert AgentProfile.objects.get(user__username="root2").user.is_staff


def test_an_unknown_time_zone_is_refused_for_an_agent(client, admin):
    response = client.post(
        "/settings/agents/invite/", {"username": "eve", "role": "agent", "capacity": "5", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert "is not a time zone" in response.text
    assert not AgentProfile.objects.filter(user__username="eve").exists()


def test_editing_an_agent_changes_role_teams_capacity_and_language(client, admin):
    old, new = TeamFactory(name="Old"), TeamFactory(name="New")
    agent = AgentFactory(teams=[old])
    response = client.post(
        f"/settings/agents/{agent.user_id}/",
        {"email": "", "first_name": "", "last_name": "", "role": "supervisor", "teams": [new.pk], "capacity": "9",
         "language": "es", "time_zone": "America/Mexico_City"},
    )  # fmt: skip
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.role, agent.capacity, agent.language, agent.time_zone) == ("supervisor", 9, "es", "America/Mexico_City")
    assert list(agent.teams.all()) == [new]
    changes = last_change("agent").changes
    assert changes["role"] == ["agent", "supervisor"] and changes["teams"] == [["Old"], ["New"]] and changes["capacity"] == [5, 9]


def test_an_admin_cannot_take_away_their_own_admin_role(client, admin):
    response = client.post(
        f"/settings/agents/{admin.pk}/",
        {"role": "agent", "capacity": "5", "language": "en", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert "You cannot take away your own admin role." in response.text
    assert AgentProfile.objects.get(user=admin).role == Role.ADMIN


def test_deactivating_an_agent_stops_their_log_in_and_returns_their_conversations_to_the_queue(client, admin):
    conversation = ConversationFactory()
    agent = AgentFactory(teams=[conversation.team], online=True)
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent.user)
    client.post(f"/settings/agents/{agent.user_id}/deactivate/")
    agent.refresh_from_db()
    agent.user.refresh_from_db()
    conversation.refresh_from_db()
    assert not agent.user.is_active and agent.presence == Presence.OFFLINE
    assert conversation.assignee is None and conversation.team == agent.teams.get()
    assert last_change("agent").changes == {"is_active": [True, False], "returned_conversations": [None, 1]}


def test_an_admin_cannot_deactivate_themselves(client, admin):
    client.post(f"/settings/agents/{admin.pk}/deactivate/")
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_agent_can_be_reactivated(client, admin):
    agent = AgentFactory(user=UserFactory(is_active=False))
    client.post(f"/settings/agents/{agent.user_id}/reactivate/")
    agent.user.refresh_from_db()
    assert agent.user.is_active


# ------------------------------------------------------------------ SLA policies and calendars


def sla_post(**overrides):
    data = {"name": "VIP", "team": "", "channel": "", "priority": "", "first_response_minutes": "30",
            "next_response_minutes": "60", "resolution_minutes": "", "warning_percent": "80", "calendar": "",
            "breach_escalate_to": ""}  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_creates_an_sla_policy_with_conditions_targets_and_breach_actions(client, admin):
    team, escalation = TeamFactory(), TeamFactory(name="Escalations")
    channel = ChannelFactory()
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="UTC", hours={"0": [["09:00", "17:00"]]})
    response = client.post(
        "/settings/sla/new/",
        sla_post(team=str(team.pk), channel=str(channel.pk), priority=str(Priority.HIGH), resolution_minutes="1440",
                 calendar=str(calendar.pk), breach_escalate_to=str(escalation.pk), breach_reassign="on"),
    )  # fmt: skip
    assert response.status_code == 302
    policy = SLAPolicy.objects.get(name="VIP")
    assert (policy.team, policy.channel, policy.priority, policy.calendar) == (team, channel, Priority.HIGH, calendar)
    assert policy.first_response_target == timedelta(minutes=30) and policy.next_response_target == timedelta(hours=1)
    assert policy.resolution_target == timedelta(days=1) and policy.warning_share == 0.8
    assert policy.breach_escalate_to == escalation and policy.breach_reassign
    assert last_change("sla_policy").changes["first_response_target"] == [None, "0:30:00"]


def test_sla_policies_are_ordered_and_can_be_moved(client, admin):
    client.post("/settings/sla/new/", sla_post(name="First"))
    client.post("/settings/sla/new/", sla_post(name="Second"))
    second = SLAPolicy.objects.get(name="Second")
    client.post(f"/settings/sla/{second.pk}/move/", {"direction": "up"})
    assert [p.name for p in SLAPolicy.objects.filter(is_default=False)] == ["Second", "First"]
    assert last_change("sla_policy").action == "moved"


def test_the_default_sla_policy_cannot_be_deleted(client, admin):
    default = sla.default_policy()
    client.post(f"/settings/sla/{default.pk}/delete/")
    assert SLAPolicy.objects.filter(pk=default.pk).exists()


def calendar_post(**overrides):
    data = {"name": "Madrid office", "time_zone": "Europe/Madrid", "holiday_country": "", "holiday_subdivision": "",
            "closed_dates": "", **{f"hours_{d}": "" for d in range(7)}}  # fmt: skip
    data.update(overrides)
    return data


def test_a_calendar_keeps_several_ranges_a_day_public_holidays_and_closed_dates(client, admin):
    response = client.post(
        "/settings/calendars/new/",
        calendar_post(hours_0="09:00-13:00, 14:00-18:00", hours_4="08:00-15:00", hours_5="22:00-24:00",
                      holiday_country="ES", holiday_subdivision="md", closed_dates="2025-12-24\n2025-12-31"),
    )  # fmt: skip
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours == {"0": [["09:00", "13:00"], ["14:00", "18:00"]], "4": [["08:00", "15:00"]], "5": [["22:00", "00:00"]]}
    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("ES", "MD")
    assert calendar.closed_dates == ["2025-12-24", "2025-12-31"]
    policy = SLAPolicy.objects.create(name="Office hours", calendar=calendar)
    assert isinstance(sla.calendar_of(policy), business_time.Calendar)
    assert date(date.today().year, 5, 2) in sla.calendar_of(policy).holidays  # Madrid's own holiday


def test_a_calendar_change_is_logged_with_its_hours_before_and_after(client, admin):
    client.post("/settings/calendars/new/", calendar_post(hours_0="09:00-17:00"))
    calendar = BusinessCalendar.objects.get()
    client.post(f"/settings/calendars/{calendar.pk}/", calendar_post(hours_0="08:00-16:00"))
    change = last_change("calendar")
    assert (change.action, change.object_id) == ("changed", str(calendar.pk))
    assert change.changes == {"hours": [{"0": [["09:00", "17:00"]]}, {"0": [["08:00", "16:00"]]}]}


def test_a_saved_calendar_shows_its_ranges_back_as_typed(client, admin):
    client.post("/settings/calendars/new/", calendar_post(hours_0="09:00-13:00, 14:00-18:00", hours_5="22:00-24:00"))
    html = client.get(f"/settings/calendars/{BusinessCalendar.objects.get().pk}/").text
    assert 'value="09:00-13:00, 14:00-18:00"' in html and 'value="22:00-24:00"' in html


def test_a_range_not_written_like_09_00_13_00_is_refused(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post(hours_0="9 to 5"))
    assert "“9 to 5” is not a range like 09:00-13:00." in response.text
    assert not BusinessCalendar.objects.exists()


def test_a_time_past_midnight_is_refused(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post(hours_0="09:00-25:00"))
    assert "is not a time of day" in response.text


def test_overlapping_ranges_are_refused(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post(hours_2="09:00-14:00, 13:00-18:00"))
    assert "ranges overlap on weekday 2" in response.text
    assert not BusinessCalendar.objects.exists()


def test_a_range_that_closes_before_it_opens_is_refused(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post(hours_0="18:00-09:00"))
    assert "closes before it opens" in response.text


def test_an_unknown_time_zone_is_refused_for_a_calendar(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post(time_zone="Europe/Atlantis", hours_0="09:00-17:00"))
    assert "“Europe/Atlantis” is not a time zone" in response.text
    assert not BusinessCalendar.objects.exists()


def test_a_calendar_without_any_opening_hours_is_refused(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post())
    assert "Give at least one opening range" in response.text


def test_an_unknown_holiday_region_is_refused(client, admin):
    response = client.post(
        "/settings/calendars/new/", calendar_post(hours_0="09:00-17:00", holiday_country="ES", holiday_subdivision="XX")
    )
    assert "Unknown region for ES" in response.text
    assert not BusinessCalendar.objects.exists()


def test_a_malformed_closed_date_is_refused(client, admin):
    response = client.post("/settings/calendars/new/", calendar_post(hours_0="09:00-17:00", closed_dates="24/12/2025"))
    assert "“24/12/2025” is not a date like 2025-12-24." in response.text


# ------------------------------------------------------------------ routing rules


def rule_post(**overrides):
    data = {"name": "Billing", "enabled": "on", "channel": "", "keywords": "", "pattern": "", "language": "",
            "sentiment": "", "min_followers": "", "contact_label": "", "visibility": "", "set_team": "",
            "set_priority": "", "assign_to": ""}  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_creates_a_rule_with_every_condition_and_action(client, admin):
    channel, team = ChannelFactory(), TeamFactory()
    vip, angry = Label.objects.create(name="vip"), Label.objects.create(name="angry")
    agent = AgentFactory(teams=[team])
    response = client.post(
        "/settings/rules/new/",
        rule_post(channel=str(channel.pk), keywords="factura, invoice", pattern=r"order\s*#?\d{5}", language="es",
                  sentiment="negative", min_followers="1000", verified_only="on", contact_label=str(vip.pk),
                  visibility="public", set_team=str(team.pk), set_priority=str(Priority.URGENT),
                  add_labels=[angry.pk], assign_to=str(agent.user_id)),
    )  # fmt: skip
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.channel, rule.keywords, rule.pattern, rule.language, rule.sentiment) == (
        channel, ["factura", "invoice"], r"order\s*#?\d{5}", "es", "negative"
    )
    assert (rule.min_followers, rule.verified_only, rule.contact_label, rule.visibility) == (1000, True, vip, "public")
    assert (rule.set_team, rule.set_priority, rule.assign_to) == (team, Priority.URGENT, agent.user)
    assert list(rule.add_labels.all()) == [angry]
    assert last_change("routing_rule").changes["add_labels"] == [None, ["angry"]]


def test_a_regular_expression_that_does_not_compile_is_refused(client, admin):
    team = TeamFactory()
    response = client.post("/settings/rules/new/", rule_post(pattern="order (#\\d+", set_team=str(team.pk)))
    assert response.status_code == 200
    assert "This regular expression does not compile" in response.text
    assert not RoutingRule.objects.exists()


def test_a_rule_without_any_action_is_refused(client, admin):
    response = client.post("/settings/rules/new/", rule_post(keywords="invoice"))
    assert "A rule needs at least one action" in response.text


def test_new_rules_go_last_and_moving_one_up_changes_the_order_routing_uses(client, admin):
    team = TeamFactory()
    for name in ("One", "Two", "Three"):
        client.post("/settings/rules/new/", rule_post(name=name, set_team=str(team.pk)))
    three = RoutingRule.objects.get(name="Three")
    client.post(f"/settings/rules/{three.pk}/move/", {"direction": "up"})
    assert [r.name for r in RoutingRule.objects.all()] == ["One", "Three", "Two"]
    change = last_change("routing_rule")
    assert (change.action, change.object_id, change.changes) == ("moved", str(three.pk), {"position": [2, 1]})


def test_moving_the_first_rule_up_leaves_the_order_alone(client, admin):
    first = RoutingRule.objects.create(name="First", position=0, set_priority=3)
    RoutingRule.objects.create(name="Second", position=1, set_priority=3)
    client.post(f"/settings/rules/{first.pk}/move/", {"direction": "up"})
    assert [r.name for r in RoutingRule.objects.all()] == ["First", "Second"]


def preview(client, **fields):
    data = {"text": "", "channel": "", "followers": "0", "language": ""}
    data.update(fields)
    return client.post("/settings/rules/preview/", {k: v for k, v in data.items() if v is not None})


def test_the_preview_shows_which_rules_fire_and_what_they_would_set(client, admin):
    billing, support = TeamFactory(name="Billing"), TeamFactory(name="Support")
    urgent = Label.objects.create(name="urgent")
    agent = AgentFactory(teams=[billing], user=UserFactory(username="bea"))
    RoutingRule.objects.create(name="Invoices", position=0, keywords=["factura"], set_team=billing, assign_to=agent.user)
    angry = RoutingRule.objects.create(name="Angry", position=1, sentiment="negative", set_priority=Priority.URGENT)
    angry.add_labels.set([urgent])
    RoutingRule.objects.create(name="English", position=2, language="en", set_team=support)
    response = preview(client, text="Me habéis cobrado dos veces la factura, es una vergüenza, estoy harto")
    result = response.context["preview"]
    assert result.language == "es" and result.sentiment.label == "negative"
    assert [(t.rule.name, t.fired) for t in result.trials] == [("Invoices", True), ("Angry", True), ("English", False)]
    assert (result.team, result.priority, result.labels, result.agent) == (billing, Priority.URGENT, [urgent], agent.user)
    assert 'id="preview-team">Billing' in response.text and "Urgent" in response.text and "bea" in response.text
    assert [str(label) for label in result.trials[2].failed] == ["language"]


def test_the_preview_falls_back_to_the_channels_default_team(client, admin):
    channel = ChannelFactory()
    RoutingRule.objects.create(name="Invoices", keywords=["invoice"], set_team=TeamFactory())
    result = preview(client, text="Where is my parcel?", channel=str(channel.pk)).context["preview"]
    assert result.team == channel.default_team


def test_the_preview_uses_the_language_the_network_reports_when_the_text_is_too_short(client, admin):
    team = TeamFactory()
    RoutingRule.objects.create(name="Spanish", language="es", set_team=team)
    result = preview(client, text="ok", language="es").context["preview"]
    assert result.language == "es" and result.team == team


def test_the_preview_skips_disabled_rules(client, admin):
    RoutingRule.objects.create(name="Off", enabled=False, keywords=["invoice"], set_team=TeamFactory())
    result = preview(client, text="invoice").context["preview"]
    assert result.trials == [] and result.team is None


def test_the_preview_writes_nothing(client, admin):
    channel = ChannelFactory()
    RoutingRule.objects.create(name="Invoices", keywords=["invoice"], set_team=TeamFactory())
    counts = [m.objects.count() for m in (Conversation, Message, SettingsChange, RoutingRule, Label)]
    preview(client, text="My invoice is wrong and I am furious", channel=str(channel.pk), followers="50000", verified="on")
    assert [m.objects.count() for m in (Conversation, Message, SettingsChange, RoutingRule, Label)] == counts


# ------------------------------------------------------------------ canned responses


def canned_post(**overrides):
    data = {"title": "Order late", "shortcut": "late", "text_es": "Hola {author_name}, soy {agent_name}.",
            "text_en": "Hi {author_name}, {agent_name} here."}  # fmt: skip
    data.update(overrides)
    return data


def test_an_admin_creates_a_canned_response_in_both_languages(client, admin):
    assert client.post("/settings/canned/new/", canned_post()).status_code == 302
    canned = CannedResponse.objects.get(shortcut="late")
    assert (canned.shortcut, canned.text_es, canned.text_en) == ("late", "Hola {author_name}, soy {agent_name}.", "Hi {author_name}, {agent_name} here.")
    assert last_change("canned_response").action == "created"


def test_an_admin_edits_a_canned_response(client, admin):
    canned = CannedResponse.objects.create(title="Late", shortcut="late", text_en="Sorry", text_es="Perdón")
    client.post(f"/settings/canned/{canned.pk}/", canned_post(title="Late order", text_en="Sorry, {author_name}"))
    canned.refresh_from_db()
    assert canned.title == "Late order" and canned.text_en == "Sorry, {author_name}"
    assert last_change("canned_response").changes["title"] == ["Late", "Late order"]


def test_an_admin_deletes_a_canned_response(client, admin):
    canned = CannedResponse.objects.create(title="Late", shortcut="late", text_en="Sorry", text_es="Perdón")
    client.post(f"/settings/canned/{canned.pk}/delete/")
    assert not CannedResponse.objects.filter(pk=canned.pk).exists()
    change = last_change("canned_response")
    assert (change.action, change.object_id, change.object_repr) == ("deleted", str(canned.pk), "Late")


def test_the_canned_responses_page_shows_the_variables(client, admin):
    html = client.get("/settings/canned/").text
    assert "{author_name}" in html and "{agent_name}" in html


def test_a_canned_response_with_an_unknown_variable_is_refused(client, admin):
    response = client.post("/settings/canned/new/", canned_post(text_en="Hi {customer}"))
    assert "Unknown variable {customer}" in response.text
    assert not CannedResponse.objects.filter(shortcut="late").exists()


def test_two_canned_responses_cannot_share_a_shortcut(client, admin):
    CannedResponse.objects.create(title="Late", shortcut="late", text_en="Sorry", text_es="Perdón")
    response = client.post("/settings/canned/new/", canned_post())
    assert "Canned response with this Shortcut already exists." in response.text
    assert CannedResponse.objects.get(shortcut="late").title == "Late"


# ------------------------------------------------------------------ audit log


def test_a_channel_change_is_logged_with_its_fields_and_only_set_or_replaced_for_secrets(client, admin):
    channel = twitter_channel(client)
    created = last_change("channel")
    assert (created.actor, created.area, created.action, created.object_id) == (admin, "channel", "created", str(channel.pk))
    assert created.changes["credentials.consumer_secret"] == ["not set", "set"]
    assert created.changes["listening.search_query"] == [None, "acme -is:retweet"]
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, poll_interval="90", cred_consumer_secret="rotated-" + SECRET))
    changed = last_change("channel")
    assert changed.action == "changed"
    assert changed.changes == {"poll_interval": [60, 90], "credentials.consumer_secret": ["set", "replaced"]}


def test_no_audit_row_holds_a_secret(client, admin):
    channel = twitter_channel(client)
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel, cred_consumer_secret="rotated-" + SECRET, remove_bearer_token="on"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes::text FROM agents_settingschange")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert SECRET not in stored and "ck-123" not in stored and "ats-456" not in stored


def test_saving_without_changes_logs_nothing(client, admin):
    channel = twitter_channel(client)
    before = SettingsChange.objects.count()
    client.post(f"/settings/channels/{channel.pk}/", edit_post(channel))
    assert SettingsChange.objects.count() == before


def test_the_audit_log_lists_changes_newest_first_and_filters_by_area(client, admin):
    client.post("/settings/teams/", {"name": "Billing"})
    client.post("/settings/canned/new/", canned_post())
    rows = client.get("/settings/audit/").text.partition("<tbody>")[2]
    assert rows.index("Order late") < rows.index("Billing")
    assert admin.username in rows
    filtered = client.get("/settings/audit/?area=team").text.partition("<tbody>")[2]
    assert "Billing" in filtered and "Order late" not in filtered


def one_to_delete(kind):
    """(url, model, pk) of a fresh setting of this kind."""
    if kind == "sla":
        made = SLAPolicy.objects.create(name="Gone soon", position=1)
    elif kind == "calendars":
        made = BusinessCalendar.objects.create(name="Gone soon", time_zone="UTC", hours={})
    elif kind == "rules":
        made = RoutingRule.objects.create(name="Gone soon")
    elif kind == "labels":
        made = Label.objects.create(name="Gone soon")
    else:
        made = CannedResponse.objects.create(title="Gone soon", text_en="Bye", text_es="Adiós")
    return f"/settings/{kind}/{made.pk}/delete/", type(made), made.pk


@pytest.mark.parametrize("kind", ["sla", "calendars", "rules", "canned", "labels"])
def test_a_deletion_asks_first_and_deletes_only_when_confirmed(client, admin, kind):
    url, model, pk = one_to_delete(kind)
    page = client.get(url)
    assert page.status_code == 200
    assert "Delete “Gone soon”?" in page.text and 'method="post"' in page.text
    assert model.objects.filter(pk=pk).exists()
    client.post(url)
    assert not model.objects.filter(pk=pk).exists()


# ------------------------------------------------------------------ labels


def test_an_admin_creates_a_label_with_a_colour(client, admin):
    assert client.post("/settings/labels/new/", {"name": "refund", "color": "#c62828"}).status_code == 302
    label = Label.objects.get(name="refund")
    assert label.color == "#c62828"
    assert last_change("label").action == "created"


def test_a_label_colour_is_a_hex_colour(client, admin):
    response = client.post("/settings/labels/new/", {"name": "refund", "color": "red; background: url(x)"})
    assert response.status_code == 200 and "six hexadecimal digits" in response.text
    assert not Label.objects.filter(name="refund").exists()


def test_renaming_a_label_keeps_it_on_its_conversations(client, admin):
    label = Label.objects.create(name="vip")
    ConversationFactory().labels.add(label)
    client.post(f"/settings/labels/{label.pk}/", {"name": "very important", "color": "#607d8b"})
    assert Conversation.objects.filter(labels__name="very important").count() == 1
    assert last_change("label").changes["name"] == ["vip", "very important"]


def test_the_label_list_says_how_many_conversations_carry_each(client, admin):
    label = Label.objects.create(name="vip")
    for _ in range(2):
        ConversationFactory().labels.add(label)
    page = client.get("/settings/labels/").text
    row = page[page.index(f'id="label-{label.pk}"') :]
    assert "<td>2</td>" in row[: row.index("</tr>")]


def test_a_label_a_routing_rule_condition_names_cannot_be_deleted(client, admin):
    label = Label.objects.create(name="vip")
    rule = RoutingRule.objects.create(name="VIPs first", contact_label=label)
    response = client.post(f"/settings/labels/{label.pk}/delete/", follow=True)
    assert "change or delete that rule first" in response.text
    assert Label.objects.filter(pk=label.pk).exists() and RoutingRule.objects.filter(pk=rule.pk).exists()
