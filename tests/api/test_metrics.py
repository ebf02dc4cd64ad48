"""/api/metrics/: the dashboard's numbers for a period and filters (agents.metrics)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Delivery, Direction, Message, SLAState
from tests.api import client_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db
URL = "/api/metrics/"


def responded(conversation, seconds, on_time, first=True):
    """A reply the network accepted that stopped the clock after `seconds`."""
    Message.objects.create(
        conversation=conversation, channel=conversation.channel, direction=Direction.OUTBOUND, text="On it",
        delivery=Delivery.SENT, sent_at=timezone.now(), response_seconds=seconds, response_business_seconds=seconds,
        response_first=first, response_on_time=on_time,
    )


def test_metrics_summarise_responses_volume_and_the_backlog_now(supervisor, channel):
    answered = ConversationFactory(channel=channel)
    responded(answered, 600, True)
    responded(answered, 9000, False, first=False)
    waiting = ConversationFactory(
        channel=channel, waiting_since=timezone.now() - timedelta(hours=3), sla_state=SLAState.BREACHED
    )
    Message.objects.create(
        conversation=waiting, channel=channel, direction=Direction.INBOUND, text="Hello?", sent_at=timezone.now()
    )

    body = client_for(supervisor).get(URL, {"period": "today"}).json()

    assert body["period"]["name"] == "today" and body["period"]["first"] == body["period"]["last"]
    assert body["responses"]["all"]["count"] == 2 and body["responses"]["all"]["compliance"] == 50.0
    assert (body["responses"]["first"]["on_time"], body["responses"]["next"]["late"]) == (1, 1)
    assert body["volume"]["inbound"] == 1 and len(body["volume"]["days"]) == 1
    assert (body["now"]["waiting"], body["now"]["breached"]) == (1, 1)


def test_metrics_take_a_custom_range_of_days(supervisor):
    body = client_for(supervisor).get(URL, {"from": "2026-01-01", "to": "2026-01-07"}).json()
    assert (body["period"]["first"], body["period"]["last"]) == ("2026-01-01", "2026-01-07")
    assert len(body["volume"]["days"]) == 7


def test_metrics_filter_by_team(supervisor, team, other_team):
    responded(ConversationFactory(channel__default_team=team), 60, True)
    responded(ConversationFactory(channel__default_team=other_team), 60, True)
    body = client_for(supervisor).get(URL, {"period": "today", "team": other_team.pk}).json()
    assert body["responses"]["all"]["count"] == 1


def test_a_range_that_ends_before_it_starts_is_a_400(supervisor):
    response = client_for(supervisor).get(URL, {"from": "2026-01-07", "to": "2026-01-01"})
    assert response.status_code == 400 and "period ends" in response.json()["detail"]


def test_metrics_are_for_supervisors_and_admins(agent):
    assert client_for(agent).get(URL).status_code == 403


def test_metrics_count_responses_by_how_long_the_customer_waited(supervisor, channel):
    answered = ConversationFactory(channel=channel)
    responded(answered, 600, True)
    responded(answered, 9000, False, first=False)
    body = client_for(supervisor).get(URL, {"period": "today"}).json()
    waits = {bucket["up_to"]: (bucket["first"], bucket["next"]) for bucket in body["response_times"]}
    assert waits[900] == (1, 0) and waits[14400] == (0, 1) and waits[None] == (0, 0)


def test_the_wait_distribution_takes_a_time_basis_and_refuses_others(supervisor):
    assert client_for(supervisor).get(URL, {"time": "business"}).status_code == 200
    response = client_for(supervisor).get(URL, {"time": "lunar"})
    assert response.status_code == 400 and "time" in response.json()["detail"]
