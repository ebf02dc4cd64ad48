"""Dashboard speed: server time of the supervisor dashboard and of each metric, at volume.

Seeds its own data with set-based SQL (`INSERT … SELECT … FROM generate_series`): a year
of history, by default 1,000,000 conversations and about 3,000,000 messages, with the
audit rows the actions would have written (opened, assigned, reply_queued, responded,
resolved, reopened, escalated, sla_warning, sla_breached), a business-hours team,
reopened and escalated conversations, and a live backlog over the last 12 hours. Then it
creates the indexes proposed for the metrics (docs/metrics.md), and times each metric
function and the dashboard pages (Django's test client, the whole request) N times.

The responded rows are seeded as inbox.actions writes them today, without `data.first`;
--first-flag first runs the backfill docs/metrics.md proposes, to time the metrics as they
would run once _stop_clock records the flag.

    make bench
    .venv/bin/python bench/dashboard.py --conversations 200000 --runs 20
    .venv/bin/python bench/dashboard.py --reuse          # time again on the seeded database
    .venv/bin/python bench/dashboard.py --reuse --without-indexes
    .venv/bin/python bench/dashboard.py --reuse --first-flag
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialcare.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialcare_bench")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--conversations", type=int, default=1_000_000)
parser.add_argument("--days", type=int, default=365, help="days of history the conversations spread over")
parser.add_argument("--runs", type=int, default=25, help="timed runs per item (after one warm-up run)")
parser.add_argument("--reuse", action="store_true", help="keep the seeded database from an earlier run")
parser.add_argument("--without-indexes", action="store_true", help="drop the proposed indexes before timing")
parser.add_argument(
    "--first-flag",
    action="store_true",
    help="first set data.first on every responded row, as the proposed data migration would (docs/metrics.md)",
)
args = parser.parse_args()

from bench.support import fresh_database  # noqa: E402

fresh_database(keep=args.reuse)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from agents import metrics  # noqa: E402
from agents.models import AgentProfile, Role, Team  # noqa: E402
from connectors.models import Channel  # noqa: E402
from inbox.models import BusinessCalendar, Conversation, ConversationEvent, Message, SLAPolicy  # noqa: E402
from inbox.sla import default_policy  # noqa: E402

TEAMS = 5
CHANNELS = 10
AGENTS_PER_TEAM = 10
CONTACTS = 200_000
KINDS = ["twitter", "facebook", "discourse", "feed", "demo"]
SUPERVISOR = "bench-supervisor"

# The indexes docs/metrics.md proposes, by name → definition (created here by hand; the
# migration adds the same ones).
INDEXES = {
    "event_kind_time_idx": "inbox_conversationevent (kind, created_at) INCLUDE (conversation_id, actor_id)",
    "event_responded_idx": "inbox_conversationevent (conversation_id, id) WHERE kind = 'responded'",
    "event_reopened_idx": "inbox_conversationevent (conversation_id, created_at) WHERE kind = 'reopened'",
    "message_inbound_sent_idx": (
        "inbox_message (sent_at) INCLUDE (channel_id, conversation_id, sentiment_label) WHERE direction = 'in'"
    ),
    "message_outbound_sent_idx": (
        "inbox_message (sent_at) INCLUDE (channel_id, conversation_id, author_user_id, visibility)"
        " WHERE direction = 'out' AND delivery = 'sent'"
    ),
    "conversation_unresolved_now_idx": (
        "inbox_conversation (team_id) INCLUDE (status, assignee_id, channel_id, waiting_since, sla_state)"
        " WHERE status <> 'resolved'"
    ),
    "conversation_resolved_idx": (
        "inbox_conversation (resolved_at) INCLUDE (id, created_at, team_id, channel_id, assignee_id)"
        " WHERE resolved_at IS NOT NULL"
    ),
    "conversation_created_idx": "inbox_conversation (created_at)",
    # The filters' semi-joins (conversation_id IN (SELECT id … WHERE team_id = …)) read only
    # these; they would replace the plain foreign-key indexes on the same columns.
    "conversation_team_cover_idx": "inbox_conversation (team_id) INCLUDE (id)",
    "conversation_channel_cover_idx": "inbox_conversation (channel_id) INCLUDE (id)",
    "conversation_assignee_cover_idx": "inbox_conversation (assignee_id) INCLUDE (id)",
}


def execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def setup_people():
    """Teams, channels, agents (one team answers in business hours) and a supervisor."""
    policy = default_policy()
    teams = [Team.objects.create(name=f"Team {n}") for n in range(TEAMS)]
    calendar = BusinessCalendar.objects.create(
        name="Office", time_zone="Europe/Madrid", hours={str(d): [["09:00", "18:00"]] for d in range(5)}
    )
    business = SLAPolicy.objects.create(name="Office hours", team=teams[0], calendar=calendar, position=1)
    channels = [
        Channel.objects.create(kind=KINDS[n % len(KINDS)], name=f"Channel {n}", default_team=teams[n % TEAMS])
        for n in range(CHANNELS)
    ]
    User = get_user_model()
    agents = []
    for t, team in enumerate(teams):
        for n in range(AGENTS_PER_TEAM):
            user = User.objects.create(username=f"agent{t}-{n}", first_name=f"Agent {t}-{n}")
            profile = AgentProfile.objects.create(
                user=user, role=Role.AGENT, capacity=8, presence=["online", "away", "offline"][n % 3],
                last_seen_at=timezone.now(),
            )
            profile.teams.set([team])
            agents.append(user.pk)
    supervisor = User.objects.create(username=SUPERVISOR, first_name="Bench")
    AgentProfile.objects.create(user=supervisor, role=Role.SUPERVISOR)
    return teams, channels, agents, policy, business


PLAN = """
CREATE UNLOGGED TABLE bench_plan AS
WITH base AS (
  SELECT i,
    %(now)s::timestamptz - make_interval(secs => (%(n)s - i + 0.5) * %(span)s / %(n)s) AS t0,
    i %% {channels} AS ch,
    bench_rnd(i, 1) AS r1, bench_rnd(i, 2) AS r2, bench_rnd(i, 3) AS r3, bench_rnd(i, 4) AS r4,
    bench_rnd(i, 5) AS r5, bench_rnd(i, 6) AS r6, bench_rnd(i, 7) AS r7
  FROM generate_series(1, %(n)s) AS i
), shaped AS (
  SELECT *,
    (%(channel_ids)s::bigint[])[1 + ch] AS channel_id,
    (ch %% {teams}) AS team_index,
    (%(team_ids)s::bigint[])[1 + ch %% {teams}] AS team_id,
    (%(agent_ids)s::int[])[1 + (ch %% {teams}) * {agents_per_team} + floor(r6 * {agents_per_team})::int] AS agent_id,
    1 + floor(r7 * {contacts})::bigint AS contact_offset,
    t0 > %(now)s::timestamptz - interval '12 hours' AS live,
    (i %% 2 = 1 AND t0 < %(now)s::timestamptz - interval '4 days') AS two_rounds,
    30 + floor(r1 ^ 3 * 14400)::int AS rs1,
    30 + floor(r3 ^ 3 * 14400)::int AS rs2,
    300 + floor(r2 * 172800)::int AS gap
  FROM base
)
SELECT *,
  CASE WHEN team_index = 0 THEN floor(rs1 * 0.55)::int ELSE rs1 END AS rbs1,
  CASE WHEN team_index = 0 THEN floor(rs2 * 0.55)::int ELSE rs2 END AS rbs2,
  t0 + make_interval(secs => rs1) AS t1,
  t0 + make_interval(secs => rs1 + gap) AS t2,
  t0 + make_interval(secs => rs1 + gap + rs2) AS t3,
  (NOT live AND i %% 97 = 0) AS pending,
  (two_rounds AND i %% 37 = 0 AND i %% 97 <> 0) AS reopened,
  (NOT live AND i %% 29 = 0) AS escalated,
  CASE WHEN r5 < 0.35 THEN 'negative' WHEN r5 < 0.75 THEN 'neutral' ELSE 'positive' END AS sentiment
