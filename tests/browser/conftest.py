"""A real ASGI server on the test database, and Debian's Chromium to drive it."""

import os
import socket
import subprocess
import sys
import time

import pytest

# Playwright's sync API keeps an event loop running in the test thread, which Django
# reads as an async context; the test itself is plain sequential code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


@pytest.fixture
def live_server_url(test_database_url, celery_worker):
    """uvicorn serving the app from the test database; its tasks go to the test's worker."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": test_database_url, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    command = [sys.executable, "-m", "uvicorn", "socialcare.asgi:application", "--host", "127.0.0.1"]
    process = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"], env=env)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
