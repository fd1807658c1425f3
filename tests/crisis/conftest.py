"""Fixtures of the crisis tests: tasks run at once, a real SMTP server and a webhook receiver on
loopback, synthetic hourly series for the spike rules, and sample objects of workspace A."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

NOW = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    # Pages and workspaces in English unless a test says otherwise (the product's default is French).
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def immediate_tasks() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    port: int
    messages: list[Any] = field(default_factory=list)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback; Django's SMTP backend sends to it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    server = SmtpServer(port=_free_port())

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            server.messages.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class Hook:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def webhook_server(settings: Any) -> Iterator[Hook]:
    """A local HTTP server that records what it receives; private addresses allowed for it only."""
    hook = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body,
                    "json": json.loads(body),
                }
            )
            self.send_response(hook.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks/T000/B000/secret-token"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.CRISIS_WEBHOOKS_ALLOW_PRIVATE = True
    try:
        yield hook
    finally:
        httpd.shutdown()
        httpd.server_close()


def series(
    spike: dict[datetime, int] | None = None, base: int = 6, days: int = 15
) -> Callable[..., dict[datetime, int]]:
    """A count function for ``services.feed_series``: a daily rhythm around ``base`` per hour, with
    ``spike`` values at some hours; negatives are a third of the volume."""

    def count(
        workspace: Any,
        start: datetime,
        end: datetime,
        *,
        query_ids: Any = (),
        negative: bool = False,
    ) -> dict:
        out = {}
        at = start
        while at < end:
            value = base + (3 if 9 <= at.hour <= 20 else -3) + (at.day + at.hour) % 3
            value = (spike or {}).get(at, value)
            out[at] = value // 3 if negative and at not in (spike or {}) else value
            at += timedelta(hours=1)
        return out

    return count
