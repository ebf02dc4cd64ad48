"""Crisis alerts: a burst of negative mentions raises one alert; usual traffic none."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from agents import crisis
from agents.models import CrisisAlert
from agents.routing import route_all
from inbox.actions import ingest
from inbox.models import Conversation
from tests.factories import ChannelFactory, mention

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("crisis_settings"),
]

NOW = timezone.now().replace(microsecond=0)
ANGRY = ["Your service is down AGAIN, this is a disgrace", "Worst outage ever, nobody answers, furious"]
CALM = ["Do you ship to Canada?", "Thanks, it works now!"]


@pytest.fixture
def crisis_settings():
    with override_settings(CRISIS_WINDOW=timedelta(minutes=15), CRISIS_BASELINE=timedelta(hours=24), CRISIS_FACTOR=3.0, CRISIS_MIN_MENTIONS=8):
        yield


@pytest.fixture
def channel():
    return ChannelFactory(listening={"brand_keywords": ["fibra"]})


def posts(channel, texts, start, every):
    """Mentions from different people, `every` apart, read by the routing step."""
    batch = [mention(text=text, author=f"p{start.timestamp()}-{i}", at=start + i * every) for i, text in enumerate(texts)]
    with time_machine.travel(start, tick=False):
        ingest(channel, batch, {})
    route_all(list(Conversation.objects.values_list("pk", flat=True)))


def usual_day(channel):
    """A day of ordinary traffic: a negative mention every half hour among calm ones."""
    start = NOW - timedelta(hours=24)
    posts(channel, [ANGRY[i % 2] if i % 3 == 0 else CALM[i % 2] for i in range(140)], start, timedelta(minutes=10))


def test_usual_traffic_raises_no_alert(channel):
    usual_day(channel)
    assert crisis.watch(NOW) == []


def test_a_burst_of_negative_mentions_raises_exactly_one_alert(channel):
    usual_day(channel)
    posts(channel, [ANGRY[i % 2] for i in range(20)], NOW - timedelta(minutes=10), timedelta(seconds=20))
    first = crisis.watch(NOW)
    again = crisis.watch(NOW + timedelta(minutes=1))
    assert len(first) == 1 and again == []
    alert = CrisisAlert.objects.get()
    assert alert.keyword == "" and alert.negative_count == 20
    assert len(alert.sample) == crisis.SAMPLE_SIZE


def test_a_burst_about_a_brand_keyword_raises_its_own_alert(channel):
    posts(channel, [f"La fibra no funciona otra vez, vergüenza {i}" for i in range(12)], NOW - timedelta(minutes=5), timedelta(seconds=10))
    crisis.watch(NOW)
    assert set(CrisisAlert.objects.values_list("keyword", flat=True)) == {"", "fibra"}


def test_the_alert_ends_when_the_burst_subsides(channel):
    posts(channel, [ANGRY[i % 2] for i in range(20)], NOW - timedelta(minutes=10), timedelta(seconds=20))
    crisis.watch(NOW)
    crisis.watch(NOW + timedelta(hours=1))
    assert CrisisAlert.objects.get().ended_at == NOW + timedelta(hours=1)
