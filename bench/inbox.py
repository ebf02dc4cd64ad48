"""Inbox pages on a large data set: p50/p95 server time and SQL queries per page.

Seeds N conversations with their history (bench/dataset.py, shared with
bench/dashboard.py), then requests the list in each view and with each filter, a full-text
search, and conversation pages, as an agent (and as a supervisor for "All"), through
Django's test client in this process.

    .venv/bin/python bench/inbox.py --conversations 1000000
    .venv/bin/python bench/inbox.py --keep        # measure again on the data already seeded
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

from bench.support import fresh_database, purge_queues  # noqa: E402

# Read before anything is dropped: --help or a typo must not cost the seeded database.
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--conversations", type=int, default=1_000_000)
parser.add_argument("--keep", action="store_true", help="measure the data already seeded (by this or bench/dashboard.py)")
args = parser.parse_args()
fresh_database(keep=args.keep)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import dataset  # noqa: E402
from inbox import selectors  # noqa: E402
from inbox.access import viewer_for  # noqa: E402
from inbox.models import Conversation  # noqa: E402

RUNS = 30
LISTS = [
    ("list: my teams (default)", ""),
    ("list: mine", "view=mine"),
    ("list: unassigned", "view=unassigned"),
    ("list: mentioned", "view=mentioned"),
    ("list: status resolved", "status=resolved"),
    ("list: network X", "network=twitter"),
    ("list: priority urgent", "priority=4"),
    ("list: label vip", "label=vip"),
    ("list: language es", "language=es"),
    ("list: sla breached", "sla=breached"),
    ("list: sort newest", "sort=newest"),
    ("list: sort priority", "sort=priority"),
]


def timed(client, url):
    samples, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], queries


def report(label, client, url):
    p50, p95, queries = timed(client, url)
    print(f"  {label:<32} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {queries:3d} queries")
    return p95


def main():
    if args.keep:
        users = list(get_user_model().objects.filter(username__startswith="agent").order_by("pk"))
        boss = get_user_model().objects.get(username=dataset.SUPERVISOR)
    else:
        print(f"bench/inbox.py: seeding {args.conversations:,} conversations over a year")
        users, boss = dataset.seed(args.conversations, log=print)
    agent, supervisor = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    agent.force_login(users[0])
    supervisor.force_login(boss)
    viewer = viewer_for(users[0])
    ids = list(viewer.conversations().order_by("-pk").values_list("pk", flat=True)[:5])
    for client, url in ((agent, "/inbox/"), (supervisor, "/inbox/?view=all"), (agent, f"/inbox/c/{ids[-1]}/")):
        client.get(url)  # first requests compile templates, fill caches: the server has done so long ago
    gc.freeze()  # as socialcare/asgi.py does at start

    worst = {"list": 0.0, "search": 0.0, "conversation": 0.0}
    for label, params in LISTS:
        worst["list"] = max(worst["list"], report(label, agent, f"/inbox/?{params}"))
    worst["list"] = max(worst["list"], report("list: all (supervisor)", supervisor, "/inbox/?view=all"))
    worst["list"] = max(worst["list"], report("rows fragment (live refresh)", agent, "/inbox/rows/"))
    for words in ("router", "factura pedido", "user12345"):
        worst["search"] = max(worst["search"], report(f"search: {words}", agent, f"/inbox/?q={words}"))
    for conversation_id in ids[:3]:
        worst["conversation"] = max(
            worst["conversation"], report(f"conversation #{conversation_id}", agent, f"/inbox/c/{conversation_id}/")
        )
    for size in (10, 50, 200):
        with CaptureQueriesContext(connection) as captured:
            selectors.inbox_list(viewer, limit=size)
        print(f"  list of {size:>3} rows: {len(captured.captured_queries)} queries")
    purge_queues()
    print(f"  worst p95: list {worst['list']:.0f} ms (target 50), search {worst['search']:.0f} ms (target 200),"
          f" conversation {worst['conversation']:.0f} ms (target 80); {Conversation.objects.count()} conversations")


if __name__ == "__main__":
    main()
