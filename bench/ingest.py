"""Ingest throughput: mentions per second through inbox.ingest, against a plain insert.

Seeds nothing it does not make itself: a fresh channel on a benchmark database, then a
stream of N mentions in network-sized pages (20 % repeats of earlier mentions, 30 %
replies to earlier ones, authors returning). The same rows then go into a scratch copy of
the message table with plain psycopg `executemany`, page by page, as the yardstick.

    make bench                       # all benchmarks
    .venv/bin/python bench/ingest.py --mentions 50000 --pages 100 500
"""

import argparse
import os
import random
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
parser.add_argument("--mentions", type=int, default=50_000)
parser.add_argument(
    "--pages", type=int, nargs="+", default=[100, 500],
    help="mentions per ingest call: 100 is one API page, 500 a poll that read five pages",
)
parser.add_argument("--authors", type=int, default=8_000)
args = parser.parse_args()
fresh_database()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from agents.models import Team  # noqa: E402
from connectors.base import Author, Mention  # noqa: E402
from connectors.models import Channel  # noqa: E402
from inbox.actions import ingest  # noqa: E402
from inbox.models import Message  # noqa: E402

DUPLICATE_SHARE = 0.2
REPLY_SHARE = 0.3


def stream(total, page, authors, rng):
    """Pages of mentions as a network would return them, overlapping earlier pages."""
    start = timezone.now() - timedelta(hours=1)
    seen = []
    pages, current = [], []
    for n in range(total):
        if seen and rng.random() < DUPLICATE_SHARE:
            current.append(rng.choice(seen[-5000:]))
        else:
            parent = rng.choice(seen[-5000:]).external_id if seen and rng.random() < REPLY_SHARE else ""
            author_id = rng.randrange(authors)
            mention = Mention(
                external_id=f"b{n}",
                author=Author(str(author_id), f"user{author_id}", f"User {author_id}", author_id * 37 % 90000),
                text=f"Mention {n}: my order has not arrived and nobody answers",
                created_at=start + timedelta(milliseconds=n),
                parent_external_id=parent,
                language=rng.choice(["es", "en"]),
            )
            seen.append(mention)
            current.append(mention)
        if len(current) == page:
            pages.append(current)
            current = []
    if current:
        pages.append(current)
    return pages


def run_ingest(channel, pages):
    started = time.perf_counter()
    for number, page in enumerate(pages):
        ingest(channel, page, {"page": number})
    return time.perf_counter() - started


def run_plain_insert(channel, pages):
    """The same message rows, inserted as plainly as psycopg allows, page by page."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_message")
        cursor.execute("CREATE TABLE bench_plain_message (LIKE inbox_message INCLUDING ALL)")
    raw = connection.connection  # the psycopg connection under Django's wrapper
    conversation_id, contact_id = 1, 1
    sql = (
        "INSERT INTO bench_plain_message (conversation_id, channel_id, direction, visibility, external_id,"
        " parent_external_id, thread_external_id, author_contact_id, text, language, url, sent_at, created_at,"
        " delivery, delivery_error, delivery_attempts, sentiment_label)"
        " VALUES (%s, %s, 'in', 'public', %s, %s, '', %s, %s, %s, '', %s, now(), '', '', 0, '')"
        " ON CONFLICT DO NOTHING"
    )
    started = time.perf_counter()
    for page in pages:
        with raw.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (conversation_id, channel.pk, m.external_id, m.parent_external_id, contact_id, m.text, m.language, m.created_at)
                    for m in page
                ],
            )
        raw.commit()
    return time.perf_counter() - started


def measure(mentions, page, authors):
    """One run at one batch size: (ingest rate, plain rate, mentions stored).

    The first tenth of the stream is ingested untimed, so that the timed part meets
    tables that already hold data and statistics, as in production."""
    pages = stream(mentions, page, authors, random.Random(2026))
    team = Team.objects.create(name=f"bench {page} {time.time()}")
    channel = Channel.objects.create(kind="demo", name=f"bench {page}", default_team=team)
    warm_up = len(pages) // 10
    run_ingest(channel, pages[:warm_up])
    with connection.cursor() as cursor:
        # A live database has statistics; a table filled a second ago has none yet.
        cursor.execute("ANALYZE")
    ingest_seconds = run_ingest(channel, pages[warm_up:])
    mentions = sum(len(p) for p in pages[warm_up:])
    stored = Message.objects.filter(channel=channel).count()
    plain_seconds = run_plain_insert(channel, pages[warm_up:])
    purge_queues()
    return mentions / ingest_seconds, mentions / plain_seconds, stored


def main():

    print(f"bench/ingest.py: {args.mentions} mentions, {DUPLICATE_SHARE:.0%} repeats, {REPLY_SHARE:.0%} replies")
    print(f"  {'per call':>8}  {'stored':>7}  {'ingest/s':>9}  {'plain insert/s':>14}  {'ratio':>5}")
    for page in args.pages:
        ingest_rate, plain_rate, stored = measure(args.mentions, page, args.authors)
        print(f"  {page:>8}  {stored:>7}  {ingest_rate:>9.0f}  {plain_rate:>14.0f}  {ingest_rate / plain_rate:>5.2f}")
    print("  targets: ingest ≥ 2000 mentions/s, ratio ≥ 0.20")


if __name__ == "__main__":
    main()
