"""Local HTTP servers that answer as a network documents, for the real client to call.

A fake subclasses FakeNetwork, keeps the network's state (posts, comments, topics) in
plain attributes, and declares routes. Tests read `requests` to see exactly what was sent
and script faults (`fail_next`) to see how the connector copes.
"""

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict  # name → last value
    headers: dict  # lower-case name → value
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")

    def form(self):
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict/list → JSON; str/bytes as they are
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self):
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode()
        if isinstance(self.body, str):
            return self.body.encode()
        return self.body or b""


@dataclass
class Fault:
    reply: Reply | None  # None: hang past the client's timeout, then drop the connection
    path: str | None  # a regex the request path must match, None: any request
    times: int
    after_handling: bool  # True: the request takes effect, then the client gets the fault
    hang_seconds: float
    skip: int = 0  # matching requests answered normally first (1: the second page fails)


class FakeNetwork:
    """Subclasses define ROUTES: [(method, path regex, handler method name)]."""

    ROUTES: list = []

    def __init__(self):
        self.requests: list[Recorded] = []
        self._faults = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutdown waits for the next poll, once per fake per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status=500, body=None, headers=None, *, path=None, times=1, after_handling=False, after=0):
        """The next matching request(s), after `after` normal ones, get this answer instead."""
        reply = Reply(status, body if body is not None else {"error": "fault injected"}, headers or {})
        self._faults.append(Fault(reply, path, times, after_handling, 0, after))

    def hang_next(self, seconds, *, path=None, times=1, after_handling=False, after=0):
        """The next matching request(s), after `after` normal ones, get no answer for `seconds`."""
        self._faults.append(Fault(None, path, times, after_handling, seconds, after))

    def requests_to(self, method, path_pattern):
        return [r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)]

    def _take_fault(self, path):
        with self._lock:
            for fault in self._faults:
                if fault.path is None or re.fullmatch(fault.path, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, request: Recorded) -> Reply:
        for method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, request.path)
            if method == request.method and match:
                return getattr(self, name)(request, **match.groupdict())
        return Reply(404, {"error": f"no route for {request.method} {request.path}"})

    def _handler_class(self):
        network = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Recorded(
                    method=self.command,
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                with network._lock:
                    network.requests.append(request)
                fault = network._take_fault(request.path)
                reply = None
                if fault is None or fault.after_handling:
                    reply = network._dispatch(request)
                if fault is not None:
                    if fault.reply is None:
                        time.sleep(fault.hang_seconds)
                        self.close_connection = True
                        return
                    reply = fault.reply
                body = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, str(value))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
