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


class AsgiServer:
    """uvicorn serving the app from the test database; it can be stopped and started again
    on the same port, the way a deploy or a network cut drops every socket."""

    def __init__(self, database_url):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.process = None

    def start(self):
        command = [sys.executable, "-m", "uvicorn", "socialcare.asgi:application", "--host", "127.0.0.1"]
        self.process = subprocess.Popen([*command, "--port", str(self.port), "--log-level", "warning"], env=self.env)
        _wait_for(self.port, self.process)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def asgi_server(test_database_url, celery_worker):
    """The app over real HTTP and websockets; its tasks go to the test's worker."""
    server = AsgiServer(test_database_url)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def live_server_url(asgi_server):
    return asgi_server.url
