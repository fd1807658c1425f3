"""A local HTTP server on 127.0.0.1 that replays responses written from each platform's documentation
(tests/connectors/fixtures/<network>/) and records the requests it receives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from ambassade.connectors.http import HttpClient

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(network: str, name: str) -> bytes:
    return (FIXTURES / network / name).read_bytes()


def fixture_json(network: str, name: str) -> Any:
    return json.loads(fixture_bytes(network, name))


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, dict | list):
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
            return json.dumps(body).encode(), headers
        if isinstance(body, str):
            body = body.encode()
        return body, headers


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


Handler = Callable[[Recorded], Reply]


class ReplayServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply] | Handler] = {}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                reply = server._reply(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                body, headers = reply.encoded()
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class _Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def route(self, method: str, path: str, *replies: Reply | Handler) -> None:
        """Replies are served in order, the last one repeating; or one function answers each call."""
        if len(replies) == 1 and callable(replies[0]) and not isinstance(replies[0], Reply):
            self.routes[(method, path)] = replies[0]
        else:
            self.routes[(method, path)] = [r for r in replies if isinstance(r, Reply)]

    def _reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            route = self.routes.get((recorded.method, recorded.path))
            if route is None:
                return Reply(404, {"error": f"no route for {recorded.method} {recorded.path}"})
            if callable(route):
                return route(recorded)
            return route.pop(0) if len(route) > 1 else route[0]

    def url(self, path: str) -> str:
        return self.base_url + path

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


@pytest.fixture
def sleeps() -> list[float]:
    """The backoff delays the seam asked for; nothing really sleeps."""
    return []


@pytest.fixture
def http(sleeps: list[float]) -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, timeout=2.0, sleep=sleeps.append, backoff=0.01)
    yield client
    client.close()
