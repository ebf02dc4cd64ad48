"""The benchmark data set, shared by bench/inbox.py and bench/dashboard.py: a year of care
work at a chosen size (a million conversations by default), seeded in SQL with
`INSERT … SELECT … FROM generate_series`.

- 10 teams of 10 agents (team 0 answers in business hours, Madrid), a supervisor, ten
  channels (two per network), four labels; 0.3 contacts per conversation.
- Conversations spread evenly over the history. Those of the last 12 hours are open and
  waiting. Of the older ones, 15 % are still open and waiting (a stale backlog that loads
  the inbox lists and the Now numbers), 10 % pending, 5 % snoozed and 70 % resolved.
- Each conversation has its messages (the customer's, a chaser when nobody answered for
  half an hour, our replies; about 2.7 per conversation) and the audit rows the actions
  write: opened, assigned, reply_queued, responded, sla_warning, sla_breached, escalated,
  resolved, reopened. Half of the answered conversations older than four days had a second
  round; response times lean short (cube of a uniform draw, up to 4 hours), so some are
  late; every 37th two-round conversation was reopened, every 29th escalated.

Heavy indexes are dropped during the load and built again after it, as a bulk import into
a live PostgreSQL would do.
"""

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from agents.models import AgentProfile, Presence, Role, Team
from connectors.models import Channel
from inbox.models import BusinessCalendar, Conversation, ConversationEvent, Label, Message, SLAPolicy
from inbox.sla import default_policy

TEAMS = 10
AGENTS_PER_TEAM = 10
CHANNELS = 10
NETWORKS = ["twitter", "facebook", "discourse", "feed", "demo"]
LABELS = ("vip", "legal", "billing", "outage")
CONTACTS_PER_CONVERSATION = 0.3
SUPERVISOR = "supervisor"
WORDS = (
    "router internet factura pedido reembolso envío app pago tarjeta cuenta fibra señal llamada técnico "
    "order refund invoice delivery parcel password account login charge billing outage flight luggage"
).split()
WORD_ARRAY = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"


def word(seed: str) -> str:
    return f"({WORD_ARRAY})[1 + ({seed}) %% {len(WORDS)}]"


