"""/api/channels/: admins connect channels; credentials go in and never come out."""

import json

import pytest
from django.db import connection

from agents.models import SettingsChange
from connectors.models import Channel, Health
from tests.api import client_for
from tests.factories import ChannelFactory
from tests.fakes.discourse import INVALID_ACCESS, FakeDiscourse, channel_settings

pytestmark = pytest.mark.django_db
URL = "/api/channels/"
SECRET = "sk-live-7f3a9c1e-DO-NOT-LEAK"
OTHER_SECRET = "tok-2b8d-ALSO-PRIVATE"


def stored_credentials_columns() -> list[str]:
    """The credentials column exactly as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials::text FROM connectors_channel")
        return [row[0] for row in cursor.fetchall()]


def connect(client, **fields):
    body = {
        "kind": "twitter",
        "name": "Acme on X",
        "credentials": {"bearer_token": SECRET, "consumer_key": OTHER_SECRET},
        "listening": {"search_query": "@acme"},
        **fields,
    }
    return client.post(URL, body, format="json")


def test_an_admin_connects_a_channel_and_the_response_shows_which_credentials_are_set_but_no_value(admin, team):
    response = connect(client_for(admin), default_team=team.pk)
    assert response.status_code == 201
    body = response.json()
    assert body["credentials_set"] is True
    assert body["credential_keys"] == ["bearer_token", "consumer_key"]
    assert "credentials" not in body
    assert SECRET not in response.content.decode() and OTHER_SECRET not in response.content.decode()
    channel = Channel.objects.get(pk=body["id"])
    assert channel.credentials == {"bearer_token": SECRET, "consumer_key": OTHER_SECRET}
    assert (channel.kind, channel.default_team_id, channel.listening) == ("twitter", team.pk, {"search_query": "@acme"})


def test_credentials_sent_through_the_api_are_encrypted_in_the_database(admin):
    connect(client_for(admin))
    channel_id = Channel.objects.get().pk
    client_for(admin).patch(f"{URL}{channel_id}/", {"credentials": {"access_token": "at-SECRET-99"}}, format="json")
    (column,) = stored_credentials_columns()
    assert SECRET not in column and OTHER_SECRET not in column and "at-SECRET-99" not in column
    # Key names stay readable (the API shows them too); every value is a Fernet token.
    values = json.loads(column).values()
    assert len(values) == 3 and all(value.startswith("gAAAAA") for value in values)


def test_no_read_of_a_channel_shows_a_credential(admin):
    connect(client_for(admin))
    channel_id = Channel.objects.get().pk
    client = client_for(admin)
    for response in (client.get(URL), client.get(f"{URL}{channel_id}/")):
        assert response.status_code == 200
        assert SECRET not in response.content.decode() and OTHER_SECRET not in response.content.decode()
        assert '"credentials"' not in response.content.decode()


def test_an_update_replaces_given_credentials_removes_empty_ones_and_keeps_the_rest(admin):
    connect(client_for(admin))
    channel = Channel.objects.get()
    response = client_for(admin).patch(
        f"{URL}{channel.pk}/",
        {"credentials": {"bearer_token": "new-bearer", "consumer_key": None, "access_token": "at"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["credential_keys"] == ["access_token", "bearer_token"]
    assert "new-bearer" not in response.content.decode()
    channel.refresh_from_db()
    assert channel.credentials == {"bearer_token": "new-bearer", "access_token": "at"}


def test_an_update_of_other_settings_keeps_the_credentials(admin):
    connect(client_for(admin))
    channel = Channel.objects.get()
    response = client_for(admin).patch(f"{URL}{channel.pk}/", {"name": "Acme support on X", "poll_interval": 30}, format="json")
    assert response.status_code == 200
    channel.refresh_from_db()
    assert (channel.name, channel.poll_interval) == ("Acme support on X", 30)
    assert channel.credentials == {"bearer_token": SECRET, "consumer_key": OTHER_SECRET}


def test_creating_and_changing_a_channel_is_audited_with_secrets_only_as_set(admin):
    connect(client_for(admin))
    channel = Channel.objects.get()
    client_for(admin).patch(f"{URL}{channel.pk}/", {"credentials": {"bearer_token": "rotated"}, "name": "X"}, format="json")
    created, changed = SettingsChange.objects.filter(area="channel").order_by("created_at", "pk")
    assert (created.action, created.actor, created.object_id) == ("created", admin, str(channel.pk))
    assert created.changes["credentials.bearer_token"] == ["not set", "set"]
    assert changed.action == "changed"
    assert changed.changes["credentials.bearer_token"] == ["set", "replaced"]
    assert changed.changes["name"] == ["Acme on X", "X"]
    audit = json.dumps([created.changes, changed.changes])
    assert SECRET not in audit and OTHER_SECRET not in audit and "rotated" not in audit


def test_a_channels_kind_cannot_change(admin):
    channel = ChannelFactory()
    response = client_for(admin).patch(f"{URL}{channel.pk}/", {"kind": "facebook"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("kind:")


def test_an_unknown_kind_is_refused(admin):
    response = connect(client_for(admin), kind="myspace")
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_pause_stops_listening_and_is_audited(admin):
    channel = ChannelFactory()
    response = client_for(admin).post(f"{URL}{channel.pk}/pause/")
    assert response.status_code == 200 and response.json()["enabled"] is False
    channel.refresh_from_db()
    assert channel.enabled is False
    change = SettingsChange.objects.get(area="channel", action="paused")
    assert (change.actor, change.changes) == (admin, {"enabled": [True, False]})


def test_resume_listens_again_healthy_and_is_audited(admin):
    channel = ChannelFactory(enabled=False, health=Health.PAUSED, consecutive_failures=3)
    response = client_for(admin).post(f"{URL}{channel.pk}/resume/")
    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["health"]) == (True, "healthy")
    channel.refresh_from_db()
    assert (channel.enabled, channel.health, channel.consecutive_failures) == (True, Health.HEALTHY, 0)
    change = SettingsChange.objects.get(area="channel", action="resumed")
    assert change.changes == {"enabled": [False, True], "health": ["paused", "healthy"]}


@pytest.fixture
def forum():
    with FakeDiscourse() as fake:
        yield fake


def test_test_connection_answers_ok_when_the_network_accepts_the_credentials(admin, forum):
    channel = ChannelFactory(**channel_settings(forum))
    response = client_for(admin).post(f"{URL}{channel.pk}/test/")
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert forum.requests_to("GET", r"/session/current\.json")


def test_test_connection_is_a_400_with_the_networks_error_when_it_refuses(admin, forum):
    channel = ChannelFactory(**channel_settings(forum))
    forum.fail_next(403, INVALID_ACCESS)
    response = client_for(admin).post(f"{URL}{channel.pk}/test/")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("Connection failed:") and "not permitted" in detail
    assert "discourse-test-key" not in response.content.decode()
