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
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ambassade.benchmarks import BenchOptions, BenchResult
from ambassade.benchmarks._outbox_networks import FAULTS, NETWORKS, Servers

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
    "database": "smoke runs only: start from a copy of this migrated SQLite database instead of "
    "migrating a new one (default: none)",
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
    if config.get("kind") == "replies":
        return _setup_replies(config, workspace, owner, connections)
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


def _setup_replies(
    config: dict[str, Any], workspace: Any, owner: Any, connections: list[Any]
) -> None:
    """Replies mode: one conversation per reply with a person on X (a mention of the brand whose
    tweet is ``900000 + index`` on the fake X), each answered by a reply submitted through the
    composer's service and due at its time."""
    from datetime import timedelta

    from django.db import transaction

    from ambassade.inbox import services as inbox
    from ambassade.inbox.models import Conversation, Message
    from ambassade.replies import services as replies
    from ambassade.replies.models import Reply

    x = next(c for c in connections if c.network == "x")
    rng = random.Random(config["seed"])
    ids = []
    for index in range(config["posts"]):
        conversation = Conversation.objects.create(
            workspace=workspace,
            network="x",
            channel="mention",
            connection=x,
            thread_key=str(900000 + index),
            contact_handle=f"person{index}",
        )
        inbox.add_message(
            conversation,
            Message(direction="inbound", external_id=str(900000 + index), text="@brand ?"),
        )
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))
        reply = replies.submit(
            conversation,
            text=f"Ambassade replies bench #{index:05d}: {words}",
            author=owner,
            seen=0,
        )
        ids.append(reply.id)
    start = datetime.now(UTC) + timedelta(seconds=config["lead"])
    span = config["minutes"] * 60.0
    with transaction.atomic():
        for index, reply_id in enumerate(ids):
            at = start + timedelta(seconds=span * index / max(1, len(ids)))
            Reply.objects.filter(id=reply_id).update(due_at=at, created_at=at)
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
    from ambassade.replies import outbox as replies_outbox

    replies_outbox.default_responder = publisher
    outbox_engine.DEAD_AFTER = timedelta(seconds=config["dead_after"])
    outbox_engine.RECONCILE_DELAY = timedelta(seconds=config["reconcile_delay"])
    outbox_engine.RETRY_AFTER = timedelta(seconds=config["backoff"])
    call_command("worker")


def _helper_clock() -> None:
    from ambassade.publishing import tasks
    from ambassade.replies import tasks as replies_tasks

    config = _config()
    run = replies_tasks.run_outbox if config.get("kind") == "replies" else tasks.run_outbox
    while True:
        run()
        time.sleep(config["tick"])


def _helper_report_replies() -> None:
    from ambassade.publishing.outbox import engine as outbox_engine
    from ambassade.replies.models import Reply, ReplyAttempt

    history: dict[int, list[str]] = {}
    for reply_id, outcome, is_check, started in ReplyAttempt.objects.order_by(
        "started_at", "id"
    ).values_list("reply_id", "outcome", "is_check", "started_at"):
        history.setdefault(reply_id, []).append(
            f"{'check ' if is_check else ''}{outcome}@{started.timestamp():.1f}"
        )
    rows = []
    for reply in Reply.objects.select_related("connection").order_by("id"):
        match = TEXT_INDEX.search(reply.text)
        rows.append(
            {
                "index": int(match.group(1)) if match else -1,
                "network": reply.connection.network,
                "status": reply.status,
                "error": reply.error.text,
                "scheduled": reply.created_at.timestamp(),
                "remote_id": reply.remote_id,
                "attempts": reply.attempts,
                "history": history.get(reply.id, []),
                "in_thread": reply.message_id is not None,
            }
        )
    outcomes = Counter(ReplyAttempt.objects.values_list("outcome", flat=True))
    checks = ReplyAttempt.objects.filter(is_check=True).count()
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


def _helper_report() -> None:
    if _config().get("kind") == "replies":
        return _helper_report_replies()
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


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's own copy (what a write-ahead log still holds included), never half a file."""
    with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(target)) as copy:
        db.backup(copy)


