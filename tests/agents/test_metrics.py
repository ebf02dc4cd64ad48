"""Supervisor metrics on a hand-built week: every number is worked out by hand below.

The week (UTC, 24/7 policy, 2 h first and next response targets):

    C1 team A, alice   Mon 10:00 in · 10:30 answered (first, 1800 s, on time) · 10:40 note
                       10:45 escalated · 11:00 in · 11:20 answered (next, 1200 s, on time)
                       12:00 resolved (7200 s after it opened)
    C2 team A, alice   Mon 10:00 in · 12:00 breached · 13:00 answered (first, 10800 s, late)
                       16:00 resolved (21600 s)
    C3 team B, bob     Tue 09:00 in · 09:10 answered (first, 600 s, on time) · 10:00 resolved
                       Wed 09:00 reopened · 09:30 answered (next, 1800 s, on time) · 11:00 resolved
                       again (7200 s after the reopening)
    C4 team B, nobody  Thu 10:00 in · 10:10 reply queued, never delivered · 11:30 at risk
                       12:00 breached; still waiting
    C5 team B, bob     Thu 11:00 in (on X) · 12:30 at risk; still waiting
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from agents import metrics
from agents.escalation import escalate
from agents.models import AgentProfile, CrisisAlert
from inbox.actions import ingest, mark_delivered, reopen, reply, resolve, sweep_sla
from inbox.models import BusinessCalendar, Conversation, Message, SLAPolicy, Visibility
from tests.factories import AgentFactory, ChannelFactory, TeamFactory, mention

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MADRID = ZoneInfo("Europe/Madrid")
MON = date(2026, 3, 2)
WEEK = metrics.Period(MON, MON + timedelta(days=6), UTC)


def at(day, hour, minute=0, zone=UTC):
    return datetime(2026, 3, day, hour, minute, tzinfo=zone)


def writes(channel, when, author, external_id):
    with time_machine.travel(when, tick=False):
        ingest(channel, [mention(external_id, author=author, at=when)], {})
    return Conversation.objects.get(contact__platform_id=author, channel=channel)


def answers(conversation, user, when):
    with time_machine.travel(when - timedelta(minutes=1), tick=False):
        message = reply(conversation.pk, user, "On it")
    with time_machine.travel(when, tick=False):
        mark_delivered(message.pk, f"x-{message.pk}", when)
    return message


def sweep(when):
    with time_machine.travel(when, tick=False):
        sweep_sla(when)


def on(when, action, *args, **kwargs):
    with time_machine.travel(when, tick=False):
        return action(*args, **kwargs)


def place(conversation, team, assignee=None):
    Conversation.objects.filter(pk=conversation.pk).update(team=team, assignee=assignee)


def feel(conversation, *labels):
    for message, label in zip(conversation.messages.filter(direction="in").order_by("sent_at"), labels):
        Message.objects.filter(pk=message.pk).update(sentiment_label=label)


@pytest.fixture(params=["database", "python"])
def summarised(request, monkeypatch):
    """Medians from percentile_cont, and from the Python fallback the SQLite demo uses."""
    monkeypatch.setattr(metrics, "SUMMARISE_IN_DATABASE", request.param == "database")
    return request.param


@pytest.fixture
def week():
    team_a, team_b = TeamFactory(name="A"), TeamFactory(name="B")
    alice = AgentFactory(teams=[team_a], online=True).user
    bob = AgentFactory(teams=[team_b]).user
    demo = ChannelFactory(default_team=team_a)
    x = ChannelFactory(kind="twitter", default_team=team_b)

    c1 = writes(demo, at(2, 10), "c1", "c1-1")
    place(c1, team_a, alice)
    answers(c1, alice, at(2, 10, 30))
    on(at(2, 10, 40), reply, c1.pk, alice, "Checking the courier", Visibility.NOTE)
    on(at(2, 10, 45), escalate, c1.pk, "Courier lost it", actor=alice)
    writes(demo, at(2, 11), "c1", "c1-2")
    answers(c1, alice, at(2, 11, 20))
    on(at(2, 12), resolve, c1.pk, alice)

    c2 = writes(demo, at(2, 10), "c2", "c2-1")
    place(c2, team_a, alice)
    sweep(at(2, 12))
    answers(c2, alice, at(2, 13))
    on(at(2, 16), resolve, c2.pk, alice)

    c3 = writes(demo, at(3, 9), "c3", "c3-1")
    place(c3, team_b, bob)
    answers(c3, bob, at(3, 9, 10))
    on(at(3, 10), resolve, c3.pk, bob)
    on(at(4, 9), reopen, c3.pk, bob, now=at(4, 9))
    answers(c3, bob, at(4, 9, 30))
    on(at(4, 11), resolve, c3.pk, bob)

    c4 = writes(demo, at(5, 10), "c4", "c4-1")
    place(c4, team_b)
    on(at(5, 10, 10), reply, c4.pk, bob, "Looking")  # queued, never delivered
    c5 = writes(x, at(5, 11), "c5", "c5-1")
    place(c5, team_b, bob)
    sweep(at(5, 11, 30))
    sweep(at(5, 12))
    sweep(at(5, 12, 30))

    feel(c1, "negative", "neutral")
    feel(c2, "negative")
    feel(c3, "positive")
    return {
        "teams": (team_a, team_b), "alice": alice, "bob": bob, "demo": demo, "x": x,
        "c": {1: c1, 2: c2, 3: c3, 4: c4, 5: c5},
    }


# --- Periods ------------------------------------------------------------------------------


def test_named_periods_are_whole_local_days_ending_today():
    now = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # already Monday 9 March in Madrid
    today = metrics.Period.named("today", MADRID, now)
    assert (today.start, today.end) == (datetime(2026, 3, 9, tzinfo=MADRID), datetime(2026, 3, 10, tzinfo=MADRID))
    assert today.start.astimezone(UTC) == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    week = metrics.Period.named("7d", MADRID, now)
    assert (week.first, week.last) == (date(2026, 3, 3), date(2026, 3, 9))
    month = metrics.Period.named("30d", UTC, now)
    assert (month.first, month.last, len(month.days())) == (date(2026, 2, 7), date(2026, 3, 8), 30)


def test_a_custom_period_runs_from_the_first_local_midnight_to_the_one_after_the_last_day():
    period = metrics.Period(date(2026, 3, 28), date(2026, 3, 29), MADRID)  # clocks go forward on the 29th
    assert period.start == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_a_period_cannot_end_before_it_starts_or_last_over_a_year():
    with pytest.raises(ValueError):
        metrics.Period(date(2026, 3, 2), date(2026, 3, 1), UTC)
    with pytest.raises(ValueError):
        metrics.Period(date(2025, 1, 1), date(2026, 1, 2), UTC)


# --- Responses ----------------------------------------------------------------------------


def test_first_and_next_response_compliance_and_times(week, summarised):
    result = metrics.responses(WEEK)
    # First: 1800 (on time), 10800 (late), 600 (on time); p90 = 1800 + 0.8 × 9000.
    assert (result.first.count, result.first.on_time, result.first.late) == (3, 2, 1)
    assert result.first.compliance == pytest.approx(200 / 3)
    assert (result.first.median, result.first.p90) == (1800, 9000)
    # Next: 1200 and 1800, both on time; the reopened conversation's answer is a next response.
    assert (result.next.count, result.next.on_time, result.next.compliance) == (2, 2, 100.0)
    assert (result.next.median, result.next.p90) == (1500, 1740)
    # All five: counts only.
    assert (result.all.count, result.all.on_time, result.all.compliance) == (5, 4, 80.0)
    assert (result.all.median, result.all.p90) == (None, None)
    # A 24/7 policy: business time is calendar time.
    assert (result.first.business_median, result.first.business_p90) == (1800, 9000)
    assert (result.next.business_median, result.next.business_p90) == (1500, 1740)


def test_a_period_without_responses_has_no_compliance_and_no_times(week, summarised):
    result = metrics.responses(metrics.Period(date(2026, 3, 6), date(2026, 3, 6), UTC))
    assert (result.all.count, result.all.compliance) == (0, None)
    assert (result.first.median, result.first.business_p90, result.next.p90) == (None, None, None)


def test_responses_count_on_the_day_they_were_accepted(week, summarised):
    tuesday = metrics.responses(metrics.Period(date(2026, 3, 3), date(2026, 3, 3), UTC))
    assert (tuesday.first.count, tuesday.first.median, tuesday.next.count) == (1, 600, 0)
    wednesday = metrics.responses(metrics.Period(date(2026, 3, 4), date(2026, 3, 4), UTC))
    assert (wednesday.first.count, wednesday.next.count, wednesday.next.median) == (0, 1, 1800)


def test_each_response_is_counted_by_the_flags_its_reply_carries(week, summarised):
    """Whether a reply was first and on time is decided when the clock stops, not re-derived."""
    Message.objects.filter(conversation=week["c"][3], response_seconds__isnull=False).update(response_first=True)
    result = metrics.responses(WEEK)
    assert (result.first.count, result.next.count) == (4, 1)
    Message.objects.filter(conversation=week["c"][2], response_seconds__isnull=False).update(response_on_time=True)
    assert metrics.responses(WEEK).first.on_time == 4


def test_responses_counted_by_how_long_the_customer_waited(week, summarised):
    # First: 600 s, 1800 s (a limit belongs to its bucket), 10800 s; next: 1200 s, 1800 s.
    buckets = {b.up_to: (b.first, b.next) for b in metrics.replies(WEEK).waits}
    assert list(buckets) == [900, 1800, 3600, 7200, 14400, 28800, 86400, None]
    assert buckets == {
        900: (1, 0), 1800: (1, 2), 3600: (0, 0), 7200: (0, 0), 14400: (1, 0), 28800: (0, 0), 86400: (0, 0), None: (0, 0)
    }


def test_responses_by_team_by_agent_and_by_network(week, summarised):
    team_a, team_b = week["teams"]
    by_team = metrics.responses(WEEK, metrics.Filters(team_id=team_a.pk))
    assert (by_team.first.count, by_team.first.on_time, by_team.next.count) == (2, 1, 1)
    assert (by_team.first.median, by_team.first.p90) == (6300, 9900)
    by_agent = metrics.responses(WEEK, metrics.Filters(agent_id=week["bob"].pk))
    assert (by_agent.first.count, by_agent.first.median, by_agent.next.count, by_agent.next.median) == (1, 600, 1, 1800)
    by_channel = metrics.responses(WEEK, metrics.Filters(channel_id=week["demo"].pk))
    assert by_channel.all.count == 5
    assert metrics.responses(WEEK, metrics.Filters(network="twitter")).all.count == 0


@pytest.fixture
def office_hours():
    """Monday to Friday 09:00–13:00 and 14:00–18:00 UTC, as the default policy."""
    calendar = BusinessCalendar.objects.create(
        name="Office", time_zone="UTC", hours={str(day): [["09:00", "13:00"], ["14:00", "18:00"]] for day in range(5)}
    )
    SLAPolicy.objects.update(is_default=False)
    return SLAPolicy.objects.create(name="Office hours", calendar=calendar, is_default=True)


def test_business_time_counts_only_opening_hours(office_hours, summarised):
    channel = ChannelFactory()
    agent = AgentFactory().user
    # Mon 12:30 → 14:30: 7200 s by the clock, 3600 s open (lunch 13–14); due 15:30, on time.
    answers(writes(channel, at(2, 12, 30), "lunch", "b1"), agent, at(2, 14, 30))
    # Fri 17:00 → Mon 09:30: 232200 s by the clock, 5400 s open; due Mon 10:00, on time.
    answers(writes(channel, at(6, 17), "weekend", "b2"), agent, at(9, 9, 30))
    # Mon 09:00 → 12:00: 10800 s both ways; due 11:00, late.
    answers(writes(channel, at(9, 9), "late", "b3"), agent, at(9, 12))

    responses = metrics.responses(metrics.Period(date(2026, 3, 2), date(2026, 3, 9), UTC))
    assert responses.next.count == 0
    result = responses.first
    assert (result.count, result.on_time) == (3, 2)
    # Calendar 7200, 10800, 232200: p90 = 10800 + 0.8 × 221400.
    assert (result.median, result.p90) == (10800, 187920)
    # Business 3600, 5400, 10800: p90 = 5400 + 0.8 × 5400.
    assert (result.business_median, result.business_p90) == (5400, 9720)
    assert result.seconds("business") == (5400, 9720)
    assert result.seconds("calendar") == (10800, 187920)


# --- Volumes and sentiment ----------------------------------------------------------------


def test_volume_in_and_out_per_day(week):
    volume = metrics.volume(WEEK)
    # In: C1 twice, C2, C3, C4, C5. Out: five delivered replies; the note and the queued
    # reply never reached the network.
    assert (volume.inbound, volume.outbound) == (6, 5)
    assert volume.days == [
        (date(2026, 3, 2), 3, 3),
        (date(2026, 3, 3), 1, 1),
        (date(2026, 3, 4), 0, 1),
        (date(2026, 3, 5), 2, 0),
        (date(2026, 3, 6), 0, 0),
        (date(2026, 3, 7), 0, 0),
        (date(2026, 3, 8), 0, 0),
    ]


def test_volume_by_network_team_and_agent(week):
    team_a, team_b = week["teams"]
    assert metrics.volume(WEEK, metrics.Filters(network="twitter")).inbound == 1
    assert metrics.volume(WEEK, metrics.Filters(channel_id=week["x"].pk)).outbound == 0
    by_team = metrics.volume(WEEK, metrics.Filters(team_id=team_b.pk))
    assert (by_team.inbound, by_team.outbound) == (3, 2)
    # In: the conversations bob holds (C3, C5); out: what bob sent.
    by_bob = metrics.volume(WEEK, metrics.Filters(agent_id=week["bob"].pk))
    assert (by_bob.inbound, by_bob.outbound) == (2, 2)


def test_days_are_the_viewers_local_days():
    channel = ChannelFactory()
    writes(channel, datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "late-night", "n1")  # 00:30 on the 3rd in Madrid
    in_madrid = metrics.volume(metrics.Period(date(2026, 3, 2), date(2026, 3, 3), MADRID))
    assert in_madrid.days == [(date(2026, 3, 2), 0, 0), (date(2026, 3, 3), 1, 0)]
    in_utc = metrics.volume(metrics.Period(date(2026, 3, 2), date(2026, 3, 3), UTC))
    assert in_utc.days == [(date(2026, 3, 2), 1, 0), (date(2026, 3, 3), 0, 0)]


def test_sentiment_trend_shares_per_day(week):
    trend = {day.day: day for day in metrics.sentiment_trend(WEEK)}
    monday = trend[date(2026, 3, 2)]
    assert (monday.negative, monday.neutral, monday.positive, monday.unanalysed) == (2, 1, 0, 0)
    assert monday.share("negative") == pytest.approx(200 / 3)
    assert monday.share("neutral") == pytest.approx(100 / 3)
    assert monday.share("positive") == 0
    assert trend[date(2026, 3, 3)].share("positive") == 100
    thursday = trend[date(2026, 3, 5)]
    assert (thursday.analysed, thursday.unanalysed, thursday.share("negative")) == (0, 2, None)
    assert len(trend) == 7


# --- Resolution, escalations, breaches ----------------------------------------------------


def test_resolution_time_runs_from_the_opening_or_the_latest_reopening(week, summarised):
    result = metrics.resolution(WEEK)
    # C1 7200, C3 7200 (from its reopening on Wednesday), C2 21600; p90 = 7200 + 0.8 × 14400.
    assert result.count == 3
    assert (result.median, result.p90) == (7200, 18720)


def test_a_reopened_conversation_counts_once_on_the_day_of_its_last_resolution(week, summarised):
    tuesday = metrics.resolution(metrics.Period(date(2026, 3, 3), date(2026, 3, 3), UTC))
    assert (tuesday.count, tuesday.median) == (0, None)  # reopened since: no longer resolved then
    wednesday = metrics.resolution(metrics.Period(date(2026, 3, 4), date(2026, 3, 4), UTC))
    assert (wednesday.count, wednesday.median) == (1, 7200)


def test_resolution_by_team(week, summarised):
    team_a, _team_b = week["teams"]
    result = metrics.resolution(WEEK, metrics.Filters(team_id=team_a.pk))
    assert (result.count, result.median, result.p90) == (2, 14400, 20160)
    assert metrics.resolution(WEEK, metrics.Filters(agent_id=week["bob"].pk)).count == 1
    assert metrics.resolution(WEEK, metrics.Filters(network="twitter")).count == 0


def test_escalations_and_breaches(week):
    assert metrics.incidents(WEEK) == metrics.Incidents(escalations=1, breaches=2)
    team_a, team_b = week["teams"]
    assert metrics.incidents(WEEK, metrics.Filters(team_id=team_b.pk)) == metrics.Incidents(escalations=0, breaches=1)
    monday = metrics.Period(date(2026, 3, 2), date(2026, 3, 2), UTC)
    assert metrics.incidents(monday) == metrics.Incidents(escalations=1, breaches=1)


# --- Now ----------------------------------------------------------------------------------


def test_now_counts(week):
    counts = metrics.now_counts()
    assert (counts.open, counts.unassigned, counts.waiting, counts.at_risk, counts.breached) == (2, 1, 2, 1, 1)
    assert counts.oldest_waiting_since == at(5, 10)
    mine = metrics.now_counts(metrics.Filters(agent_id=week["bob"].pk))
    assert (mine.open, mine.unassigned, mine.waiting, mine.at_risk, mine.breached) == (1, 0, 1, 1, 0)


def test_now_counts_by_team_channel_and_network(week):
    team_a, team_b = week["teams"]
    assert metrics.now_counts(metrics.Filters(team_id=team_a.pk)).open == 0
    assert metrics.now_counts(metrics.Filters(team_id=team_b.pk)).waiting == 2
    on_x = metrics.now_counts(metrics.Filters(network="twitter"))
    assert (on_x.open, on_x.at_risk, on_x.breached, on_x.oldest_waiting_since) == (1, 1, 0, at(5, 11))
    on_demo = metrics.now_counts(metrics.Filters(channel_id=week["demo"].pk))
    assert (on_demo.open, on_demo.unassigned, on_demo.breached) == (1, 1, 1)


def test_an_agents_load_counts_every_open_conversation_of_theirs_whatever_the_filter(week):
    team_a = week["teams"][0]
    AgentProfile.objects.get(user=week["bob"]).teams.add(team_a)
    loads = {a.user: a.load for a in metrics.agent_load(metrics.Filters(team_id=team_a.pk))}
    assert loads[week["bob"]] == 1  # C5 is team B's, still on Bob's desk


def test_a_conversation_answered_late_is_not_breached_now(week):
    breached = metrics.breached_conversations()
    assert [c.pk for c in breached] == [week["c"][4].pk]  # C2 was answered after its breach
    assert [c.pk for c in metrics.at_risk_conversations()] == [week["c"][5].pk]


def test_backlog_per_team_busiest_first(week):
    team_a, team_b = week["teams"]
    rows = metrics.team_backlog()
    assert [(row.name, row.counts.open, row.counts.unassigned, row.counts.waiting) for row in rows] == [
        ("B", 2, 1, 2),
        ("A", 0, 0, 0),
    ]
    assert (rows[0].counts.at_risk, rows[0].counts.breached, rows[0].counts.oldest_waiting_since) == (1, 1, at(5, 10))
    assert rows[1].counts.oldest_waiting_since is None


def test_conversations_without_a_team_have_their_own_backlog_row():
    writes(ChannelFactory(), timezone.now() - timedelta(minutes=5), "lost", "l1")
    rows = metrics.team_backlog()
    assert rows[0].team_id is None
    assert (rows[0].counts.open, rows[0].counts.waiting) == (1, 1)


def test_agents_with_presence_load_and_capacity(week):
    carol = AgentFactory(teams=week["teams"][:1], presence="online", last_seen_at=timezone.now() - timedelta(hours=1))
    loads = {a.user.username: (a.state, a.load, a.capacity) for a in metrics.agent_load()}
    assert loads == {
        week["alice"].username: ("online", 0, 5),
        week["bob"].username: ("offline", 1, 5),
        carol.user.username: ("offline", 0, 5),  # online, but the page went silent an hour ago
    }
    team_b = week["teams"][1]
    assert [a.user for a in metrics.agent_load(metrics.Filters(team_id=team_b.pk))] == [week["bob"]]


def test_only_open_crises_are_active():
    channel = ChannelFactory()
    now = timezone.now()
    ongoing = CrisisAlert.objects.create(channel=channel, started_at=now, negative_count=40, usual_count=3.5)
    CrisisAlert.objects.create(
        channel=channel, keyword="battery", started_at=now - timedelta(days=1), ended_at=now, negative_count=12, usual_count=1
    )
    assert metrics.active_crises() == [ongoing]


def test_lists_stop_at_their_limit(week):
    assert len(metrics.breached_conversations(limit=0)) == 0
    assert len(metrics.breached_conversations(limit=1)) == 1


# --- Export rows --------------------------------------------------------------------------


def test_conversations_opened_in_the_period_with_their_resolution_start(week):
    rows = list(metrics.conversations_opened(WEEK))
    assert [c.pk for c in rows] == sorted(c.pk for c in week["c"].values())
    c3 = next(c for c in rows if c.pk == week["c"][3].pk)
    assert c3.started == at(4, 9)  # reopened: its resolution counts from the reopening
    c1 = next(c for c in rows if c.pk == week["c"][1].pk)
    assert c1.started == at(2, 10)


def test_response_export_rows_are_the_replies_that_stopped_a_clock(week):
    rows = list(metrics.response_export_rows(WEEK))
    assert [(r.conversation_id, r.response_first, r.response_seconds, r.response_on_time) for r in rows] == [
        (week["c"][1].pk, True, 1800, True),
        (week["c"][1].pk, False, 1200, True),
        (week["c"][2].pk, True, 10800, False),
        (week["c"][3].pk, True, 600, True),
        (week["c"][3].pk, False, 1800, True),
    ]
    assert all(r.direction == "out" and r.author_user_id for r in rows)