FROM shaped
""".format(channels=CHANNELS, teams=TEAMS, agents_per_team=AGENTS_PER_TEAM, contacts=CONTACTS)

CONVERSATIONS = (
    Conversation,
    {
        "id": "i",
        "status": "CASE WHEN live THEN 'open' WHEN pending THEN 'pending' ELSE 'resolved' END",
        "priority": "CASE WHEN live AND t0 < %(now)s::timestamptz - interval '2 hours' THEN 3 ELSE 2 END",
        "waiting_since": "CASE WHEN live THEN t0 END",
        "response_due_at": "CASE WHEN live THEN t0 + interval '2 hours' END",
        "warning_at": "CASE WHEN live THEN t0 + interval '90 minutes' END",
        "sla_state": """CASE WHEN live THEN (CASE WHEN t0 < %(now)s::timestamptz - interval '2 hours' THEN 'breached'
            WHEN t0 < %(now)s::timestamptz - interval '90 minutes' THEN 'warning' ELSE 'ok' END)
            WHEN (CASE WHEN two_rounds THEN rbs2 ELSE rbs1 END) <= 7200 THEN 'met' ELSE 'breached' END""",
        "first_response_seconds": "CASE WHEN NOT live THEN rs1 END",
        "last_response_seconds": "CASE WHEN live THEN NULL WHEN two_rounds THEN rs2 ELSE rs1 END",
        "first_response_business_seconds": "CASE WHEN NOT live THEN rbs1 END",
        "last_response_business_seconds": "CASE WHEN live THEN NULL WHEN two_rounds THEN rbs2 ELSE rbs1 END",
        "preview": "'Order ' || i || ' has not arrived and nobody answers'",
        "language": "CASE WHEN i %% 3 = 0 THEN 'es' ELSE 'en' END",
        "last_message_at": "CASE WHEN live THEN t0 WHEN two_rounds THEN t3 ELSE t1 END",
        "resolved_at": """CASE WHEN live OR pending THEN NULL
            ELSE (CASE WHEN two_rounds THEN t3 ELSE t1 END) + make_interval(secs => 600 + r4 * 7200) END""",
        "created_at": "t0",
        "updated_at": "CASE WHEN live THEN t0 WHEN two_rounds THEN t3 ELSE t1 END",
        "assignee_id": "CASE WHEN live AND i %% 3 = 0 THEN NULL ELSE agent_id END",
        "channel_id": "channel_id",
        "contact_id": "%(first_contact)s - 1 + contact_offset",
        "team_id": "team_id",
        "sla_policy_id": "CASE WHEN team_index = 0 THEN %(business_policy)s ELSE %(policy)s END",
        "assigned_at": "CASE WHEN live AND i %% 3 = 0 THEN NULL ELSE t0 + interval '1 second' END",
        "escalation_level": "CASE WHEN escalated THEN 1 ELSE 0 END",
        "escalation_reason": "CASE WHEN escalated THEN 'Needs second tier' ELSE '' END",
    },
    "FROM bench_plan",
)

# Four possible messages per conversation: in (t0), out (t1), in (t2), out (t3).
MESSAGES = (
    Message,
    {
        "id": "i * 4 + k",
        "direction": "CASE WHEN k %% 2 = 0 THEN 'in' ELSE 'out' END",
        "visibility": "CASE WHEN i %% 10 = 0 THEN 'private' ELSE 'public' END",
        "external_id": "'m' || (i * 4 + k)",
        "parent_external_id": "CASE WHEN k = 0 THEN '' ELSE 'm' || (i * 4 + k - 1) END",
        "text": """CASE WHEN k %% 2 = 0 THEN 'Customer message ' || i || ': my order has not arrived'
            ELSE 'We are on it, sorry!' END""",
        "language": "CASE WHEN i %% 3 = 0 THEN 'es' ELSE 'en' END",
        "sent_at": "at",
        "created_at": "at + CASE WHEN k %% 2 = 0 THEN interval '1 second' ELSE interval '-5 seconds' END",
        "delivery": "CASE WHEN k %% 2 = 0 THEN '' ELSE 'sent' END",
        "response_seconds": "CASE k WHEN 1 THEN rs1 WHEN 3 THEN rs2 END",
        "response_business_seconds": "CASE k WHEN 1 THEN rbs1 WHEN 3 THEN rbs2 END",
        "author_contact_id": "CASE WHEN k %% 2 = 0 THEN %(first_contact)s - 1 + contact_offset END",
        "author_user_id": "CASE WHEN k %% 2 = 1 THEN agent_id END",
        "channel_id": "channel_id",
        "conversation_id": "i",
        "delivery_attempts": "CASE WHEN k %% 2 = 0 THEN 0 ELSE 1 END",
        "sentiment": """CASE WHEN k %% 2 = 0 THEN
            (CASE sentiment WHEN 'negative' THEN -0.6 WHEN 'neutral' THEN 0 ELSE 0.6 END) END""",
        "sentiment_label": "CASE WHEN k %% 2 = 0 THEN sentiment ELSE '' END",
    },
    """FROM bench_plan
    CROSS JOIN LATERAL (VALUES (0, t0), (1, t1), (2, t2), (3, t3)) AS m(k, at)
    WHERE k = 0 OR (NOT live AND (k = 1 OR two_rounds))
    ORDER BY at""",
)

# What the actions would have written, in time order (the table grows that way).
EVENTS = (
    ConversationEvent,
    {"kind": "kind", "data": "data", "created_at": "at", "actor_id": "actor", "conversation_id": "i"},
    """FROM (
  SELECT i, 'opened' AS kind, '{}'::jsonb AS data, t0 AS at, NULL::int AS actor FROM bench_plan
  UNION ALL
  SELECT i, 'assigned', jsonb_build_object('assignee', agent_id, 'reason', ''), t0 + interval '1 second', NULL
  FROM bench_plan WHERE NOT (live AND i %% 3 = 0)
  UNION ALL
  SELECT i, 'reply_queued', jsonb_build_object('message', i * 4 + k), at - interval '5 seconds', agent_id
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t1), (3, t3)) AS m(k, at) WHERE NOT live AND (k = 1 OR two_rounds)
  UNION ALL
  SELECT i, 'responded',
    jsonb_build_object('message', i * 4 + k, 'response_seconds', s, 'response_business_seconds', b, 'on_time', b <= 7200),
    at, agent_id
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t1, rs1, rbs1), (3, t3, rs2, rbs2)) AS m(k, at, s, b)
  WHERE NOT live AND (k = 1 OR two_rounds)
  UNION ALL
  SELECT i, 'sla_warning', '{}', start + interval '90 minutes', NULL
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t0, rbs1), (3, t2, rbs2)) AS m(k, start, b)
  WHERE NOT live AND (k = 1 OR two_rounds) AND b > 5400
  UNION ALL
  SELECT i, 'sla_breached', '{}', start + interval '2 hours', NULL
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t0, rbs1), (3, t2, rbs2)) AS m(k, start, b)
  WHERE NOT live AND (k = 1 OR two_rounds) AND b > 7200
  UNION ALL
  SELECT i, 'sla_warning', '{}', t0 + interval '90 minutes', NULL
  FROM bench_plan WHERE live AND t0 < %(now)s::timestamptz - interval '90 minutes'
  UNION ALL
  SELECT i, 'sla_breached', '{}', t0 + interval '2 hours', NULL
  FROM bench_plan WHERE live AND t0 < %(now)s::timestamptz - interval '2 hours'
  UNION ALL
  SELECT i, 'escalated', jsonb_build_object('level', 1, 'reason', 'Needs second tier'),
    t0 + make_interval(secs => rs1 / 2), agent_id
  FROM bench_plan WHERE escalated
  UNION ALL
  SELECT i, 'resolved', '{}', t1 + make_interval(secs => gap / 2), agent_id FROM bench_plan WHERE reopened
  UNION ALL
  SELECT i, 'reopened', '{}', t2, NULL FROM bench_plan WHERE reopened
  UNION ALL
  SELECT i, 'resolved', '{}', (CASE WHEN two_rounds THEN t3 ELSE t1 END) + make_interval(secs => 600 + r4 * 7200), agent_id
  FROM bench_plan WHERE NOT live AND NOT pending
) AS e
ORDER BY at""",
)


def insert_select(model, expressions, tail):
    """INSERT … SELECT with the given column expressions; every other column gets the
    model field's default, so the bench keeps working as the models grow."""
    columns, values, defaults = [], [], {}
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in expressions:
            values.append(expressions[field.attname])
        elif field.primary_key:
            columns.pop()
        else:
            key = f"default_{field.column}"
            default = field.get_default()
            defaults[key] = Jsonb(default) if isinstance(default, (dict, list)) else default
            values.append(f"%({key})s")
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} {tail}", defaults


