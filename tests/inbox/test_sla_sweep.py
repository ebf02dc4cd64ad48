"""The SLA sweep: each warning and breach raised once, as its moment passes."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections

from inbox.actions import ingest, sweep_sla, wake_snoozed
from inbox.models import Conversation, ConversationEvent, Priority, SLAState, Status
from tests.factories import ChannelFactory, ConversationFactory, mention

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def waiting():
    with time_machine.travel(START, tick=False):
        ingest(ChannelFactory(), [mention("t1", at=START)], {})
    return Conversation.objects.get()


def raised(kind):
    return ConversationEvent.objects.filter(kind=kind).count()


def test_nothing_is_raised_before_the_warning_moment(waiting):
    assert sweep_sla(START + timedelta(minutes=89)) == {"breached": 0, "warning": 0, "woken": 0}


def test_the_warning_is_raised_once_at_its_moment(waiting):
    sweep_sla(START + timedelta(minutes=90))
    sweep_sla(START + timedelta(minutes=91))
    waiting.refresh_from_db()
    assert waiting.sla_state == SLAState.WARNING
    assert raised("sla_warning") == 1


def test_the_breach_is_raised_once_and_raises_the_priority(waiting):
    sweep_sla(START + timedelta(hours=2))
    sweep_sla(START + timedelta(hours=3))
    waiting.refresh_from_db()
    assert waiting.sla_state == SLAState.BREACHED
    assert waiting.priority == Priority.HIGH
    assert raised("sla_breached") == 1


def test_a_clock_that_jumped_past_both_moments_is_breached_without_a_late_warning(waiting):
    sweep_sla(START + timedelta(hours=5))
    assert (raised("sla_breached"), raised("sla_warning")) == (1, 0)


def test_the_breach_is_handed_to_the_breach_actions(waiting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sweep_sla(START + timedelta(hours=2))
    assert callbacks  # the event and agents.handle_breaches go out only after commit


def test_the_sweep_runs_often_enough_to_find_each_moment_within_30_seconds():
    assert settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["schedule"] <= timedelta(seconds=30)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_raise_each_warning_and_breach_exactly_once():
    channel = ChannelFactory()
    with time_machine.travel(START, tick=False):
        ingest(channel, [mention(f"t{i}", author=f"a{i}", at=START - timedelta(minutes=i)) for i in range(60)], {})
    # Customers who wrote 30 to 60 minutes before START are past their breach at
    # START + 90 min; the others are past their warning only.
    now = START + timedelta(minutes=90)
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        try:
            sweep_sla(now)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    breached = Conversation.objects.filter(sla_state=SLAState.BREACHED).count()
    warned = Conversation.objects.filter(sla_state=SLAState.WARNING).count()
    assert breached > 0 and warned > 0
    assert raised("sla_breached") == breached
    assert raised("sla_warning") == warned


def test_snoozed_conversations_wake_when_due_open_if_still_owed_an_answer():
    owed = ConversationFactory(status=Status.SNOOZED, snoozed_until=START, waiting_since=START - timedelta(hours=1))
    answered = ConversationFactory(status=Status.SNOOZED, snoozed_until=START)
    later = ConversationFactory(status=Status.SNOOZED, snoozed_until=START + timedelta(hours=1))
    assert wake_snoozed(START) == 2
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert (statuses[owed.pk], statuses[answered.pk], statuses[later.pk]) == (Status.OPEN, Status.PENDING, Status.SNOOZED)
    assert Conversation.objects.get(pk=owed.pk).snoozed_until is None
    woke = ConversationEvent.objects.filter(kind="woke").values_list("conversation_id", flat=True)
    assert sorted(woke) == sorted([owed.pk, answered.pk])
