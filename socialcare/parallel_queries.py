"""Independent read-only queries of one request at once, each on a database connection of
its own. The supervisor dashboard asks PostgreSQL a dozen aggregate questions per page;
one after the other they add up, while the server has cores idle.

Inside a transaction the queries must see its uncommitted writes, so they run one after
the other on its connection (the test suite wraps most tests in a transaction: there the
serial path runs). The SQLite demo is serial too: small data, one file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from django.db import connection
from django.utils import timezone, translation

WORKERS = 4


@cache
def _pool(pid: int) -> ThreadPoolExecutor:
    """One pool per process: threads do not survive a fork."""
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="queries")


def _on_own_connection(call: Callable, language: str, zone):
    # A pool thread keeps its connection from one call to the next: opening one per call
    # (CONN_MAX_AGE is 0 for request threads) cost more than most of these queries. It is
    # checked before each use, so a restarted database costs one reconnection.
    if connection.connection is not None and (connection.errors_occurred or not connection.is_usable()):
        connection.close()
    # The caller's language and time zone are thread-local: labels and dates built here
    # must come out as the caller's would.
    with translation.override(language), timezone.override(zone):
        return call()


def gather(calls: dict[str, Callable]) -> dict:
    """{name: call()} for every call, run at once where they can be."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        return {name: call() for name, call in calls.items()}
    pool = _pool(os.getpid())
    language, zone = translation.get_language(), timezone.get_current_timezone()
    futures = {name: pool.submit(_on_own_connection, call, language, zone) for name, call in calls.items()}
    return {name: future.result() for name, future in futures.items()}
