"""Supervisor metrics: the one query module behind the SLA dashboard, its CSV exports and
the metrics API. Every definition here is written out in docs/metrics.md; change both
together.

Each metric is one aggregate query (PostgreSQL computes medians with `percentile_cont`),
whatever the size of the tables. The SQLite demo has no `percentile_cont`: there the same
rows are summed up in Python, which is fine at demo size and gives the same numbers
(the test suite runs both ways).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from agents.models import AgentProfile, CrisisAlert, Presence, Team
from connectors.models import Channel
from inbox.models import Conversation, ConversationEvent, Delivery, Direction, Message, SLAState, Status, Visibility

# The audit rows the metrics read (written by inbox.actions and agents.escalation).
REOPENED = "reopened"
ESCALATED = "escalated"
BREACHED = "sla_breached"

LIST_LIMIT = 20  # the rest are a click away in the inbox, filtered by SLA state
LONGEST_PERIOD_DAYS = 366
SENTIMENTS = ("negative", "neutral", "positive")


# --- Period and filters ---------------------------------------------------------------


def zone_of(name: str | None) -> ZoneInfo:
    """The viewer's time zone; an unknown name falls back to the server's."""
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


@dataclass(frozen=True)
class Period:
    """Whole local days [first, last] in the viewer's time zone, as a UTC half-open range."""

    first: date
    last: date
    zone: ZoneInfo
    name: str = "custom"  # today, 7d, 30d or custom

    def __post_init__(self):
        if self.last < self.first:
            raise ValueError("a period ends on or after the day it starts")
        if (self.last - self.first).days >= LONGEST_PERIOD_DAYS:
            raise ValueError(f"a period is at most {LONGEST_PERIOD_DAYS} days")

    @classmethod
    def last_days(cls, days: int, zone: ZoneInfo, now: datetime | None = None, name: str | None = None) -> Period:
        """Today and the days before it: 1 = today, 7 = today and the six days before."""
        today = (now or timezone.now()).astimezone(zone).date()
        return cls(today - timedelta(days=days - 1), today, zone, name or f"{days}d")

    @classmethod
    def named(cls, name: str, zone: ZoneInfo, now: datetime | None = None) -> Period:
        days = {"today": 1, "7d": 7, "30d": 30}[name]
        return cls.last_days(days, zone, now, name)

    @property
    def start(self) -> datetime:
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return _midnight(self.last + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Filters:
    """Narrow every metric to a team, a channel, a network (channel kind) and/or an agent.

    Team, channel and network are those of the conversation (its current team). The agent
    is the author for replies and responses, and the current assignee for everything else
    about a conversation; see docs/metrics.md.

    Rows that are not conversations (audit rows, messages) reach the conversation through
    `conversation_id IN (…)`, which PostgreSQL answers with one hashed semi-join rather
    than a look-up per row."""

    team_id: int | None = None
    channel_id: int | None = None
    network: str = ""
    agent_id: int | None = None

    def _channels(self) -> Q:
        q = Q()
        if self.channel_id:
            q &= Q(channel_id=self.channel_id)
        if self.network:
            q &= Q(channel_id__in=Channel.objects.filter(kind=self.network).values("pk"))
        return q

    def conversations(self) -> Q:
        """On Conversation rows (the agent is the assignee)."""
        q = self._channels()
        if self.team_id:
            q &= Q(team_id=self.team_id)
        if self.agent_id:
            q &= Q(assignee_id=self.agent_id)
        return q

    def through_conversation(self) -> Q:
        """On rows that have a conversation_id (audit rows)."""
        q = self.conversations()
        return Q(conversation_id__in=Conversation.objects.filter(q).values("pk")) if q else Q()

    def messages(self, author: bool) -> Q:
        """On Message rows, which carry their channel; `author`: the agent filter is the
        message's author (replies), else the conversation's assignee (customer messages)."""
        q = self._channels()
        held = Q()
        if self.team_id:
            held &= Q(team_id=self.team_id)
        if self.agent_id:
            if author:
                q &= Q(author_user_id=self.agent_id)
            else:
                held &= Q(assignee_id=self.agent_id)
        if held:
            q &= Q(conversation_id__in=Conversation.objects.filter(held).values("pk"))
        return q


NO_FILTERS = Filters()


# --- Summaries: percentile_cont in PostgreSQL, the same numbers in Python elsewhere -----

FRACTIONS = (0.5, 0.9)
DECIMALS = 3  # whole seconds go in; interpolation may leave float noise in the last digits


def _in_database() -> bool:
    """Whether the database computes the medians (PostgreSQL); tests flip it to check
    that the Python fallback agrees."""
    return connection.vendor == "postgresql" and SUMMARISE_IN_DATABASE


SUMMARISE_IN_DATABASE = True


def percentiles(values) -> tuple[float | None, float | None]:
    """Median and 90th percentile as PostgreSQL's percentile_cont computes them: linear
    interpolation between the two closest ranks."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None, None
    result = []
    for fraction in FRACTIONS:
        position = fraction * (len(ordered) - 1)
        below, above = math.floor(position), math.ceil(position)
        result.append(round(ordered[below] + (ordered[above] - ordered[below]) * (position - below), DECIMALS))
    return tuple(result)


def _sql_percentiles(expression: str, where: str | None = None) -> str:
    fractions = ", ".join(str(f) for f in FRACTIONS)
    sql = f"percentile_cont(ARRAY[{fractions}]::float8[]) WITHIN GROUP (ORDER BY {expression})"
    return f"{sql} FILTER (WHERE {where})" if where else sql


def _pair(values) -> tuple[float | None, float | None]:
    return tuple(round(v, DECIMALS) for v in values) if values else (None, None)


def _summary_sql(inner, select: list[str]) -> tuple[str, list]:
    """SELECT `select` over the rows of the queryset `inner`. OFFSET 0 keeps PostgreSQL from
    inlining the inner columns, which would run a column's subquery once per use."""
    sql, params = inner.query.sql_with_params()
    return f"SELECT {', '.join(select)} FROM ({sql} OFFSET 0) AS rows", list(params)


def _fetch_one(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


SORT_MEMORY = "32MB"


def _planned(function):
    """Run a metric without PostgreSQL's JIT compiler, and with enough memory to sort a
    month of responses in memory. These aggregate plans look expensive enough to trigger
    JIT, and compiling took longer (up to 0.9 s) than running them (tens of ms); the
    default 4 MB work_mem spilled the median sorts to disk. Both settings are local to the
    transaction (set_config(…, true) is SET LOCAL)."""

    @wraps(function)
    def run(*args, **kwargs):
        if connection.vendor != "postgresql":
            return function(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true),"
                    " set_config('max_parallel_workers_per_gather', '0', true)",
                    [SORT_MEMORY],
                )
            return function(*args, **kwargs)

    return run


# --- Responses: compliance and response times ------------------------------------------


@dataclass
class ResponseStats:
    count: int = 0
    on_time: int = 0
    median: float | None = None  # calendar seconds
    p90: float | None = None
    business_median: float | None = None
    business_p90: float | None = None

    @property
    def late(self) -> int:
        return self.count - self.on_time

    @property
    def compliance(self) -> float | None:
        """Share of responses on time, in percent; None without responses."""
        return 100.0 * self.on_time / self.count if self.count else None

    def seconds(self, basis: str):
        """(median, p90) in the chosen time basis."""
        return (self.business_median, self.business_p90) if basis == "business" else (self.median, self.p90)


@dataclass
class Responses:
    """First and next responses, each with compliance and times. `all` adds up the counts;
    its times are left out (None): a median over both kinds mixes two different promises,
    and two more sorts would double the query's cost at volume."""

    first: ResponseStats = field(default_factory=ResponseStats)
    next: ResponseStats = field(default_factory=ResponseStats)

    @property
    def all(self) -> ResponseStats:
        return ResponseStats(self.first.count + self.next.count, self.first.on_time + self.next.on_time)


def response_messages(period: Period, filters: Filters = NO_FILTERS):
    """One row per response in the period: a reply whose acceptance by the network stopped
    a running clock (`Message.response_seconds` set), dated by that acceptance (`sent_at`).
    The reply carries whether it was the first response and whether it was on time."""
    return Message.objects.filter(
        filters.messages(author=True),
        response_seconds__isnull=False,
        sent_at__gte=period.start,
        sent_at__lt=period.end,
    )


@_planned
def responses(period: Period, filters: Filters = NO_FILTERS) -> Responses:
    """First-response and next-response compliance, with median and p90 response times in
    calendar and in business time: one query."""
    rows = response_messages(period, filters).values(
        first=F("response_first"),
        on_time=F("response_on_time"),
        seconds=F("response_seconds"),
        business_seconds=F("response_business_seconds"),
    )
    kinds = {"first": "first", "next": "NOT first"}
    result = Responses()
    if _in_database():
        select = []
        for where in kinds.values():
            select += [
                f"count(*) FILTER (WHERE {where})",
                f"count(*) FILTER (WHERE ({where}) AND on_time)",
                _sql_percentiles("seconds", where),
                _sql_percentiles("business_seconds", where),
            ]
        values = _fetch_one(*_summary_sql(rows, select))
        for n, name in enumerate(kinds):
            count, on_time, calendar, business = values[4 * n : 4 * n + 4]
            setattr(result, name, ResponseStats(count, on_time, *_pair(calendar), *_pair(business)))
        return result
    fetched = list(rows)
    for name, first in (("first", True), ("next", False)):
        group = [r for r in fetched if bool(r["first"]) == first]
        setattr(
            result,
            name,
            ResponseStats(
                len(group),
                sum(1 for r in group if r["on_time"]),
                *percentiles(r["seconds"] for r in group),
                *percentiles(r["business_seconds"] for r in group),
            ),
        )
    return result


# Bucket limits in seconds, each included in its bucket: up to 15 minutes, 30 minutes, an
# hour, two hours (the default target), four, eight, a day; then longer.
WAIT_LIMITS = (900, 1800, 3600, 7200, 14400, 28800, 86400)


@dataclass
class WaitBucket:
    up_to: int | None  # seconds, included; None: longer than the last limit
    first: int = 0
    next: int = 0


# --- Volumes and sentiment ---------------------------------------------------------------


def inbound_messages(period: Period, filters: Filters = NO_FILTERS):
    """Customer messages (public or private) the network dates within the period."""
    return Message.objects.filter(
        filters.messages(author=False),
        direction=Direction.INBOUND,
        sent_at__gte=period.start,
        sent_at__lt=period.end,
    )


def outbound_messages(period: Period, filters: Filters = NO_FILTERS):
    """Public replies and private messages the network accepted within the period (notes
    never leave SocialCare; queued or failed replies were not sent)."""
    return Message.objects.filter(
        filters.messages(author=True),
        direction=Direction.OUTBOUND,
        visibility__in=[Visibility.PUBLIC, Visibility.PRIVATE],
        delivery=Delivery.SENT,
        sent_at__gte=period.start,
        sent_at__lt=period.end,
    )


@dataclass
class Volume:
    inbound: int
    outbound: int
    days: list[tuple[date, int, int]]  # (local day, in, out) for every day of the period


@dataclass
class SentimentDay:
    day: date
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    unanalysed: int = 0

    @property
    def analysed(self) -> int:
        return self.negative + self.neutral + self.positive

    def share(self, label: str) -> float | None:
        """Percent of the day's analysed customer messages with this label."""
        return 100.0 * getattr(self, label) / self.analysed if self.analysed else None


def _day_of(field: str, period: Period):
    """An expression naming the viewer's local day a moment falls on. On PostgreSQL, the
    1-based position among the period's local midnights (width_bucket over UTC instants
    computed here, DST included): half the cost of converting every row's time zone."""
    if connection.vendor == "postgresql":
        midnights = Value([_midnight(day, period.zone) for day in period.days()], output_field=ArrayField(DateTimeField()))
        return Func(F(field), midnights, function="width_bucket", output_field=IntegerField())
    return TruncDate(field, tzinfo=period.zone)


def _by_day(messages, period: Period, *more, **counts):
    """(local day, *more, *counts) rows, grouped by the day and the `more` columns;
    `counts`: name → aggregate, by default every row."""
    counts = counts or {"count": Count("*")}
    days = period.days()
    rows = (
        messages.annotate(day=_day_of("sent_at", period))
        .values("day", *more)
        .annotate(**counts)
        .values_list("day", *more, *counts)
    )
    for day, *rest in rows:
        yield (days[day - 1] if isinstance(day, int) else day, *rest)


@_planned
def sentiment_trend(period: Period, filters: Filters = NO_FILTERS) -> list[SentimentDay]:
    """Per local day, the customer messages by sentiment label (all of them: volume in):
    one count per day, each label a filtered count (cheaper than grouping by label too)."""
    labelled = {label: Count("sentiment_label", filter=Q(sentiment_label=label)) for label in SENTIMENTS}
    days = {day: SentimentDay(day) for day in period.days()}
    rows = _by_day(inbound_messages(period, filters), period, **labelled, every=Count("sentiment_label"))
    for day, *feelings, every in rows:
        if day in days:
            days[day] = SentimentDay(day, **dict(zip(labelled, feelings)), unanalysed=every - sum(feelings))
    return list(days.values())


@dataclass
class Replies:
    by_day: dict[date, int]  # volume out per local day
    waits: list[WaitBucket]  # the responses among them, by how long the customer waited


@_planned
def replies(period: Period, filters: Filters = NO_FILTERS, basis: str = "calendar") -> Replies:
    """The replies the network accepted, per local day (volume out), and the responses
    among them counted by how long the customer had waited, in calendar or business time,
    first and next responses apart (the response time distribution): one grouped count,
    since responses are replies and both are dated by their acceptance."""
    column = "response_business_seconds" if basis == "business" else "response_seconds"
    by_day = dict.fromkeys(period.days(), 0)
    waits = [WaitBucket(limit) for limit in WAIT_LIMITS] + [WaitBucket(None)]
    replied = outbound_messages(period, filters)
    if _in_database():
        # width_bucket puts a value equal to a limit above it; seconds − 1 puts it below.
        limits = Value(list(WAIT_LIMITS), output_field=ArrayField(IntegerField()))
        position = Func(F(column) - 1, limits, function="width_bucket", output_field=IntegerField())
        counted = _by_day(replied.annotate(position=position), period, "response_first", "position")
    else:
        rows = _by_day(replied, period, "response_first", column)
        counted = [(day, first, None if s is None else bisect_left(WAIT_LIMITS, s), n) for day, first, s, n in rows]
    for day, first, position, n in counted:
        if day in by_day:
            by_day[day] += n
        if position is not None:
            bucket = waits[position]
            if first:
                bucket.first += n
            else:
                bucket.next += n
    return Replies(by_day, waits)


def volume_of(trend: list[SentimentDay], replies: dict[date, int]) -> Volume:
    """Messages in and out, in total and per local day, from the two counts above."""
    days = [(d.day, d.analysed + d.unanalysed, replies.get(d.day, 0)) for d in trend]
    return Volume(sum(i for _day, i, _out in days), sum(o for _day, _in, o in days), days)


def volume(period: Period, filters: Filters = NO_FILTERS) -> Volume:
    return volume_of(sentiment_trend(period, filters), replies(period, filters).by_day)


def period_queries(period: Period, filters: Filters = NO_FILTERS, basis: str = "calendar") -> dict:
    """Every metric over the period, as calls for socialcare.parallel_queries.gather: the
    dashboard and the API ask the same questions."""
    return {
        "responses": lambda: responses(period, filters),
        "trend": lambda: sentiment_trend(period, filters),
        "replies": lambda: replies(period, filters, basis),
        "resolution": lambda: resolution(period, filters),
        "incidents": lambda: incidents(period, filters),
    }


# --- Resolution, escalations, breaches -----------------------------------------------------


@dataclass
class Resolution:
    count: int = 0
    median: float | None = None  # calendar seconds
    p90: float | None = None


def _latest_reopening():
    """When the conversation (OuterRef "pk") was last reopened."""
    return (
        ConversationEvent.objects.filter(kind=REOPENED, conversation_id=OuterRef("pk"))
        .order_by()
        .values("conversation_id")
        .annotate(latest=Max("created_at"))
        .values("latest")
    )


def resolved_conversations(period: Period, filters: Filters = NO_FILTERS):
    """The conversations resolved (for now: a reopening clears the resolution) within the
    period, with `started`: their latest reopening, else when they were opened."""
    return Conversation.objects.filter(
        filters.conversations(), resolved_at__gte=period.start, resolved_at__lt=period.end
    ).annotate(started=Coalesce(Subquery(_latest_reopening()), F("created_at")))


@_planned
def resolution(period: Period, filters: Filters = NO_FILTERS) -> Resolution:
    """Resolution time, median and p90 in calendar time: one query. The reopenings are
    joined once, as a table (few conversations are ever reopened), not looked up per row."""
    if _in_database():
        rows = Conversation.objects.filter(
            filters.conversations(), resolved_at__gte=period.start, resolved_at__lt=period.end
        ).values("id", "created_at", "resolved_at")
        inner, params = rows.query.sql_with_params()
        # date_part gives float8; EXTRACT gives numeric, which sorts several times slower.
        seconds = "date_part('epoch', rows.resolved_at - COALESCE(reopened.latest, rows.created_at))"
        sql = (
            f"SELECT count(*), {_sql_percentiles(seconds)} FROM ({inner}) AS rows"
            " LEFT JOIN (SELECT conversation_id, max(created_at) AS latest FROM inbox_conversationevent"
            "  WHERE kind = %s AND created_at < %s GROUP BY conversation_id) AS reopened"
            " ON reopened.conversation_id = rows.id"
        )
        count, values = _fetch_one(sql, [*params, REOPENED, period.end])
        return Resolution(count, *_pair(values))
    fetched = [
        (r["resolved_at"] - r["started"]).total_seconds()
        for r in resolved_conversations(period, filters).values("resolved_at", "started")
    ]
    return Resolution(len(fetched), *percentiles(fetched))


@dataclass
class Incidents:
    escalations: int = 0
    breaches: int = 0


@_planned
def incidents(period: Period, filters: Filters = NO_FILTERS) -> Incidents:
    """Escalations (`escalated` rows: by hand or on breach) and breaches (`sla_breached`
    rows: one per wait that ran past its due time) in the period: one query."""
    counts = ConversationEvent.objects.filter(
        filters.through_conversation(),
        kind__in=[ESCALATED, BREACHED],
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).aggregate(
        escalations=Count("kind", filter=Q(kind=ESCALATED)),
        breaches=Count("kind", filter=Q(kind=BREACHED)),
    )
    return Incidents(**counts)


# --- Now ---------------------------------------------------------------------------------


def _running(state):
    return Q(waiting_since__isnull=False, sla_state=state)


@dataclass
class NowCounts:
    open: int = 0
    unassigned: int = 0
    waiting: int = 0
    at_risk: int = 0
    breached: int = 0
    oldest_waiting_since: datetime | None = None

    def add(self, other: NowCounts) -> None:
        for name in ("open", "unassigned", "waiting", "at_risk", "breached"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.oldest_waiting_since and not (
            self.oldest_waiting_since and self.oldest_waiting_since <= other.oldest_waiting_since
        ):
            self.oldest_waiting_since = other.oldest_waiting_since


@dataclass(frozen=True)
class Attention:
    """The conversations that are open or have a clock running, counted by team, channel,
    assignee and state: one grouped count (a partial index holds exactly these rows, with
    the columns read here). The Now numbers, the backlog per team and every agent's load
    are sums of these groups, for any filters: one scan instead of one per number."""

    groups: list[tuple]  # (team_id, channel_id, assignee_id, status, sla_state, n, waiting, oldest)
    networks: dict[int, str]  # channel id → kind

    def _kept(self, filters: Filters):
        for group in self.groups:
            team_id, channel_id, assignee_id = group[:3]
            if filters.team_id and team_id != filters.team_id:
                continue
            if filters.channel_id and channel_id != filters.channel_id:
                continue
            if filters.network and self.networks.get(channel_id) != filters.network:
                continue
            if filters.agent_id and assignee_id != filters.agent_id:
                continue
            yield group

    def by_team(self, filters: Filters) -> dict[int | None, NowCounts]:
        by_team = {}
        for team_id, _channel, assignee_id, status, state, n, waiting, oldest in self._kept(filters):
            is_open = status == Status.OPEN
            by_team.setdefault(team_id, NowCounts()).add(
                NowCounts(
                    open=n if is_open else 0,
                    unassigned=n if is_open and assignee_id is None else 0,
                    waiting=waiting,
                    at_risk=waiting if state == SLAState.WARNING else 0,
                    breached=waiting if state == SLAState.BREACHED else 0,
                    oldest_waiting_since=oldest,
                )
            )
        return by_team

    def load(self) -> dict[int, int]:
        """Open conversations per assignee, whatever their team or channel (as assignment
        counts them against capacity)."""
        loads = {}
        for _team, _channel, assignee_id, status, _state, n, _waiting, _oldest in self.groups:
            if status == Status.OPEN and assignee_id is not None:
                loads[assignee_id] = loads.get(assignee_id, 0) + n
        return loads


@_planned
def attention() -> Attention:
    """Grouped in the order of the index's keys, the rows arrive already grouped: no hash
    table to build (half the time of hashing 150,000 rows)."""
    groups = (
        Conversation.objects.filter(Q(status=Status.OPEN) | Q(waiting_since__isnull=False))
        .order_by()
        .values_list("team_id", "channel_id", "assignee_id", "status", "sla_state")
        .annotate(n=Count("*"), waiting=Count("waiting_since"), oldest=Min("waiting_since"))
    )
    return Attention(list(groups), dict(Channel.objects.values_list("pk", "kind")))


def now_counts(filters: Filters = NO_FILTERS, seen: Attention | None = None) -> NowCounts:
    """Open, unassigned, waiting (clock running), at risk and breached (running), and the
    oldest wait. `seen`: an Attention already counted for this page."""
    return total((seen or attention()).by_team(filters).values())


def total(rows) -> NowCounts:
    """The sum of several NowCounts (the backlog rows add up to the Now numbers)."""
    result = NowCounts()
    for counts in rows:
        result.add(counts)
    return result


@dataclass
class TeamBacklog:
    team_id: int | None
    name: str
    counts: NowCounts


def team_backlog(filters: Filters = NO_FILTERS, seen: Attention | None = None, teams=None) -> list[TeamBacklog]:
    """The same numbers per team (the team queue), busiest first; conversations with no
    team yet form their own row. `seen` and `teams`: already read for this page."""
    by_team = (seen or attention()).by_team(filters)
    teams = Team.objects.all() if teams is None else teams
    teams = [team for team in teams if not filters.team_id or team.pk == filters.team_id]
    result = [TeamBacklog(team.pk, team.name, by_team.pop(team.pk, NowCounts())) for team in teams]
    if None in by_team:
        result.append(TeamBacklog(None, "", by_team.pop(None)))
    far_past = timezone.now() + timedelta(days=1)
    result.sort(key=lambda row: (-row.counts.waiting, row.counts.oldest_waiting_since or far_past, row.name))
    return result


@dataclass
class AgentLoad:
    profile: AgentProfile
    load: int  # open conversations assigned to them
    state: str  # online, away, offline; an online agent whose page went silent is offline

    @property
    def user(self):
        return self.profile.user

    @property
    def capacity(self) -> int:
        return self.profile.capacity

    @property
    def name(self) -> str:
        return self.profile.user.get_full_name() or self.profile.user.get_username()

    @property
    def team_names(self) -> str:
        return ", ".join(team.name for team in self.profile.teams.all())

    @property
    def state_label(self) -> str:
        return Presence(self.state).label

    @property
    def full(self) -> bool:
        return self.load >= self.profile.capacity


def agent_profiles(filters: Filters = NO_FILTERS) -> list[AgentProfile]:
    """Every agent profile (of the team or the agent, when filtered), with user and teams."""
    profiles = AgentProfile.objects.select_related("user").prefetch_related("teams")
    if filters.team_id:
        profiles = profiles.filter(teams=filters.team_id)
    if filters.agent_id:
        profiles = profiles.filter(user_id=filters.agent_id)
    return list(profiles.order_by("user__first_name", "user__username"))


def agent_load(
    filters: Filters = NO_FILTERS, now: datetime | None = None, seen: Attention | None = None, profiles=None
) -> list[AgentLoad]:
    """The agent profiles with presence, open load and capacity; the load comes from the
    Attention counts. `seen` and `profiles`: already read for this page."""
    now = now or timezone.now()
    profiles = agent_profiles(filters) if profiles is None else profiles
    loads = (seen or attention()).load()
    result = []
    for profile in profiles:
        state = profile.presence
        if state == Presence.ONLINE and not profile.is_available(now):
            state = Presence.OFFLINE
        result.append(AgentLoad(profile, loads.get(profile.user_id, 0), state))
    order = {Presence.ONLINE: 0, Presence.AWAY: 1, Presence.OFFLINE: 2}
    result.sort(key=lambda a: order.get(a.state, 3))
    return result


def _waiting_list(state, filters: Filters, limit: int):
    return list(
        Conversation.objects.filter(filters.conversations(), _running(state))
        .select_related("contact", "channel", "team", "assignee")
        .order_by("response_due_at", "pk")[:limit]
    )


def breached_conversations(filters: Filters = NO_FILTERS, limit: int = LIST_LIMIT) -> list[Conversation]:
    """Customers still waiting past their due time, the longest overdue first."""
    return _waiting_list(SLAState.BREACHED, filters, limit)


def at_risk_conversations(filters: Filters = NO_FILTERS, limit: int = LIST_LIMIT) -> list[Conversation]:
    """Customers still waiting past the warning moment, the soonest due first."""
    return _waiting_list(SLAState.WARNING, filters, limit)


def active_crises() -> list[CrisisAlert]:
    return list(CrisisAlert.objects.filter(ended_at__isnull=True).select_related("channel").order_by("-started_at"))


# --- Exports -------------------------------------------------------------------------------


def conversations_opened(period: Period, filters: Filters = NO_FILTERS):
    """The conversations opened in the period, for the per-conversation export, with
    `started` (the latest reopening, else the opening) to measure the resolution from."""
    return (
        Conversation.objects.filter(filters.conversations(), created_at__gte=period.start, created_at__lt=period.end)
        .annotate(started=Coalesce(Subquery(_latest_reopening()), F("created_at")))
        .select_related("channel", "team", "assignee", "contact")
        .order_by("created_at", "pk")
    )


def response_export_rows(period: Period, filters: Filters = NO_FILTERS):
    """The responses of the period with what the per-response export shows."""
    return (
        response_messages(period, filters)
        .select_related("channel", "conversation__team", "author_user")
        .order_by("sent_at", "pk")
    )


def agents_for_choice():
    """Users with an agent profile, for filter and reassignment menus."""
    return (
        get_user_model()
        .objects.filter(agent_profile__isnull=False)
        .select_related("agent_profile")
        .order_by("first_name", "username")
    )
