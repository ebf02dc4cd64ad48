import pytest
from asgiref.sync import async_to_sync
from celery.contrib.testing.worker import start_worker
from channels.layers import get_channel_layer
from django.db import connection

from socialcare.celery import app as celery_app


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
def channel_layer():
    layer = get_channel_layer()
    yield layer
    async_to_sync(layer.flush)()


@pytest.fixture
def test_database_name(transactional_db):
    return connection.settings_dict["NAME"]
