"""The SLA clock with frozen time: when each wait starts and stops, and how it is measured."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inbox import actions
from inbox.actions import ingest, mark_delivered, reply
from inbox.models import BusinessCalendar, Conversation, SLAPolicy, SLAState, Status, Visibility
from inbox.sla import default_policy
from tests.factories import AgentFactory, ChannelFactory, mention

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MADRID = ZoneInfo("Europe/Madrid")
MONDAY_TO_FRIDAY = {str(day): [["09:00", "13:00"], ["14:00", "18:00"]] for day in range(5)}


def at(*args, zone=UTC):
    return datetime(*args, tzinfo=zone)


@pytest.fixture
def channel():
    return ChannelFactory()


@pytest.fixture
def agent():
    return AgentFactory().user


def customer_writes(channel, when, external_id="t1", **fields):
    with time_machine.travel(when, tick=False):
        ingest(channel, [mention(external_id, author="customer", at=when, **fields)], {})
    return Conversation.objects.get(contact__platform_id="customer", channel=channel)


def answered(conversation, agent, accepted_at, text="On it"):
    message = reply(conversation.pk, agent, text)
    with time_machine.travel(accepted_at, tick=False):
        mark_delivered(message.pk, f"x-{message.pk}", accepted_at)
    conversation.refresh_from_db()
    message.refresh_from_db()
    return message


def business_policy(zone, **fields):
    calendar = BusinessCalendar.objects.create(
        name="Office", time_zone=zone, hours=MONDAY_TO_FRIDAY, holiday_country="", closed_dates=fields.pop("closed", [])
    )
    SLAPolicy.objects.update(is_default=False)
    return SLAPolicy.objects.create(name="Business hours", calendar=calendar, is_default=True, **fields)


def test_the_first_response_is_due_two_hours_after_the_first_message(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    assert conversation.response_due_at == at(2026, 3, 2, 12, 0)
    message = answered(conversation, agent, at(2026, 3, 2, 10, 30))
    assert (message.response_seconds, conversation.first_response_seconds) == (1800, 1800)
    assert conversation.sla_state == SLAState.MET


def test_the_next_response_is_measured_against_the_next_response_target(channel, agent):
    SLAPolicy.objects.filter(pk=default_policy().pk).update(next_response_target=timedelta(hours=1))
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    answered(conversation, agent, at(2026, 3, 2, 10, 30))
    conversation = customer_writes(channel, at(2026, 3, 2, 11, 0), external_id="t2")
    assert conversation.response_due_at == at(2026, 3, 2, 12, 0)
    message = answered(conversation, agent, at(2026, 3, 2, 11, 20))
    assert message.response_seconds == 1200
    assert (conversation.first_response_seconds, conversation.last_response_seconds) == (1800, 1200)


def test_a_reply_accepted_late_by_the_network_counts_when_accepted(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    with time_machine.travel(at(2026, 3, 2, 11, 50), tick=False):
        message = reply(conversation.pk, agent, "Sent in time, accepted late")
    with time_machine.travel(at(2026, 3, 2, 12, 5), tick=False):
        mark_delivered(message.pk, "x-1", at(2026, 3, 2, 12, 5))
    conversation.refresh_from_db()
    assert conversation.first_response_seconds == 2 * 3600 + 300
    assert conversation.sla_state == SLAState.BREACHED


def test_each_reply_that_stops_the_clock_records_whether_it_was_first_and_on_time(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    first = answered(conversation, agent, at(2026, 3, 2, 12, 30))
    customer_writes(channel, at(2026, 3, 2, 13, 0), external_id="t2")
    following = answered(conversation, agent, at(2026, 3, 2, 13, 10))
    assert (first.response_first, first.response_on_time) == (True, False)
    assert (following.response_first, following.response_on_time) == (False, True)


def test_a_reply_sent_while_no_clock_runs_is_not_a_response(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    answered(conversation, agent, at(2026, 3, 2, 10, 30))
    follow_up = answered(conversation, agent, at(2026, 3, 2, 10, 40), text="One more thing")
    assert (follow_up.response_seconds, follow_up.response_first, follow_up.response_on_time) == (None, None, None)


def test_a_note_leaves_the_clock_running(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    reply(conversation.pk, agent, "Asking billing", Visibility.NOTE)
    conversation.refresh_from_db()
    assert conversation.waiting_since == at(2026, 3, 2, 10, 0)
    assert conversation.response_due_at == at(2026, 3, 2, 12, 0)


def test_a_pending_conversation_has_no_clock_until_the_customer_writes_again(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    answered(conversation, agent, at(2026, 3, 2, 10, 10))
    assert (conversation.status, conversation.waiting_since, conversation.response_due_at) == (Status.PENDING, None, None)
    conversation = customer_writes(channel, at(2026, 3, 2, 15, 0), external_id="t2")
    assert (conversation.status, conversation.waiting_since) == (Status.OPEN, at(2026, 3, 2, 15, 0))


def test_a_snoozed_conversation_keeps_its_clock_and_breaches(channel):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        actions.snooze(conversation.pk, at(2026, 3, 2, 15, 0))
    actions.sweep_sla(at(2026, 3, 2, 12, 0))
    conversation.refresh_from_db()
    assert (conversation.status, conversation.sla_state) == (Status.SNOOZED, SLAState.BREACHED)


def test_a_snoozed_conversation_returns_when_its_time_comes(channel):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        actions.snooze(conversation.pk, at(2026, 3, 2, 11, 0))
    actions.sweep_sla(at(2026, 3, 2, 10, 59))
    assert Conversation.objects.get().status == Status.SNOOZED
    actions.sweep_sla(at(2026, 3, 2, 11, 0))
    assert Conversation.objects.get().status == Status.OPEN


def test_resolving_stops_the_clock_for_good(channel):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    actions.resolve(conversation.pk)
    actions.sweep_sla(at(2026, 3, 3, 10, 0))
    conversation.refresh_from_db()
    assert (conversation.status, conversation.waiting_since, conversation.sla_state) == (Status.RESOLVED, None, SLAState.OK)


def test_reopening_starts_a_new_measurement_from_the_reopening(channel, agent):
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    answered(conversation, agent, at(2026, 3, 2, 10, 10))
    actions.resolve(conversation.pk)
    with time_machine.travel(at(2026, 3, 4, 9, 0), tick=False):
        actions.reopen(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.waiting_since == at(2026, 3, 4, 9, 0)
    assert conversation.response_due_at == at(2026, 3, 4, 11, 0)


def test_a_friday_evening_message_is_due_after_a_monday_holiday_in_business_hours(channel, agent):
    # Madrid, weekdays 9–13 and 14–18, Monday 2026-03-09 closed: Friday 17:30 leaves 30
    # minutes that day; the other 90 run from Tuesday 09:00.
    business_policy("Europe/Madrid", closed=["2026-03-09"])
    conversation = customer_writes(channel, at(2026, 3, 6, 17, 30, zone=MADRID))
    assert conversation.response_due_at == at(2026, 3, 10, 10, 30, zone=MADRID)
    assert conversation.warning_at == at(2026, 3, 10, 10, 0, zone=MADRID)  # 75 % of 2 h = 90 min
    message = answered(conversation, agent, at(2026, 3, 10, 10, 0, zone=MADRID))
    assert message.response_business_seconds == 90 * 60
    assert message.response_seconds == int((at(2026, 3, 10, 10, 0, zone=MADRID) - at(2026, 3, 6, 17, 30, zone=MADRID)).total_seconds())
    assert conversation.sla_state == SLAState.MET


def test_a_message_during_the_lunch_break_starts_counting_at_two(channel):
    business_policy("Europe/Madrid")
    conversation = customer_writes(channel, at(2026, 3, 4, 13, 20, zone=MADRID))
    assert conversation.response_due_at == at(2026, 3, 4, 16, 0, zone=MADRID)


def test_business_hours_follow_the_calendars_own_time_zone(channel):
    business_policy("America/Mexico_City")
    # 08:00 in Mexico City (UTC-6) is before opening: due at 11:00 local, 17:00 UTC.
    conversation = customer_writes(channel, at(2026, 3, 4, 14, 0))
    assert conversation.response_due_at == at(2026, 3, 4, 17, 0)


def test_the_warning_comes_at_the_policy_share_of_the_target(channel):
    SLAPolicy.objects.filter(pk=default_policy().pk).update(warning_share=0.5)
    conversation = customer_writes(channel, at(2026, 3, 2, 10, 0))
    assert conversation.warning_at == at(2026, 3, 2, 11, 0)


def test_public_holidays_come_from_the_calendars_country(channel):
    policy = business_policy("Europe/Madrid")
    BusinessCalendar.objects.filter(pk=policy.calendar_id).update(holiday_country="ES", holiday_subdivision="MD")
    # Monday 2026-01-05 17:30; Tuesday the 6th is Epiphany, a public holiday in Spain.
    conversation = customer_writes(channel, at(2026, 1, 5, 17, 30, zone=MADRID))
    assert conversation.response_due_at == at(2026, 1, 7, 10, 30, zone=MADRID)
