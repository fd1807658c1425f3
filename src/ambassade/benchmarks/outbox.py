"""`ambassade bench outbox`: publish exactly once while networks fail and workers are killed.

Three local fake networks (HTTP servers on 127.0.0.1, run in this process) speak the request and
response formats the publishers use:

- **Mastodon**: ``POST /api/v1/statuses`` honouring ``Idempotency-Key`` (a repeat answers the status
  already created), ``GET /api/v1/accounts/:id/statuses``;
- **Bluesky**: ``com.atproto.repo.createRecord`` with our ``rkey`` ("already exists" on a repeat),
  ``getRecord``, ``listRecords``;
- **X**: ``POST /2/tweets`` with no idempotency at all, ``GET /2/users/:id/tweets`` (``max_results``,
  ``start_time``, ``pagination_token``): an unknown outcome there is settled by reading the account.

Each publishing call draws, from a seeded generator, a fault: 5xx before the post is taken, 429 with a
reset time, a timeout before or after the post is taken, a 502 after it is taken, or a slow answer.
Every post a network takes is recorded with the time, so duplicates are counted server-side.

The outbox runs in real ``ambassade worker`` processes (the Huey consumer, SQLite database and queue
in a temporary data directory) that are SIGKILLed at random moments and restarted. The schedule is
the production one: each worker's periodic ``publishing.run_outbox`` every minute, which enqueues the
variants due within 90 s as tasks with their due time (``eta``), and the follow-up tasks each step
enqueues (retries, reconciliations, the watch on a claim). The first post is due 65 s after the
workers start, so that a periodic run has enqueued it, as in a worker that was already running.
The worker is the product's, with two things set from the outside, in the benchmark only: its HTTP
client may reach 127.0.0.1 (``allow_private=True``, as the publishing tests do) and points X at the
fake server; ``--dead-after`` / ``--reconcile-delay`` may change the outbox's waits and ``--tick``
adds a clock process running the outbox every few seconds, for a smoke run only (the defaults are
the product's: 15 s, 15 s and no clock).

This module is also the entry point of those helper processes: ``python -m
ambassade.benchmarks.outbox setup|worker|clock|report`` (run with AMBASSADE_DATA_DIR set).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ambassade.benchmarks import BenchOptions, BenchResult

__all__ = ["OPTIONS", "TITLE", "run"]

TITLE = "Outbox reliability (exactly once under faults and SIGKILL)"
#: Run alone, `ambassade bench outbox` prints its summary bare on its last line (issue 6).
BARE_SUMMARY = True

OPTIONS = {
    "posts": "number of posts, each to the three networks (default 1000)",
    "minutes": "the posts are scheduled evenly over this many minutes (default 10)",
    "seed": "seed of every random choice (default 7)",
    "workers": "worker processes (default 2, each with 4 threads)",
    "kill_every": "mean seconds between two SIGKILLs of a worker (default 20)",
    "tick": "smoke runs only: an extra clock running the outbox every N s (default 0: none)",
    "timeout": "HTTP timeout of the workers' client, seconds (default 15, the product's)",
    "dead_after": "seconds without heartbeat before a claim is a dead worker's (default 15)",
    "reconcile_delay": "network lag allowed before reading it after an attempt (default 15)",
    "backoff": "smoke runs only: first retry after a temporary failure, seconds (default 60)",
    "drain": "at most this many seconds after the last scheduled post (default 1200)",
}

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
TEXT_INDEX = re.compile(r"#(\d{5})\b")
WORDS = [
    "automne",
    "café",
    "lumière",
    "nouvelle",
    "carte",
    "brunch",
    "dimanche",
    "atelier",
    "latte",
    "terrasse",
    "concert",
    "playlist",
    "recette",
    "crumble",
    "pommes",
    "cannelle",
    "équipe",
    "merci",
    "bientôt",
    "ouverture",
    "soirée",
]


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

    def take(self, text: str, key: str) -> tuple[dict[str, Any], bool]:
        """Record a post (once per key when ``key``); returns it and whether it is new."""
        with self.lock:
            if key and key in self.by_key:
                return self.by_key[key], False
            now = datetime.now(UTC)
            post = {
                "id": str(100000 + len(self.posts)),
                "key": key,
                "text": text,
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

                def accept() -> tuple[int, Any]:
                    post, _new = net.take(str(body.get("text", "")), "")
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


# --- the helper processes (run with AMBASSADE_DATA_DIR set) -------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambassade.config.settings")
    import django

    django.setup()


def _config() -> dict[str, Any]:
    return json.loads(os.environ["AMBASSADE_BENCH_OUTBOX"])


def _helper_setup() -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction

    from ambassade.publishing import approvals, authoring
    from ambassade.publishing.models import Post, Variant
    from ambassade.workspaces import services as ws

    config = _config()
    call_command("migrate", verbosity=0)
    owner = ws.create_user("bench@example.com", "bench-password-123", "Bench")
    _org, workspace = ws.create_organisation(
        name="Bench", kind="company", owner=owner, workspace_name="Brand"
    )
    urls = config["urls"]
    secrets = {
        "mastodon": ("@brand@mastodon.bench", {"access_token": "m", "instance": urls["mastodon"]}),
        "bluesky": (
            "brand.bsky.bench",
            {
                "identifier": "brand.bsky.bench",
                "app_password": "p",
                "service": urls["bluesky"],
                "access_jwt": "a",
                "refresh_jwt": "r",
                "did": "did:plc:bench",
            },
        ),
        "x": ("@brand", {"access_token": "x", "user_id": "1", "username": "brand"}),
    }
    connections = [
        ws.connect_account(
            workspace,
            network=name,
            account_name=secrets[name][0],
            secret=secrets[name][1],
            actor=owner,
            account_id="1",
        )
        for name in NETWORKS
    ]
    rng = random.Random(config["seed"])
    later = datetime.now(UTC) + timedelta(days=1)
    ids = []
    for index in range(config["posts"]):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))
        post = authoring.create_post(
            workspace,
            owner,
            text=f"Ambassade outbox bench #{index:05d}: {words}",
            connections=connections,
            scheduled_at=later,
        )
        approvals.submit_post(post, owner)
        ids.append(post.id)
    # Times are set last, from now, so that the setup's own duration delays nothing.
    start = datetime.now(UTC) + timedelta(seconds=config["lead"])
    span = config["minutes"] * 60.0
    with transaction.atomic():
        for index, post_id in enumerate(ids):
            at = start + timedelta(seconds=span * index / max(1, len(ids)))
            Post.objects.filter(id=post_id).update(scheduled_at=at)
            Variant.objects.filter(post_id=post_id).update(scheduled_at=at, due_at=at)
    print(json.dumps({"start": start.timestamp()}))


def _helper_worker() -> None:
    from datetime import timedelta

    from django.core.management import call_command

    from ambassade.connectors.http import HttpClient
    from ambassade.connectors.publishers import get_publisher
    from ambassade.publishing import accounts
    from ambassade.publishing.outbox import engine as outbox_engine

    config = _config()

    def publisher(connection: Any) -> Any:
        endpoints = {"api": config["urls"]["x"]} if connection.network == "x" else None
        http = HttpClient(allow_private=True, timeout=config["timeout"])
        return get_publisher(connection.network)(http, endpoints=endpoints)

    accounts.default_publisher = publisher
    outbox_engine.DEAD_AFTER = timedelta(seconds=config["dead_after"])
    outbox_engine.RECONCILE_DELAY = timedelta(seconds=config["reconcile_delay"])
    outbox_engine.RETRY_AFTER = timedelta(seconds=config["backoff"])
    call_command("worker")


def _helper_clock() -> None:
    from ambassade.publishing import tasks

    tick = _config()["tick"]
    while True:
        tasks.run_outbox()
        time.sleep(tick)


def _helper_report() -> None:
    from ambassade.publishing.models import PublishAttempt, Variant

    history: dict[int, list[str]] = {}
    for variant_id, outcome, is_check, started in PublishAttempt.objects.order_by(
        "started_at", "id"
    ).values_list("variant_id", "outcome", "is_check", "started_at"):
        history.setdefault(variant_id, []).append(
            f"{'check ' if is_check else ''}{outcome}@{started.timestamp():.1f}"
        )
    rows = []
    for variant in Variant.objects.select_related("post", "connection").order_by("id"):
        match = TEXT_INDEX.search(variant.post.text)
        rows.append(
            {
                "index": int(match.group(1)) if match else -1,
                "network": variant.connection.network,
                "status": variant.status,
                "error": variant.error.text,  # English: the report is read by developers
                "scheduled": variant.scheduled_at.timestamp() if variant.scheduled_at else None,
                "remote_id": variant.remote_id,
                "attempts": variant.attempts,
                "history": history.get(variant.id, []),
            }
        )
    outcomes = Counter(PublishAttempt.objects.values_list("outcome", flat=True))
    checks = PublishAttempt.objects.filter(is_check=True).count()
    from ambassade.publishing.outbox import engine as outbox_engine

    print(
        json.dumps(
            {
                "variants": rows,
                "outcomes": dict(outcomes),
                "checks": checks,
                "deadline": outbox_engine.PUBLISH_DEADLINE.total_seconds(),
            }
        )
    )


HELPERS = {
    "setup": _helper_setup,
    "worker": _helper_worker,
    "clock": _helper_clock,
    "report": _helper_report,
}


# --- the benchmark --------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"outbox: {message}", file=sys.stderr, flush=True)


class Fleet:
    """The worker processes: started, SIGKILLed and restarted."""

    def __init__(self, count: int, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * count
        self.kills = 0
        self.starts = 0

    def start(self, slot: int) -> None:
        self.starts += 1
        with open(self.logs / f"worker-{slot}.log", "ab") as out:
            self.procs[slot] = subprocess.Popen(
                [sys.executable, "-m", __name__, "worker"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self, slot: int) -> None:
        proc = self.procs[slot]
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            self.kills += 1
        self.procs[slot] = None

    def stop(self) -> None:
        for slot, proc in enumerate(self.procs):
            if proc is not None:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                self.procs[slot] = None


def _count_statuses(database: Path) -> Counter[str]:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
            return Counter(
                dict(db.execute("SELECT status, COUNT(*) FROM publishing_variant GROUP BY status"))
            )
    except sqlite3.Error:
        return Counter()


def _relative(step: str, scheduled: float) -> str:
    """``published@1764150000.5`` → ``published@+2.5``."""
    name, _, at = step.rpartition("@")
    try:
        return f"{name}@{float(at) - scheduled:+.1f}"
    except ValueError:
        return step


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _option(options: BenchOptions, name: str, default: float) -> float:
    return float(options.extra.get(name, default))


def run(options: BenchOptions) -> BenchResult:
    posts = int(_option(options, "posts", 20 if options.quick else 1000))
    minutes = _option(options, "minutes", 1 if options.quick else 10)
    config = {
        "posts": posts,
        "minutes": minutes,
        "seed": int(_option(options, "seed", 7)),
        "tick": _option(options, "tick", 0),
        "timeout": _option(options, "timeout", 15),
        "dead_after": _option(options, "dead_after", 15),
        "reconcile_delay": _option(options, "reconcile_delay", 15),
        "backoff": _option(options, "backoff", 60),
    }
    # Without a clock, the first post is due after a periodic run of the workers (every minute).
    config["lead"] = 3 if config["tick"] else 65
    workers = int(_option(options, "workers", 2))
    kill_every = _option(options, "kill_every", 20)
    drain = _option(options, "drain", 1200)
    rng = random.Random(config["seed"])
    servers = Servers(config["seed"], config["timeout"])
    config["urls"] = {name: servers.url(name) for name in NETWORKS}
    with tempfile.TemporaryDirectory(prefix="ambassade-bench-outbox-") as tmp:
        data = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMBASSADE_")}
        env |= {
            "AMBASSADE_DATA_DIR": str(data),
            "AMBASSADE_SECRET_KEY": "bench-outbox-" + "k" * 40,
            "AMBASSADE_WORKERS": "4",
            "AMBASSADE_LOG_LEVEL": "WARNING",
            "AMBASSADE_BENCH_OUTBOX": json.dumps(config),
            "DJANGO_SETTINGS_MODULE": "ambassade.config.settings",
        }
        fleet = Fleet(workers, env, data)
        clock: subprocess.Popen[bytes] | None = None
        try:
            _log(f"setting up {posts} posts × {len(NETWORKS)} networks in {data}")
            setup = subprocess.run(
                [sys.executable, "-m", __name__, "setup"],
                env=env,
                capture_output=True,
                check=False,
            )
            if setup.returncode:
                raise RuntimeError(f"setup failed: {setup.stderr.decode()[-2000:]}")
            start = json.loads(setup.stdout.decode().strip().splitlines()[-1])["start"]
            if config["tick"]:
                with open(data / "clock.log", "ab") as out:
                    clock = subprocess.Popen(
                        [sys.executable, "-m", __name__, "clock"], env=env, stdout=out, stderr=out
                    )
            for slot in range(workers):
                fleet.start(slot)
            end = start + minutes * 60
            next_kill = time.time() + rng.expovariate(1 / kill_every)
            restarts: dict[int, float] = {}
            next_report = 0.0
            total = posts * len(NETWORKS)
            database = data / "ambassade.sqlite3"
            settled_at = None
            while True:
                now = time.time()
                if now < end and now >= next_kill:
                    slot = rng.randrange(workers)
                    if fleet.procs[slot] is not None:
                        fleet.kill(slot)
                        restarts[slot] = now + rng.uniform(0.5, 3.0)
                    next_kill = now + rng.expovariate(1 / kill_every)
                for slot, when in list(restarts.items()):
                    if now >= when or now >= end:
                        fleet.start(slot)
                        del restarts[slot]
                if now >= next_report:
                    statuses = _count_statuses(database)
                    _log(
                        f"t={now - start:6.0f}s "
                        + " ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
                        + f" kills={fleet.kills}"
                    )
                    next_report = now + 15
                    settled = statuses["published"] + statuses["failed"]
                    if now > end and settled >= total:
                        settled_at = now
                        break
                if now > end + drain:
                    _log("drain time over, stopping with posts still in the outbox")
                    break
                time.sleep(0.2)
            time.sleep(2)  # let late answers land
        finally:
            fleet.stop()
            if clock is not None:
                clock.terminate()
                clock.wait()
        report = subprocess.run(
            [sys.executable, "-m", __name__, "report"], env=env, capture_output=True, check=True
        )
        result = json.loads(report.stdout.decode().strip().splitlines()[-1])
    servers.close()
    return _result(config, servers, fleet, result, start, settled_at, workers, kill_every, drain)


def _result(
    config: dict[str, Any],
    servers: Servers,
    fleet: Fleet,
    result: dict[str, Any],
    start: float,
    settled_at: float | None,
    workers: int,
    kill_every: float,
    drain: float,
) -> BenchResult:
    taken: dict[tuple[str, int], list[float]] = {}
    for name, net in servers.networks.items():
        for post in net.posts:
            match = TEXT_INDEX.search(post["text"])
            taken.setdefault((name, int(match.group(1)) if match else -1), []).append(post["t"])
    duplicates = sum(len(times) - 1 for times in taken.values())
    lost = misreported = failed_visible = published = 0
    delays, held_delays = [], []
    slowest: list[tuple[float, str, list[str]]] = []  # the tail, with each post's history
    for row in result["variants"]:
        times = taken.get((row["network"], row["index"]), [])
        if row["status"] == "published" and times:
            published += 1
        elif row["status"] == "failed" and row["error"] and not times:
            failed_visible += 1
        elif times:
            misreported += 1  # out on the network, but the outbox says otherwise
        else:
            lost += 1  # neither out nor failed in plain words: nobody would know
        if times and row["scheduled"] is not None:
            first = min(times)
            delay = max(0.0, first - row["scheduled"])
            limits = servers.networks[row["network"]].limits
            held = any(t <= first and t + reset >= row["scheduled"] for t, reset in limits)
            (held_delays if held else delays).append(delay)
            if not held:
                history = [_relative(step, row["scheduled"]) for step in row.get("history", [])]
                slowest.append((delay, row["network"], history))
    p50, p99 = _percentile(delays, 0.5), _percentile(delays, 0.99)
    faults: Counter[str] = Counter()
    calls = 0
    for net in servers.networks.values():
        faults.update(net.faults)
        calls += net.calls
    total = len(result["variants"])
    summary = f"duplicates={duplicates} lost={lost} p50_delay_s={p50:.1f} p99_delay_s={p99:.1f}"
    _log(summary)
    per_network = "\n".join(
        f"| {name} | {sum(1 for r in result['variants'] if r['network'] == name)} | "
        f"{len(net.posts)} | {net.calls} | "
        + ", ".join(f"{k} {v}" for k, v in sorted(net.faults.items()))
        + " |"
        for name, net in servers.networks.items()
    )
    drained = (
        f"{settled_at - start - config['minutes'] * 60:.0f} s" if settled_at else "not settled"
    )
    slowest.sort(key=lambda item: -item[0])
    tail = "\n".join(
        f"| {delay:.1f} s | {network} | {', '.join(history)} |"
        for delay, network, history in slowest[: max(10, len(delays) // 100 + 1)]
    )
    clock = (
        f"an extra clock process running the outbox every {config['tick']:g} s (smoke run)"
        if config["tick"]
        else "no extra clock: the workers' own schedule, as in production"
    )
    markdown = f"""\
{config["posts"]} posts, each to three accounts (Mastodon, Bluesky, X: {total} variants), scheduled
evenly over {config["minutes"]:g} minutes; {workers} `ambassade worker` processes (4 threads each,
SQLite) SIGKILLed every {kill_every:g} s on average (exponential, seed {config["seed"]}) and restarted
0.5–3 s later, {fleet.kills} kills in all. The outbox runs every minute in each worker (periodic task)
and enqueues what is due within 90 s with its time (`eta`); {clock}. HTTP timeout
{config["timeout"]:g} s, each attempt bounded by a {result["deadline"]:g} s deadline, a claim
without heartbeat for {config["dead_after"]:g} s is a dead worker's, a network without keys is read
{config["reconcile_delay"]:g} s after the attempt's last possible request, a temporary failure is
retried after {config["backoff"]:g} s then twice as long each time. Everything settled
{drained} after the last scheduled time.

