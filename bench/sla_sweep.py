"""The SLA sweep over 100,000 open conversations: time per sweep.

Seeds (in SQL, fast) open conversations whose clocks are spread over the coming hours, so
a sweep sees a realistic few crossing their warning or breach, then times:
  idle     a sweep when nothing is due (the cost of looking),
  steady   a sweep 15 s later (what the beat runs every 15 s),
  backlog  a sweep after the worker was down for an hour (thousands due at once).

    .venv/bin/python bench/sla_sweep.py --conversations 100000
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialcare.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialcare_bench")

from bench.support import fresh_database, purge_queues  # noqa: E402

# Read before anything is dropped: --help or a typo must not cost the seeded database.
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--conversations", type=int, default=100_000)
args = parser.parse_args()
fresh_database()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from agents.models import Team  # noqa: E402
from connectors.models import Channel  # noqa: E402
from inbox.actions import sweep_sla  # noqa: E402
from inbox.sla import default_policy  # noqa: E402


def seed(count):
    """Open conversations waiting since up to 2 h ago; due 2 h after that, warned at 1.5 h."""
    team = Team.objects.create(name="bench")
    channel = Channel.objects.create(kind="demo", name="bench", default_team=team)
    policy = default_policy()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inbox_contact (platform, platform_id, handle, name, followers, verified, avatar_url,"
            " profile_url, created_at, updated_at)"
            " SELECT 'demo', 'c' || n, 'user' || n, 'User ' || n, n %% 5000, false, '', '', now(), now()"
            " FROM generate_series(1, %s) AS n",
            [count],
        )
        cursor.execute(
            "INSERT INTO inbox_conversation (channel_id, contact_id, status, priority, team_id, sla_policy_id,"
            " waiting_since, response_due_at, warning_at, sla_state, preview, language, last_message_at, created_at,"
            " updated_at, escalation_level, escalation_reason)"
            " SELECT %s, c.id, 'open', 2, %s, %s, w, w + interval '2 hours', w + interval '90 minutes',"
            "   CASE WHEN w + interval '2 hours' <= now() THEN 'breached'"
            "        WHEN w + interval '90 minutes' <= now() THEN 'warning' ELSE 'ok' END,"
            "   'Where is my order?', 'en', w, w, w, 0, ''"
            " FROM (SELECT id, now() - (random() * interval '2 hours') AS w FROM inbox_contact) AS c",
            [channel.pk, team.pk, policy.pk],
        )
        cursor.execute("ANALYZE")


def timed(now):
    started = time.perf_counter()
    raised = sweep_sla(now)
    return (time.perf_counter() - started) * 1000, raised


def main():
    started = time.perf_counter()
    seed(args.conversations)
    print(f"bench/sla_sweep.py: {args.conversations} open conversations seeded in {time.perf_counter() - started:.1f} s")
    now = timezone.now()
    timed(now)  # raise what the seed already had due
    rows = [("idle", now), ("steady", now + timedelta(seconds=15)), ("backlog", now + timedelta(hours=1))]
    for label, moment in rows:
        ms, raised = timed(moment)
        counts = ", ".join(f"{str(kind)} {n}" for kind, n in raised.items())
        print(f"  {label:<8} {ms:8.1f} ms   ({counts})")
    purge_queues()
    print("  target: a sweep ≤ 1000 ms")


if __name__ == "__main__":
    main()