def seed(conversations, days=365, log=print):
    """Returns the agents (users, in team order) and the supervisor created."""
    started = time.perf_counter()
    people = _people()
    now = timezone.now()
    params = {
        "now": now,
        "n": conversations,
        "span": days * 86400,
        "contacts": max(int(conversations * CONTACTS_PER_CONVERSATION), 1),
        "channel_ids": [c.pk for c in people["channels"]],
        "team_ids": [t.pk for t in people["teams"]],
        "agent_ids": [u.pk for u in people["agents"]],
        "policy": people["policy"].pk,
        "business_policy": people["business_policy"].pk,
        "vip": people["vip"].pk,
    }
    with connection.cursor() as cursor:
        for setting in ("synchronous_commit = off", "work_mem = '256MB'", "maintenance_work_mem = '512MB'"):
            cursor.execute(f"SET {setting}")
        _drop_heavy_indexes(cursor)
        cursor.execute(
            "CREATE FUNCTION bench_rnd(i bigint, d int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE"
            " AS $$ SELECT (hashint8(i * 16 + d) & 2147483647)::float8 / 2147483648 $$"
        )

        def step(name, sql):
            if isinstance(sql, tuple):
                sql, defaults = _insert_select(*sql)
                params.update(defaults)
            begun = time.perf_counter()
            cursor.execute(sql, params)
            log(f"  seeded {name:<14} {cursor.rowcount:>10,} rows in {time.perf_counter() - begun:6.1f} s")

        step("contacts", CONTACTS)
        cursor.execute("SELECT min(id) FROM inbox_contact")
        params["first_contact"] = cursor.fetchone()[0]
        step("plan", PLAN)
        step("conversations", CONVERSATIONS)
        step("labels", VIP_LABELS)
        step("messages", MESSAGES)
        step("events", EVENTS)
        cursor.execute("DROP TABLE bench_plan")
        cursor.execute("DROP FUNCTION bench_rnd")
        for table in ("inbox_conversation", "inbox_message", "inbox_conversationevent"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        log(f"  loaded in {time.perf_counter() - started:.0f} s; building indexes")
        _build_heavy_indexes(cursor)
        # As autovacuum would have, on tables that grew over a year.
        cursor.execute("VACUUM ANALYZE") if connection.get_autocommit() else cursor.execute("ANALYZE")
    log(f"  seeded in {time.perf_counter() - started:.0f} s")
    return people["agents"], people["supervisor"]


def _people():
    policy = default_policy()
    teams = Team.objects.bulk_create([Team(name=f"Team {n}") for n in range(TEAMS)])
    calendar = BusinessCalendar.objects.create(
        name="Office", time_zone="Europe/Madrid", hours={str(d): [["09:00", "18:00"]] for d in range(5)}
    )
    business_policy = SLAPolicy.objects.create(name="Office hours", team=teams[0], calendar=calendar, position=1)
    channels = Channel.objects.bulk_create(
        [
            Channel(kind=NETWORKS[n % len(NETWORKS)], name=f"{NETWORKS[n % len(NETWORKS)]} {n}", default_team=teams[n])
            for n in range(CHANNELS)
        ]
    )
    User = get_user_model()
    # Agent t·10+k is the k-th agent of team t: the plan picks agents by that position.
    agents = User.objects.bulk_create(
        [User(username=f"agent{n}", first_name=f"Agent {n}") for n in range(TEAMS * AGENTS_PER_TEAM)]
    )
    presences = [Presence.ONLINE, Presence.AWAY, Presence.OFFLINE]
    for n, user in enumerate(agents):
        profile = AgentProfile.objects.create(
            user=user, role=Role.AGENT, capacity=8, presence=presences[n % 3], last_seen_at=timezone.now()
        )
        profile.teams.add(teams[n // AGENTS_PER_TEAM])
    supervisor = User.objects.create(username=SUPERVISOR, first_name="Sofía")
    AgentProfile.objects.create(user=supervisor, role=Role.SUPERVISOR, time_zone="Europe/Madrid")
    labels = Label.objects.bulk_create([Label(name=name) for name in LABELS])
    return {
        "policy": policy, "business_policy": business_policy, "teams": teams, "channels": channels,
        "agents": agents, "supervisor": supervisor, "vip": labels[0],
    }


CONTACTS = """
INSERT INTO inbox_contact (platform, platform_id, handle, name, followers, verified, avatar_url, profile_url,
  created_at, updated_at)
SELECT 'twitter', 'c' || n, 'user' || n, 'Customer ' || n, (n::bigint * 7919) %% 200000, n %% 97 = 0, '', '',
  %(now)s, %(now)s
FROM generate_series(1, %(contacts)s) AS n
"""

# One row per conversation with every time and choice the inserts below share.
PLAN = f"""
CREATE UNLOGGED TABLE bench_plan AS
WITH base AS (
  SELECT i,
    %(now)s::timestamptz - make_interval(secs => (%(n)s - i + 0.5) * %(span)s / %(n)s) AS t0,
    bench_rnd(i, 1) AS r1, bench_rnd(i, 2) AS r2, bench_rnd(i, 3) AS r3, bench_rnd(i, 4) AS r4,
    bench_rnd(i, 5) AS r5, bench_rnd(i, 6) AS r6, bench_rnd(i, 7) AS r7
  FROM generate_series(1, %(n)s) AS i
), shaped AS (
  SELECT *,
    i %% {TEAMS} AS team_index,
    (%(team_ids)s::bigint[])[1 + i %% {TEAMS}] AS team_id,
    (%(channel_ids)s::bigint[])[1 + (i / {TEAMS}) %% {CHANNELS}] AS channel_id,
    (%(agent_ids)s::int[])[1 + (i %% {TEAMS}) * {AGENTS_PER_TEAM} + floor(r6 * {AGENTS_PER_TEAM})::int] AS agent_id,
    1 + floor(r7 * %(contacts)s)::bigint AS contact_offset,
    CASE WHEN t0 > %(now)s::timestamptz - interval '12 hours' OR i %% 20 < 3 THEN 'open'
      WHEN i %% 20 < 5 THEN 'pending' WHEN i %% 20 = 5 THEN 'snoozed' ELSE 'resolved' END AS status,
    30 + floor(r1 ^ 3 * 14400)::int AS rs1,
    30 + floor(r3 ^ 3 * 14400)::int AS rs2,
    300 + floor(r2 * 172800)::int AS gap
  FROM base
), rounds AS (
  SELECT *,
    status = 'open' AS waiting,
    (status = 'open' AND t0 < %(now)s::timestamptz - interval '30 minutes') AS chased,
    (status <> 'open' AND i %% 2 = 1 AND t0 < %(now)s::timestamptz - interval '4 days') AS two_rounds,
    CASE WHEN team_index = 0 THEN floor(rs1 * 0.55)::int ELSE rs1 END AS rbs1,
    CASE WHEN team_index = 0 THEN floor(rs2 * 0.55)::int ELSE rs2 END AS rbs2
  FROM shaped
)
SELECT *,
  t0 + make_interval(secs => rs1) AS t1,
  CASE WHEN waiting THEN t0 + interval '20 minutes' ELSE t0 + make_interval(secs => rs1 + gap) END AS t2,
  t0 + make_interval(secs => rs1 + gap + rs2) AS t3,
  (two_rounds AND status = 'resolved' AND i %% 37 = 0) AS reopened,
  (NOT waiting AND i %% 29 = 0) AS escalated,
  (waiting AND i %% 10 >= 7) AS unassigned,
  CASE WHEN r5 < 0.35 THEN 'negative' WHEN r5 < 0.75 THEN 'neutral' ELSE 'positive' END AS sentiment
FROM rounds
"""

CONVERSATIONS = (
    Conversation,
    {
        "id": "i",
        "status": "status",
        "priority": "1 + i %% 4",
        "waiting_since": "CASE WHEN waiting THEN t0 END",
        "response_due_at": "CASE WHEN waiting THEN t0 + interval '2 hours' END",
        "warning_at": "CASE WHEN waiting THEN t0 + interval '90 minutes' END",
        "sla_state": """CASE WHEN waiting THEN (CASE WHEN t0 < %(now)s::timestamptz - interval '2 hours' THEN 'breached'
            WHEN t0 < %(now)s::timestamptz - interval '90 minutes' THEN 'warning' ELSE 'ok' END)
            WHEN (CASE WHEN two_rounds THEN rbs2 ELSE rbs1 END) <= 7200 THEN 'met' ELSE 'breached' END""",
        "first_response_seconds": "CASE WHEN NOT waiting THEN rs1 END",
        "last_response_seconds": "CASE WHEN waiting THEN NULL WHEN two_rounds THEN rs2 ELSE rs1 END",
        "first_response_business_seconds": "CASE WHEN NOT waiting THEN rbs1 END",
        "last_response_business_seconds": "CASE WHEN waiting THEN NULL WHEN two_rounds THEN rbs2 ELSE rbs1 END",
        "preview": f"'My ' || {word('i')} || ' is still not working'",
        "language": "CASE WHEN i %% 2 = 0 THEN 'es' ELSE 'en' END",
        "last_message_at": "CASE WHEN chased OR two_rounds THEN (CASE WHEN waiting THEN t2 ELSE t3 END)"
        " WHEN waiting THEN t0 ELSE t1 END",
        "snoozed_until": "CASE WHEN status = 'snoozed' THEN %(now)s::timestamptz + interval '1 day' END",
        "resolved_at": """CASE WHEN status = 'resolved'
            THEN (CASE WHEN two_rounds THEN t3 ELSE t1 END) + make_interval(secs => 600 + r4 * 7200) END""",
        "created_at": "t0",
        "updated_at": "CASE WHEN waiting THEN t0 WHEN two_rounds THEN t3 ELSE t1 END",
        "assignee_id": "CASE WHEN unassigned THEN NULL ELSE agent_id END",
        "assigned_at": "CASE WHEN unassigned THEN NULL ELSE t0 + interval '1 second' END",
        "channel_id": "channel_id",
        "contact_id": "%(first_contact)s - 1 + contact_offset",
        "team_id": "team_id",
        "sla_policy_id": "CASE WHEN team_index = 0 THEN %(business_policy)s ELSE %(policy)s END",
        "escalation_level": "CASE WHEN escalated THEN 1 ELSE 0 END",
        "escalation_reason": "CASE WHEN escalated THEN 'Needs second tier' ELSE '' END",
    },
    "FROM bench_plan",
)

VIP_LABELS = "INSERT INTO inbox_conversation_labels (conversation_id, label_id) SELECT i, %(vip)s FROM bench_plan WHERE i %% 50 = 0"

# Four possible messages per conversation: in (t0), out (t1), in (t2: the next round, or a
# chaser), out (t3).
MESSAGES = (
    Message,
    {
        "id": "i * 4 + k",
        "direction": "CASE WHEN k %% 2 = 0 THEN 'in' ELSE 'out' END",
        "visibility": "CASE WHEN i %% 10 = 0 THEN 'private' ELSE 'public' END",
        "external_id": "'m' || (i * 4 + k)",
        "parent_external_id": "CASE WHEN k = 0 THEN '' ELSE 'm' || (i * 4 + k - 1) END",
        "text": f"""CASE WHEN k %% 2 = 0 THEN 'Mensaje ' || k || ': mi ' || {word('i + k')} || ' y el '
            || {word('i * 3 + k')} || ' no funcionan, order ' || i ELSE 'We are on it, sorry!' END""",
        "language": "CASE WHEN i %% 2 = 0 THEN 'es' ELSE 'en' END",
        "sent_at": "at",
        "created_at": "at + CASE WHEN k %% 2 = 0 THEN interval '1 second' ELSE interval '-5 seconds' END",
        "delivery": "CASE WHEN k %% 2 = 0 THEN '' ELSE 'sent' END",
        "delivery_attempts": "CASE WHEN k %% 2 = 0 THEN 0 ELSE 1 END",
        "response_seconds": "CASE k WHEN 1 THEN rs1 WHEN 3 THEN rs2 END",
        "response_business_seconds": "CASE k WHEN 1 THEN rbs1 WHEN 3 THEN rbs2 END",
        "response_first": "CASE k WHEN 1 THEN true WHEN 3 THEN false END",
        "response_on_time": "CASE k WHEN 1 THEN rbs1 <= 7200 WHEN 3 THEN rbs2 <= 7200 END",
        "author_contact_id": "CASE WHEN k %% 2 = 0 THEN %(first_contact)s - 1 + contact_offset END",
        "author_user_id": "CASE WHEN k %% 2 = 1 THEN agent_id END",
        "channel_id": "channel_id",
        "conversation_id": "i",
        "sentiment": """CASE WHEN k %% 2 = 0 THEN
            (CASE sentiment WHEN 'negative' THEN -0.6 WHEN 'neutral' THEN 0 ELSE 0.6 END) END""",
        "sentiment_label": "CASE WHEN k %% 2 = 0 THEN sentiment ELSE '' END",
    },
    """FROM bench_plan
    CROSS JOIN LATERAL (VALUES (0, t0), (1, t1), (2, t2), (3, t3)) AS m(k, at)
    WHERE k = 0 OR (k = 1 AND NOT waiting) OR (k = 2 AND (two_rounds OR chased)) OR (k = 3 AND two_rounds)
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
  FROM bench_plan WHERE NOT unassigned
  UNION ALL
  SELECT i, 'reply_queued', jsonb_build_object('message', i * 4 + k), at - interval '5 seconds', agent_id
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t1), (3, t3)) AS m(k, at)
  WHERE NOT waiting AND (k = 1 OR two_rounds)
  UNION ALL
  SELECT i, 'responded',
    jsonb_build_object('message', i * 4 + k, 'response_seconds', s, 'response_business_seconds', b,
      'on_time', b <= 7200, 'first', k = 1),
    at, agent_id
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t1, rs1, rbs1), (3, t3, rs2, rbs2)) AS m(k, at, s, b)
  WHERE NOT waiting AND (k = 1 OR two_rounds)
  UNION ALL
  SELECT i, 'sla_warning', '{}', start + interval '90 minutes', NULL
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t0, rbs1), (3, t2, rbs2)) AS m(k, start, b)
  WHERE NOT waiting AND (k = 1 OR two_rounds) AND b > 5400
  UNION ALL
  SELECT i, 'sla_breached', '{}', start + interval '2 hours', NULL
  FROM bench_plan CROSS JOIN LATERAL (VALUES (1, t0, rbs1), (3, t2, rbs2)) AS m(k, start, b)
  WHERE NOT waiting AND (k = 1 OR two_rounds) AND b > 7200
  UNION ALL
  SELECT i, 'sla_warning', '{}', t0 + interval '90 minutes', NULL
  FROM bench_plan WHERE waiting AND t0 < %(now)s::timestamptz - interval '90 minutes'
  UNION ALL
  SELECT i, 'sla_breached', '{}', t0 + interval '2 hours', NULL
  FROM bench_plan WHERE waiting AND t0 < %(now)s::timestamptz - interval '2 hours'
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
  FROM bench_plan WHERE status = 'resolved'
) AS e
ORDER BY at""",
)


def _insert_select(model, expressions, tail):
    """INSERT … SELECT with the given column expressions; every other column gets the
    model field's default, so the data set keeps working as the models grow."""
    columns, values, defaults = [], [], {}
    for field in model._meta.concrete_fields:
        if field.attname not in expressions and field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in expressions:
            values.append(expressions[field.attname])
        else:
            key = f"default_{model._meta.model_name}_{field.column}"
            default = field.get_default()
            defaults[key] = Jsonb(default) if isinstance(default, (dict, list)) else default
            values.append(f"%({key})s")
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} {tail}", defaults


HEAVY = {
    "message_text_search_idx": "CREATE INDEX message_text_search_idx ON inbox_message"
    " USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))",
    "contact_handle_search_idx": "CREATE INDEX contact_handle_search_idx ON inbox_contact"
    " USING gin (UPPER(handle::text) gin_trgm_ops)",
    "contact_name_search_idx": "CREATE INDEX contact_name_search_idx ON inbox_contact"
    " USING gin (UPPER(name::text) gin_trgm_ops)",
}


def _drop_heavy_indexes(cursor):
    for name in HEAVY:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _build_heavy_indexes(cursor):
    for sql in HEAVY.values():
        cursor.execute(sql)
