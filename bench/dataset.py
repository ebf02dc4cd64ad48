"""A large inbox, seeded in SQL: teams, agents, channels, contacts, conversations and
messages in realistic shares. Shared by the inbox and dashboard benchmarks.

Heavy indexes are dropped during the load and built again after it, which is how a bulk
import into a live PostgreSQL would be done too.
"""

import time

from django.contrib.auth import get_user_model
from django.db import connection

from agents.models import AgentProfile, Presence, Role, Team
from connectors.models import Channel
from inbox.models import Label
from inbox.sla import default_policy

TEAMS = 10
AGENTS_PER_TEAM = 10
CONTACTS_PER_CONVERSATION = 0.3
WORDS = (
    "router internet factura pedido reembolso envío app pago tarjeta cuenta fibra señal llamada técnico "
    "order refund invoice delivery parcel password account login charge billing outage flight luggage"
).split()


def seed(conversations, messages_per_conversation=3, log=print):
    """Returns the agents (users) and the supervisor created."""
    started = time.perf_counter()
    teams = Team.objects.bulk_create([Team(name=f"Team {n}") for n in range(TEAMS)])
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"agent{n}", first_name=f"Agent {n}") for n in range(TEAMS * AGENTS_PER_TEAM)])
    for n, user in enumerate(users):
        profile = AgentProfile.objects.create(user=user, role=Role.AGENT, presence=Presence.ONLINE)
        profile.teams.add(teams[n % TEAMS])
    boss = User.objects.create(username="supervisor", first_name="Sofía")
    AgentProfile.objects.create(user=boss, role=Role.SUPERVISOR)
    kinds = ["twitter", "facebook", "discourse", "feed", "demo"]
    channels = Channel.objects.bulk_create([Channel(kind=k, name=f"{k} channel", default_team=teams[0]) for k in kinds])
    Label.objects.bulk_create([Label(name=name) for name in ("vip", "legal", "billing", "outage")])
    policy = default_policy()
    contacts = max(int(conversations * CONTACTS_PER_CONVERSATION), 1)
    with connection.cursor() as cursor:
        _drop_heavy_indexes(cursor)
        cursor.execute(
            "INSERT INTO inbox_contact (platform, platform_id, handle, name, followers, verified, avatar_url, profile_url,"
            " created_at, updated_at)"
            " SELECT 'twitter', 'c' || n, 'user' || n, 'Customer ' || n, (n::bigint * 7919) %% 200000, n %% 97 = 0, '', '', now(), now()"
            " FROM generate_series(1, %s) AS n",
            [contacts],
        )
        cursor.execute("SELECT min(id) FROM inbox_contact")
        first_contact = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'agent%%'")
        first_user = cursor.fetchone()[0]
        words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
        cursor.execute(
            f"""
            INSERT INTO inbox_conversation (channel_id, contact_id, status, priority, team_id, assignee_id, sla_policy_id,
              waiting_since, response_due_at, warning_at, sla_state, preview, language, last_message_at, created_at, updated_at,
              resolved_at, escalation_level, escalation_reason, first_response_seconds, first_response_business_seconds)
            SELECT ch, %(first_contact)s + (n %% %(contacts)s), st, 1 + n %% 4, %(first_team)s + team, assignee, %(policy)s,
              CASE WHEN st = 'open' THEN t ELSE NULL END,
              CASE WHEN st = 'open' THEN t + interval '2 hours' ELSE NULL END,
              CASE WHEN st = 'open' THEN t + interval '90 minutes' ELSE NULL END,
              CASE WHEN st = 'open' AND t < now() - interval '2 hours' THEN 'breached'
                   WHEN st = 'open' AND t < now() - interval '90 minutes' THEN 'warning'
                   WHEN st = 'open' THEN 'ok' ELSE 'met' END,
              'My ' || ({words})[1 + n %% {len(WORDS)}] || ' is still not working',
              CASE WHEN n %% 2 = 0 THEN 'es' ELSE 'en' END, t, t - interval '1 hour', t,
              CASE WHEN st = 'resolved' THEN t + interval '3 hours' ELSE NULL END, 0, '',
              CASE WHEN st = 'open' THEN NULL ELSE 600 + n %% 7200 END,
              CASE WHEN st = 'open' THEN NULL ELSE 600 + n %% 3600 END
            FROM (
              SELECT n, (n %% {TEAMS}) AS team,
                CASE WHEN n %% 20 < 3 THEN 'open' WHEN n %% 20 < 5 THEN 'pending' WHEN n %% 20 = 5 THEN 'snoozed'
                     ELSE 'resolved' END AS st,
                CASE WHEN n %% 10 < 7 THEN %(first_user)s + (n %% {TEAMS}) + {TEAMS} * ((n / {TEAMS}) %% {AGENTS_PER_TEAM})
                     ELSE NULL END AS assignee,
                %(first_channel)s + n %% 5 AS ch,
                now() - (n * interval '30 seconds') AS t
              FROM generate_series(1, %(count)s) AS n
            ) AS s
            """,
            {
                "first_contact": first_contact,
                "contacts": contacts,
                "first_team": teams[0].pk,
                "policy": policy.pk,
                "first_user": first_user,
                "first_channel": channels[0].pk,
                "count": conversations,
            },
        )
        cursor.execute(
            f"""
            INSERT INTO inbox_message (conversation_id, channel_id, direction, visibility, external_id, parent_external_id,
              thread_external_id, author_contact_id, text, language, url, sent_at, created_at, delivery, delivery_error,
              delivery_attempts, response_seconds, sentiment, sentiment_label)
            SELECT c.id, c.channel_id, CASE WHEN k = 2 THEN 'out' ELSE 'in' END, 'public',
              'm' || c.id || '-' || k, '', '', CASE WHEN k = 2 THEN NULL ELSE c.contact_id END,
              'Mensaje ' || k || ': mi ' || ({words})[1 + (c.id + k) %% {len(WORDS)}] || ' y el '
                || ({words})[1 + (c.id * 3 + k) %% {len(WORDS)}] || ' no funcionan, order ' || c.id,
              c.language, '', c.created_at + k * interval '20 minutes', c.created_at + k * interval '20 minutes',
              CASE WHEN k = 2 THEN 'sent' ELSE '' END, '', CASE WHEN k = 2 THEN 1 ELSE 0 END,
              CASE WHEN k = 2 THEN 1200 ELSE NULL END,
              CASE WHEN k = 2 THEN NULL ELSE -0.5 + (c.id %% 10) / 10.0 END,
              CASE WHEN k = 2 THEN '' WHEN c.id %% 10 < 4 THEN 'negative' WHEN c.id %% 10 < 7 THEN 'neutral' ELSE 'positive' END
            FROM inbox_conversation c CROSS JOIN generate_series(0, %s - 1) AS k
            """,
            [messages_per_conversation],
        )
        log(f"  loaded in {time.perf_counter() - started:.0f} s; building indexes")
        _build_heavy_indexes(cursor)
        cursor.execute("VACUUM ANALYZE") if connection.get_autocommit() else cursor.execute("ANALYZE")
    log(f"  seeded in {time.perf_counter() - started:.0f} s")
    return users, boss


HEAVY = {
    "message_text_search_idx": "CREATE INDEX message_text_search_idx ON inbox_message"
    " USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))",
    "contact_handle_trgm_idx": "CREATE INDEX contact_handle_trgm_idx ON inbox_contact USING gin (handle gin_trgm_ops)",
    "contact_name_trgm_idx": "CREATE INDEX contact_name_trgm_idx ON inbox_contact USING gin (name gin_trgm_ops)",
}


def _drop_heavy_indexes(cursor):
    for name in HEAVY:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _build_heavy_indexes(cursor):
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for sql in HEAVY.values():
        cursor.execute(sql)
