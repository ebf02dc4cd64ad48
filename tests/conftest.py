import os
import subprocess
import sys
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from channels.layers import get_channel_layer
from django.db import connection

from socialcare.celery import app as celery_app


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Threads of async tests may keep a connection; the test database must still drop."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def tasks_run_in_process():
    """Tasks run where they are enqueued unless a test starts a real worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(transactional_db, tasks_run_in_process):
    """A real worker thread consuming the real Redis broker."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def channel_layer(settings):
    """The real Redis channel layer, emptied of this run's groups afterwards."""
    yield get_channel_layer()
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{settings.REDIS_PREFIX}:asgi*"):
        client.delete(key)


@pytest.fixture
def test_database_url(transactional_db):
    """The test database as a URL, for processes the test starts (servers, workers)."""
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.fixture
def tasks_go_to_the_broker():
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()


@pytest.fixture
def worker_process(test_database_url, tasks_go_to_the_broker):
    """Starts real `celery worker` processes on the test database; tests may kill them.
    Unacknowledged tasks come back after 5 s instead of an hour."""
    processes = []

    def start():
        env = {**os.environ, "DATABASE_URL": test_database_url, "CELERY_VISIBILITY_TIMEOUT": "5", "CELERY_RESTORE_INTERVAL": "1"}
        command = [sys.executable, "-m", "celery", "-A", "socialcare", "worker", "--pool=solo", "--concurrency=1"]
        flags = ["--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        processes.append(subprocess.Popen([*command, *flags], env=env))
        return processes[-1]

    yield start
    for process in processes:
        process.kill()
        process.wait()


def wait_for(condition, seconds=30, message="condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.1)


def pytest_collection_modifyitems(items):
    """Browser tests last: Playwright keeps an event loop running for the rest of the session,
    and async tests cannot start their own beside it."""
    items.sort(key=lambda item: "browser" in item.nodeid.split("::")[0].split("/"))