| | result | target |
|---|---|---|
| duplicates (a post taken twice by a network) | **{duplicates}** | 0 |
| lost (neither taken by the network nor `failed` with its message) | **{lost}** | 0 |
| taken by the network but not `published` in the outbox | {misreported} | 0 |
| published | {published} | |
| `failed`, with the reason shown to a person | {failed_visible} | |
| delay p50 / p99, posts not held by a rate limit ({len(delays)}) | {p50:.1f} s / {p99:.1f} s | p99 < 60 s |
| delay p50 / p99, posts held by a 429 reset ({len(held_delays)}) | \
{_percentile(held_delays, 0.5):.1f} s / {_percentile(held_delays, 0.99):.1f} s | |
| publishing calls / injected faults | {calls} / {sum(faults.values())} | |
| attempts by outcome | {", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items()))} | |

| network | variants | posts taken | publishing calls | injected faults |
|---|---|---|---|---|
{per_network}

The slowest 1 % of the posts not held by a rate limit, with their attempts (`outcome@seconds after
the scheduled time`; `check` is a reading of the network):

| delay | network | attempts |
|---|---|---|
{tail}

Method: fake networks on 127.0.0.1 speak the publishers' real formats (Mastodon honours
`Idempotency-Key`, Bluesky's `createRecord` refuses an existing `rkey`, X has no key and is
reconciled by reading `GET /2/users/:id/tweets`, paged; unlike the real X it takes a repeated text,
so that a duplicate is counted rather than refused). Each publishing call draws a fault: 503 before
taking the post ({FAULTS["error_5xx"]:.1%}), 429 with a reset 2–15 s away ({FAULTS["rate_limit"]:.1%}),
no answer ({FAULTS["timeout"]:.1%}), the post taken but no answer before the timeout
({FAULTS["lost_answer"]:.1%}), the post taken then a 502 ({FAULTS["error_after"]:.1%}), a slow answer
of 0.5–4 s ({FAULTS["slow"]:.0%}). Duplicates are counted on the networks' side. A variant is *lost*
when, at the end, no network took it and the outbox does not show it `failed` with a message: it is
neither out nor in front of a person. Delay: from the scheduled time to the first time the network
took the post; a post is *held by a rate limit* when a 429 of its account fell between the two.
`ambassade bench outbox --posts 50 --minutes 1` is the smoke run of
tests/publishing/test_bench_outbox.py.
"""
    return BenchResult(markdown=markdown, summary=summary)


if __name__ == "__main__":
    helper = sys.argv[1]
    _django()
    HELPERS[helper]()