def _count_statuses(database: Path, table: str = "publishing_variant") -> Counter[str]:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
            return Counter(
                dict(db.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status"))  # noqa: S608
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


def run(options: BenchOptions, kind: str = "posts") -> BenchResult:
    """``kind``: ``posts`` (each to three networks) or ``replies`` (each to a person on X, through
    the inbox's replies: ``ambassade bench replies_outbox``)."""
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
        "kind": kind,
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
        # The bench's own SQLite database in its temporary directory, whatever the calling shell
        # points at: it reads the outbox's progress from that file, and a shared database would
        # keep one run's rows for the next (the PostgreSQL pass of the tests runs two benches).
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AMBASSADE_") and k not in {"DATABASE_URL", "REDIS_URL"}
        }
        env |= {
            "AMBASSADE_DATA_DIR": str(data),
            "AMBASSADE_SECRET_KEY": "bench-outbox-" + "k" * 40,
            "AMBASSADE_WORKERS": "4",
            "AMBASSADE_LOG_LEVEL": "WARNING",
            "AMBASSADE_BENCH_OUTBOX": json.dumps(config),
            "DJANGO_SETTINGS_MODULE": "ambassade.config.settings",
        }
        if options.extra.get("database"):
            # The setup's `migrate` then has nothing left to do (a smoke run's time is mostly that).
            _copy_database(Path(options.extra["database"]), data / "ambassade.sqlite3")
        fleet = Fleet(workers, env, data)
        clock: subprocess.Popen[bytes] | None = None
        try:
            _log(
                f"setting up {posts} replies on X in {data}"
                if kind == "replies"
                else f"setting up {posts} posts × {len(NETWORKS)} networks in {data}"
            )
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
            next_report = next_check = 0.0
            total = posts if kind == "replies" else posts * len(NETWORKS)
            table = "replies_reply" if kind == "replies" else "publishing_variant"
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
                # Progress is read every second (a read-only look at one small table), so that
                # the run ends as soon as everything is settled; it is logged every 15 s.
                if now >= next_check:
                    statuses = _count_statuses(database, table)
                    next_check = now + 1
                    if now >= next_report:
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
    if config.get("kind") == "replies":
        not_in_thread = sum(
            1 for r in result["variants"] if r["status"] == "published" and not r["in_thread"]
        )
        markdown = f"""\
{config["posts"]} replies from the inbox, each answering one person's tweet on X (the network
without idempotency key: an unknown outcome is settled by reading the account's replies to that
tweet, `find_reply`), due evenly over {config["minutes"]:g} minutes; {workers} `ambassade worker`
processes (4 threads each, SQLite) SIGKILLed every {kill_every:g} s on average (exponential, seed
{config["seed"]}) and restarted 0.5–3 s later, {fleet.kills} kills in all. The replies' outbox is the
shared engine of posts (`replies.run_outbox` every minute in each worker, enqueuing with `eta`);
{clock}. HTTP timeout {config["timeout"]:g} s, each attempt bounded by a {result["deadline"]:g} s
deadline, dead claims after {config["dead_after"]:g} s without heartbeat, X read
{config["reconcile_delay"]:g} s after the attempt's last possible request. Everything settled
{drained} after the last due time.

| | result | target |
|---|---|---|
| duplicates (a reply taken twice by the network) | **{duplicates}** | 0 |
| lost (neither taken by the network nor `failed` with its message) | **{lost}** | 0 |
| taken by the network but not `published` in the outbox | {misreported} | 0 |
| sent but missing from its conversation's thread | {not_in_thread} | 0 |
| published | {published} | |
| `failed`, with the reason shown to a person | {failed_visible} | |
| delay p50 / p99, replies not held by a rate limit ({len(delays)}) | {p50:.1f} s / {p99:.1f} s | |
| delay p50 / p99, replies held by a 429 reset ({len(held_delays)}) | \
{_percentile(held_delays, 0.5):.1f} s / {_percentile(held_delays, 0.99):.1f} s | |
| calls to send / injected faults | {calls} / {sum(faults.values())} | |
| attempts by outcome | {", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items()))} | |

Method: the fake X of `ambassade bench outbox` (same faults, same rates), where `POST /2/tweets`
records the tweet answered (`reply.in_reply_to_tweet_id`) and `GET /2/users/:id/tweets` gives it
back as `referenced_tweets`, which the X connector's `find_reply` reads. Duplicates are counted on
the network's side by the reply's number. Only X: the fake Mastodon and Bluesky do not serve the
parent status a reply there reads first. `ambassade bench replies_outbox --posts 20 --minutes 0.25`
is the smoke run of tests/replies/test_bench_replies_outbox.py.
"""
        summary = f"replies {summary}"
        return BenchResult(markdown=markdown, summary=summary)
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