def seed(n, days):
    teams, channels, agents, policy, business = setup_people()
    now = timezone.now()
    params = {
        "now": now,
        "n": n,
        "span": days * 86400,
        "channel_ids": [c.pk for c in channels],
        "team_ids": [t.pk for t in teams],
        "agent_ids": agents,
        "policy": policy.pk,
        "business_policy": business.pk,
    }
    execute("SET synchronous_commit = off")
    execute("SET work_mem = '256MB'")
    execute("SET maintenance_work_mem = '512MB'")
    execute(
        "CREATE FUNCTION bench_rnd(i bigint, d int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE"
        " AS $$ SELECT (hashint8(i * 16 + d) & 2147483647)::float8 / 2147483648 $$"
    )
    timings = {}

    def step(name, sql, extra=None):
        if isinstance(sql, tuple):
            sql, defaults = insert_select(*sql)
            extra = {**(extra or {}), **defaults}
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, **(extra or {})})
            rows = cursor.rowcount
        timings[name] = (rows, time.perf_counter() - started)
        print(f"  seeded {name:<14} {rows:>10,} rows in {timings[name][1]:6.1f} s", flush=True)

    step(
        "contacts",
        "INSERT INTO inbox_contact (platform, platform_id, handle, name, followers, verified, avatar_url, profile_url,"
        " created_at, updated_at) SELECT 'demo', 'c' || n, 'customer' || n, 'Customer ' || n, n %% 5000, false, '', '',"
        " %(now)s, %(now)s FROM generate_series(1, %(contacts)s) AS n",
        {"contacts": CONTACTS},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM inbox_contact")
        params["first_contact"] = cursor.fetchone()[0]
    step("plan", PLAN)
    step("conversations", CONVERSATIONS)
    step("messages", MESSAGES)
    step("events", EVENTS)
    execute("DROP TABLE bench_plan")
    execute("DROP FUNCTION bench_rnd")
    for table in ("inbox_conversation", "inbox_message", "inbox_conversationevent"):
        execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    return timings


# The data migration docs/metrics.md proposes with the `first` flag of responded rows.
BACKFILL_FIRST = """
UPDATE inbox_conversationevent AS e SET data = e.data || jsonb_build_object('first', f.first)
FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id ORDER BY id) = 1 AS first
      FROM inbox_conversationevent WHERE kind = 'responded') AS f
WHERE e.id = f.id AND NOT e.data ? 'first'
"""


def create_indexes():
    started = time.perf_counter()
    execute("SET maintenance_work_mem = '512MB'")
    for name, definition in INDEXES.items():
        execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    return time.perf_counter() - started


def drop_indexes():
    for name in INDEXES:
        execute(f"DROP INDEX IF EXISTS {name}")


def timed(function, runs):
    function()  # warm-up: plans, caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def table_sizes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class"
            " WHERE relname IN ('inbox_conversation', 'inbox_message', 'inbox_conversationevent')"
            " ORDER BY relname"
        )
        return cursor.fetchall()


