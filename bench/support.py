"""What every benchmark needs: an empty database of its own and a clean Redis prefix."""

import os

import django
import psycopg
from django.core.management import call_command


def fresh_database(keep=False):
    """Drop and recreate the benchmark database named by DATABASE_URL, then migrate it;
    with `keep`, migrate the existing one (to measure again without seeding again)."""
    import environ

    if keep:
        django.setup()
        call_command("migrate", verbosity=0)
        return

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    admin = psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], password=config["PASSWORD"],
        dbname="postgres", autocommit=True,
    )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    django.setup()
    call_command("migrate", verbosity=0)


def purge_queues():
    """Drop what the run left in Redis under its own prefix: queued tasks nobody consumes
    here, and channel-layer groups."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{settings.REDIS_PREFIX}:*", count=1000):
        client.delete(key)
