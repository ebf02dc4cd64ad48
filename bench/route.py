"""Routing and assignment throughput: conversations routed and assigned per second.

Seeds N new conversations (one customer message each, Spanish and English), a handful of
routing rules and two teams of online agents, then routes them all in one process the way
the worker's `agents.route_conversations` task does: analysis (language, sentiment), the
rules, the SLA policy, and the pick of an agent under row locks.

    .venv/bin/python bench/route.py --conversations 5000
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
parser.add_argument("--conversations", type=int, default=5000)
parser.add_argument("--agents-per-team", type=int, default=25)
args = parser.parse_args()
fresh_database()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from agents.models import AgentProfile, Presence, RoutingRule, Team  # noqa: E402
from agents.routing import route_all  # noqa: E402
from connectors.base import Author, Mention  # noqa: E402
from connectors.models import Channel  # noqa: E402
from inbox.actions import ingest  # noqa: E402
from inbox.models import Conversation, Label  # noqa: E402

TEXTS = [
    "Llevo tres días sin internet y nadie me responde",
    "Me cobraron dos veces la factura, quiero una solución",
    "¿Cuál es el horario de atención los sábados?",
    "Gracias por la rapidez, todo funciona perfecto",
    "Third day without internet and nobody answers",
    "I was charged twice this month, not happy at all",
    "Do you ship to Canada?",
    "Thanks for the quick fix, great service!",
    "I will talk to my lawyer if this is not fixed",
    "Quiero cancelar mi suscripción ya",
]


def seed(count, agents_per_team):
    support, billing = Team.objects.create(name="Support"), Team.objects.create(name="Billing")
    channel = Channel.objects.create(kind="demo", name="bench", default_team=support)
    legal = Label.objects.create(name="legal")
    rules = [
        RoutingRule(position=1, name="Billing", keywords=["factura", "cobraron", "charged", "invoice"], set_team=billing),
        RoutingRule(position=2, name="Legal", keywords=["lawyer", "abogado", "demanda"], set_priority=4),
        RoutingRule(position=3, name="Cancellations", pattern=r"cancel", set_priority=3),
        RoutingRule(position=4, name="Angry", sentiment="negative", min_followers=1000, set_priority=3),
    ]
    RoutingRule.objects.bulk_create(rules)
    RoutingRule.objects.get(name="Legal").add_labels.add(legal)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"agent{n}") for n in range(2 * agents_per_team)]
    )
    now = timezone.now()
    for n, user in enumerate(users):
        profile = AgentProfile.objects.create(
            user=user, capacity=10_000, presence=Presence.ONLINE, sockets=1, last_seen_at=now + timedelta(hours=1)
        )
        profile.teams.add(support if n % 2 else billing)
    rng = random.Random(7)
    for start in range(0, count, 500):
        batch = [
            Mention(
                external_id=f"m{n}",
                author=Author(f"a{n}", f"user{n}", f"User {n}", rng.choice([50, 300, 5000, 80000])),
                text=rng.choice(TEXTS),
                created_at=now - timedelta(seconds=count - n),
            )
            for n in range(start, min(start + 500, count))
        ]
        ingest(channel, batch, {"n": start})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main():
    seed(args.conversations, args.agents_per_team)
    purge_queues()  # the routing tasks ingest enqueued: this run routes in-process instead
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    route_all(ids)
    seconds = time.perf_counter() - started
    assigned = Conversation.objects.filter(assignee__isnull=False).count()
    purge_queues()
    print(f"bench/route.py: {len(ids)} conversations, {2 * args.agents_per_team} online agents, 4 rules")
    print(f"  routed and assigned  {len(ids) / seconds:8.0f} conversations/s  ({seconds:.2f} s, {assigned} assigned)")


if __name__ == "__main__":
    main()
