"""The fake networks of `ambassade bench outbox` and `ambassade bench replies_outbox`: HTTP servers
on 127.0.0.1, run in the benchmark's process, speaking the request and response formats the
publishers use, each publishing call drawing a fault (see :mod:`ambassade.benchmarks.outbox`)."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FAULTS", "NETWORKS", "FakeNetwork", "Servers"]

NETWORKS = ("mastodon", "bluesky", "x")
#: Fault rates per publishing call (the rest succeed at once).
FAULTS = {
    "error_5xx": 0.03,  # 503 before the post is taken
    "rate_limit": 0.01,  # 429 with a reset 2–15 s away
    "timeout": 0.01,  # no answer, post not taken
    "lost_answer": 0.01,  # post taken, no answer before the client's timeout
    "error_after": 0.005,  # post taken, then a 502 (a proxy timing out)
    "slow": 0.05,  # post taken after 0.5–4 s
}

# --- the fake networks -----------------------------------------------------------------------------


class FakeNetwork:
    """State and faults of one network; its handler is built by :func:`_handler`."""

    def __init__(self, name: str, seed: int, timeout: float) -> None:
        self.name = name
        self.rng = random.Random(f"{seed}-{name}")
        self.timeout = timeout
        self.lock = threading.Lock()
        self.posts: list[dict[str, Any]] = []  # every post taken, in order
        self.by_key: dict[str, dict[str, Any]] = {}
        self.faults: Counter[str] = Counter()
        self.calls = 0
        self.limits: list[tuple[float, float]] = []  # (time of the 429, seconds to the reset)

    def draw(self) -> tuple[str, float]:
        with self.lock:
            self.calls += 1
            x, acc = self.rng.random(), 0.0
            extra = self.rng.uniform(0.5, 4.0)
            for name, rate in FAULTS.items():
                acc += rate
                if x < acc:
                    self.faults[name] += 1
                    if name == "rate_limit":
                        extra = float(self.rng.randint(2, 15))
                        self.limits.append((time.time(), extra))
                    return name, extra
            return "ok", extra

    def take(self, text: str, key: str, parent: str = "") -> tuple[dict[str, Any], bool]:
        """Record a post (once per key when ``key``; ``parent``: the post it answers); returns it
        and whether it is new."""
        with self.lock:
            if key and key in self.by_key:
                return self.by_key[key], False
            now = datetime.now(UTC)
            post = {
                "id": str(100000 + len(self.posts)),
                "key": key,
                "text": text,
                "parent": parent,
                "t": time.time(),
                "at": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            }
            self.posts.append(post)
            if key:
                self.by_key[key] = post
            return post, True

    def newest(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(reversed(self.posts))


def _send(h: BaseHTTPRequestHandler, code: int, body: Any, headers: dict[str, str] | None = None):
    data = json.dumps(body).encode()
    try:
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)
    except OSError:
        pass  # the client gave up (a timeout we injected)


def _write_call(
    h: BaseHTTPRequestHandler, net: FakeNetwork, accept: Callable[[], tuple[int, Any]]
) -> None:
    """A publishing call with the fault drawn for it."""
    fault, extra = net.draw()
    if fault == "error_5xx":
        return _send(h, 503, {"error": "Service Unavailable"})
    if fault == "rate_limit":
        reset = time.time() + extra
        headers = {
            "mastodon": {
                "X-RateLimit-Reset": datetime.fromtimestamp(reset, UTC).isoformat(),
                "X-RateLimit-Remaining": "0",
            },
            "bluesky": {"ratelimit-reset": str(int(reset) + 1), "ratelimit-remaining": "0"},
            "x": {"x-rate-limit-reset": str(int(reset) + 1), "x-rate-limit-remaining": "0"},
        }[net.name]
        return _send(h, 429, {"error": "Too many requests"}, headers)
    if fault == "timeout":
        time.sleep(net.timeout + 1)
        return _send(h, 504, {"error": "Gateway Timeout"})
    if fault == "slow":
        time.sleep(extra)
    code, body = accept()
    if fault == "lost_answer":
        time.sleep(net.timeout + 1)
    if fault == "error_after":
        return _send(h, 502, {"error": "Bad Gateway"})
    return _send(h, code, body)


def _mastodon_status(post: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": post["id"],
        "created_at": post["at"],
        "uri": f"https://mastodon.bench/users/brand/statuses/{post['id']}",
        "url": f"https://mastodon.bench/@brand/{post['id']}",
        "content": f"<p>{post['text']}</p>",
        "visibility": "public",
        "in_reply_to_id": None,
        "reblog": None,
        "spoiler_text": "",
        "account": {"id": "1", "username": "brand", "acct": "brand", "display_name": "Brand"},
    }


def _bluesky_record(post: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:bench/app.bsky.feed.post/{post['key']}",
        "cid": f"bafy{post['id']}",
        "value": {"$type": "app.bsky.feed.post", "text": post["text"], "createdAt": post["at"]},
    }


def _handler(net: FakeNetwork) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            return json.loads(raw) if raw else {}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            path = url.path
            if net.name == "mastodon":
                if path == "/api/v1/accounts/verify_credentials":
                    return _send(self, 200, {"id": "1", "username": "brand"})
                if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
                    limit = min(int(query.get("limit", 20)), 40)
                    return _send(self, 200, [_mastodon_status(p) for p in net.newest()[:limit]])
            if net.name == "bluesky":
                if path == "/xrpc/com.atproto.repo.getRecord":
                    post = net.by_key.get(query.get("rkey", ""))
                    if post is None:
                        return _send(
                            self,
                            400,
                            {"error": "RecordNotFound", "message": "Could not locate record"},
                        )
                    return _send(self, 200, _bluesky_record(post))
                if path == "/xrpc/com.atproto.repo.listRecords":
                    limit = min(int(query.get("limit", 50)), 100)
                    records = [_bluesky_record(p) for p in net.newest()[:limit]]
                    return _send(self, 200, {"records": records})
            if net.name == "x" and path.startswith("/2/users/") and path.endswith("/tweets"):
                limit = max(5, min(int(query.get("max_results", 10)), 100))
                start = int(query.get("pagination_token") or 0)
                since = query.get("start_time", "")
                tweets = [
                    {"id": p["id"], "text": p["text"], "created_at": p["at"]}
                    | (
                        {"referenced_tweets": [{"type": "replied_to", "id": p["parent"]}]}
                        if p["parent"]
                        else {}
                    )
                    for p in net.newest()
                    if not since or p["at"][:19] >= since[:19]
                ]
                page = tweets[start : start + limit]
                meta: dict[str, Any] = {"result_count": len(page)}
                if start + limit < len(tweets):
                    meta["next_token"] = str(start + limit)
                return _send(self, 200, {"data": page, "meta": meta} if page else {"meta": meta})
            return _send(self, 404, {"error": "Not Found"})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self._body()
            if net.name == "mastodon" and path == "/api/v1/statuses":
                key = self.headers.get("Idempotency-Key", "")

                def accept() -> tuple[int, Any]:
                    post, _new = net.take(str(body.get("status", "")), key)
                    return 200, _mastodon_status(post)

                return _write_call(self, net, accept)
            if net.name == "bluesky" and path == "/xrpc/com.atproto.repo.createRecord":
                rkey = str(body.get("rkey") or "")

                def accept() -> tuple[int, Any]:
                    post, new = net.take(str(body["record"].get("text", "")), rkey)
                    if not new:
                        return 400, {"error": "InvalidRequest", "message": "Record already exists"}
                    record = _bluesky_record(post)
                    return 200, {"uri": record["uri"], "cid": record["cid"]}

                return _write_call(self, net, accept)
            if net.name == "bluesky" and path == "/xrpc/com.atproto.server.createSession":
                return _send(
                    self,
                    200,
                    {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:bench", "handle": "b"},
                )
            if net.name == "x" and path == "/2/tweets":
                reply = body.get("reply") if isinstance(body.get("reply"), dict) else {}
                parent = str(reply.get("in_reply_to_tweet_id") or "")

                def accept() -> tuple[int, Any]:
                    post, _new = net.take(str(body.get("text", "")), "", parent)
                    return 201, {"data": {"id": post["id"], "text": post["text"]}}

                return _write_call(self, net, accept)
            return _send(self, 404, {"error": "Not Found"})

    return Handler


class Servers:
    def __init__(self, seed: int, timeout: float) -> None:
        self.networks = {name: FakeNetwork(name, seed, timeout) for name in NETWORKS}
        self.servers = {}
        for name, net in self.networks.items():
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(net))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers[name] = server

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.servers[name].server_address[1]}"

    def close(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()
