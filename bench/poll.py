"""Polling throughput: mentions per second through fetch + ingest, over real HTTP.

Starts the fake X and Graph API servers of the test suite (tests/fakes/), loads each with
N customer mentions, and times one poll of a fresh channel reading them all, page by page,
with the real client libraries (tweepy; the Graph client on httpx) and inbox.ingest into
PostgreSQL.

    .venv/bin/python bench/poll.py --mentions 2000
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialcare.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialcare_bench")

from bench.support import fresh_database, purge_queues  # noqa: E402

# Read before anything is dropped: --help or a typo must not cost the seeded database.
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--mentions", type=int, default=2000)
args = parser.parse_args()
fresh_database()

from connectors.models import Channel  # noqa: E402
from connectors.tasks import poll_channel  # noqa: E402
from inbox.models import Message  # noqa: E402
from tests.fakes import facebook, twitter  # noqa: E402

NETWORKS = [("X (tweepy)", twitter, twitter.FakeX, 100), ("Facebook (Graph)", facebook, facebook.FakeGraph, 100)]


def measure(module, fake_class, page_size, mentions):
    with fake_class(page_size=page_size) as fake:
        for n in range(mentions):
            fake.add_mention(text=f"Order {n} has not arrived and nobody answers")
        channel = Channel.objects.create(**module.channel_settings(fake), name=f"bench {module.__name__}")
        started = time.perf_counter()
        poll_channel(channel.pk)
        seconds = time.perf_counter() - started
        stored = Message.objects.filter(channel=channel).count()
        requests = len(fake.requests)
    return seconds, stored, requests


def main():
    print(f"bench/poll.py: one poll reading {args.mentions} new mentions, pages of 100")
    for label, module, fake_class, page_size in NETWORKS:
        seconds, stored, requests = measure(module, fake_class, page_size, args.mentions)
        print(f"  {label:<18} {stored / seconds:8.0f} mentions/s  ({stored} stored, {requests} requests, {seconds:.2f} s)")
    purge_queues()


if __name__ == "__main__":
    main()