def main():
    if not args.reuse:
        print(f"bench/dashboard.py: seeding {args.conversations:,} conversations over {args.days} days")
        started = time.perf_counter()
        seed(args.conversations, args.days)
        seeded = time.perf_counter() - started
        print(f"  seeding took {seeded:.0f} s")
    if args.without_indexes:
        drop_indexes()
        print("  without the proposed indexes")
    else:
        print(f"  proposed indexes ready in {create_indexes():.0f} s")
    if args.first_flag:
        started = time.perf_counter()
        execute("SET work_mem = '256MB'")
        with connection.cursor() as cursor:
            cursor.execute(BACKFILL_FIRST)
            flagged = cursor.rowcount
        print(f"  data.first set on {flagged:,} responded rows in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE data ? 'first'), count(*) FROM inbox_conversationevent WHERE kind = 'responded'")
        flagged, responded = cursor.fetchone()
    print(f"  responded rows carrying data.first: {flagged:,} of {responded:,}")
    started = time.perf_counter()
    execute("VACUUM ANALYZE")  # as autovacuum would have, on a table that grew over a year
    print(f"  vacuum analyze {time.perf_counter() - started:.0f} s")
    for name, rows, size in table_sizes():
        print(f"  {name:<24} {rows:>11,} rows  {size:>8}")

    zone = metrics.zone_of("Europe/Madrid")
    team = Team.objects.order_by("pk").first()
    items = []
    for name in ("today", "7d", "30d"):
        period = metrics.Period.named(name, zone)
        items += [
            (f"responses {name}", lambda p=period: metrics.responses(p)),
            (f"volume {name}", lambda p=period: metrics.volume(p)),
            (f"sentiment_trend {name}", lambda p=period: metrics.sentiment_trend(p)),
            (f"resolution {name}", lambda p=period: metrics.resolution(p)),
            (f"incidents {name}", lambda p=period: metrics.incidents(p)),
        ]
    month = metrics.Period.named("30d", zone)
    by_team = metrics.Filters(team_id=team.pk)
    by_network = metrics.Filters(network="twitter")
    items += [
        ("responses 30d, one team", lambda: metrics.responses(month, by_team)),
        ("volume 30d, one team", lambda: metrics.volume(month, by_team)),
        ("resolution 30d, one team", lambda: metrics.resolution(month, by_team)),
        ("responses 30d, one network", lambda: metrics.responses(month, by_network)),
        ("now_counts", lambda: metrics.now_counts()),
        ("team_backlog", lambda: metrics.team_backlog()),
        ("agent_load", lambda: metrics.agent_load()),
        ("breached_conversations", lambda: metrics.breached_conversations()),
        ("at_risk_conversations", lambda: metrics.at_risk_conversations()),
        ("active_crises", lambda: metrics.active_crises()),
    ]
    client = Client(HTTP_HOST="localhost")
    supervisor = get_user_model().objects.get(username=SUPERVISOR)
    AgentProfile.objects.filter(user=supervisor).update(time_zone="Europe/Madrid")
    client.force_login(supervisor)

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            b"".join(response) if response.streaming else response.content

        return get

    items += [
        ("page /supervisor/ (today)", page("/supervisor/")),
        ("page /supervisor/?period=7d", page("/supervisor/?period=7d")),
        ("page /supervisor/?period=30d", page("/supervisor/?period=30d")),
        ("fragment /supervisor/now/", page("/supervisor/now/")),
    ]
    print(f"  {args.runs} runs each, milliseconds")
    print(f"  {'item':<34} {'p50':>8} {'p95':>8}")
    for name, function in items:
        p50, p95 = timed(function, args.runs)
        flag = "" if p95 <= 200 else "  > 200 ms"
        print(f"  {name:<34} {p50:>8.1f} {p95:>8.1f}{flag}", flush=True)
    print("  target: p95 ≤ 200 ms")


if __name__ == "__main__":
    main()
