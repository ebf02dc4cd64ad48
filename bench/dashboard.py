"""Dashboard speed at volume: p50/p95 of the dashboard pages, each metric and the metrics API.

On the inbox benchmark's data set (bench/dataset.py: a year of history, by default
1,000,000 conversations), with the indexes the migrations create. Everything runs once to
warm up (then the heap is frozen, as socialcare/asgi.py does in the server), then N times;
pages and API requests go through Django's test client (the whole request, in process).

    make bench BENCHES=dashboard
    .venv/bin/python bench/dashboard.py --conversations 200000 --runs 20
    .venv/bin/python bench/dashboard.py --keep     # time again on the data already seeded
"""

import argparse
import gc
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
parser.add_argument("--keep", action="store_true", help="measure the data already seeded (by this or bench/inbox.py)")
args = parser.parse_args()

from bench.support import fresh_database, purge_queues  # noqa: E402

fresh_database(keep=args.keep)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from agents import metrics  # noqa: E402
from agents.models import Team  # noqa: E402
from bench import dataset  # noqa: E402

TARGET_MS = 200


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
    if args.keep:
        supervisor = get_user_model().objects.get(username=dataset.SUPERVISOR)
    else:
        print(f"bench/dashboard.py: seeding {args.conversations:,} conversations over {args.days} days")
        _agents, supervisor = dataset.seed(args.conversations, args.days)
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
        ("attention (now counts, backlog, load)", metrics.attention),
        ("breached_conversations", lambda: metrics.breached_conversations()),
        ("at_risk_conversations", lambda: metrics.at_risk_conversations()),
        ("active_crises", lambda: metrics.active_crises()),
    ]
    client = Client(HTTP_HOST="localhost")
    client.force_login(supervisor)

    def get(url):
        def request():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            b"".join(response) if response.streaming else response.content

        return request

    items += [
        ("page /supervisor/ (today)", get("/supervisor/")),
        ("page /supervisor/?period=7d", get("/supervisor/?period=7d")),
        ("page /supervisor/?period=30d", get("/supervisor/?period=30d")),
        (f"page /supervisor/?period=30d&team={team.pk}", get(f"/supervisor/?period=30d&team={team.pk}")),
        ("page /supervisor/now/ (live fragment)", get("/supervisor/now/")),
        ("api /api/metrics/?period=today", get("/api/metrics/?period=today")),
        ("api /api/metrics/?period=7d", get("/api/metrics/?period=7d")),
        ("api /api/metrics/?period=30d", get("/api/metrics/?period=30d")),
        ("api /api/metrics/?period=30d&network=twitter", get("/api/metrics/?period=30d&network=twitter")),
    ]
    for _name, function in items:
        function()  # first calls compile templates, fill caches: the server has done so long ago
    gc.freeze()  # as socialcare/asgi.py does at start
    print(f"  {args.runs} runs each, milliseconds")
    print(f"  {'item':<44} {'p50':>8} {'p95':>8}")
    worst = {"metric": 0.0, "page": 0.0, "api": 0.0}
    for name, function in items:
        p50, p95 = timed(function, args.runs)
        kind = name.split()[0] if name.split()[0] in worst else "metric"
        worst[kind] = max(worst[kind], p95)
        flag = "" if p95 <= TARGET_MS else f"  > {TARGET_MS} ms"
        print(f"  {name:<44} {p50:>8.1f} {p95:>8.1f}{flag}", flush=True)
    purge_queues()
    print(
        f"  worst p95: metric {worst['metric']:.0f} ms, page {worst['page']:.0f} ms, api {worst['api']:.0f} ms"
        f" (target {TARGET_MS})"
    )


if __name__ == "__main__":
    main()
