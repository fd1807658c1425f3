"""`ambassade bench mail`: a campaign to 10,000 recipients through a local SMTP server (aiosmtpd on
127.0.0.1, run by the benchmark), the throughput, and that each recipient received exactly one
e-mail — once sent by one worker, once by workers SIGKILLed at random moments and restarted.

Everything runs in a child process with its own data directory (SQLite, or PostgreSQL with
``AMBASSADE_TEST_DATABASE_URL``): migrations, 10,000 members with consent to e-mailing (double
opt-in rows), an e-mail connection to the local server. **Clean run**: the product's sending loop
(`mailing.sending.run`, the code the worker's task runs) in the child, at an unlimited pace.
**Killed run**: a second campaign sent by `ambassade send_campaign` processes, each SIGKILLed
after a random 100 to 1,500 more e-mails and a new one started; since a new worker waits for a dead one's lease to go
stale (2 minutes), the benchmark ages the lease in the database instead of waiting (the only thing
it does from the outside). The SMTP server counts what it accepted per address.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from ambassade.benchmarks import BenchOptions, BenchResult
from ambassade.benchmarks._child import bench_workspace, databases, fresh_database, run_in_child

__all__ = ["OPTIONS", "TITLE", "run"]

TITLE = "E-mailing: a campaign to 10,000 recipients over SMTP, exactly one e-mail each"
OPTIONS = {
    "recipients": "recipients of each campaign (default 10,000; --quick 1,000)",
    "seed": "seed of the kill times (default 7)",
    "databases": "sqlite or postgresql: measure one database only",
}


def run(options: BenchOptions) -> BenchResult:
    recipients = int(options.extra.get("recipients", 1000 if options.quick else 10_000))
    seed = int(options.extra.get("seed", 7))
    targets = databases(options.extra)
    results = []
    for label, url in targets:
        print(f"{label}: {recipients} recipients…", file=sys.stderr)
        results.append((label, _child(recipients, seed, url)))
    lines = [
        f"Each campaign goes to {recipients:,} members with consent (French and English, a "
        "tracked link, the unsubscribe headers), through one SMTP connection to an aiosmtpd "
        "server on 127.0.0.1 that accepts everything and counts per address. Throughput is "
        "wall-clock, from the first claim to the last mark, on a shared machine: the last "
        "column is its load average (one minute) at the start and at the end of the run.",
        "",
        "| Database | Run | Sent | Time | E-mails/s | Received once | Twice or more | Not "
        "received | Perhaps sent (unknown) | Kills | Load average |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cpu_lines: list[str] = []
    summary = []
    for label, r in results:
        clean = r["clean"]
        cpu_lines.append(
            f"- {label}, one worker: {clean['cpu']:.1f} s of CPU for {clean['sent']:,} e-mails "
            f"({clean['sent'] / max(clean['cpu'], 0.001):.0f} e-mails per CPU-second, the SMTP "
            f"server's share included; load average {clean['load']:.1f} at the end)."
        )
        for name, row in (("one worker", r["clean"]), ("killed workers", r["killed"])):
            lines.append(
                f"| {label} | {name} | {row['sent']:,} | {row['seconds']:.1f} s | "
                f"{row['sent'] / row['seconds']:.0f} | {row['once']:,} | {row['twice']:,} | "
                f"{row['missing']:,} | {row['unknown']:,} | {row.get('kills', 0)} | "
                f"{row['load_start']:.1f} → {row['load']:.1f} |"
            )
        summary.append(
            f"{label} {r['clean']['sent'] / r['clean']['seconds']:.0f} e-mails/s, "
            f"{r['clean']['twice'] + r['killed']['twice']} received twice"
        )
    lines += ["", *cpu_lines]
    lines += [
        "",
        '"Not received" can only be rows marked "perhaps sent" whose worker was killed before '
        "the server accepted the e-mail (at most once: such a row is never sent again, "
        "docs/mailing.md); a row that the server accepted but whose mark the kill prevented is "
        '"perhaps sent" and received once.',
    ]
    return BenchResult("\n".join(lines), "; ".join(summary))


def _child(recipients: int, seed: int, database_url: str) -> dict[str, Any]:
    return run_in_child(
        "ambassade.benchmarks.mail",
        recipients,
        seed,
        prefix="ambassade-bench-mail-",
        database_url=database_url,
        env={"AMBASSADE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1"},
    )


class _Counting:
    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for rcpt in envelope.rcpt_tos:
            self.received[rcpt.lower()] += 1
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fill(recipients: int, port: int, tag: str) -> Any:
    from django.utils import timezone

    from ambassade.community.models import Consent, Identity, Member
    from ambassade.mailing import services
    from ambassade.workspaces import services as ws
    from ambassade.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug="bench")
    user = workspace.memberships.first().user
    connection = ws.connect_account(
        workspace,
        network="email",
        account_name=f"news-{tag}@bench.example",
        secret={
            "address": f"news-{tag}@bench.example",
            "display_name": "Bench",
            "username": "news",
            "password": "secret-password",
            "imap_host": "127.0.0.1",
            "imap_security": "none",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
        },
        actor=user,
    )
    now = timezone.now()
    members = Member.objects.bulk_create(
        [
            Member(
                workspace=workspace, display_name=f"Person {tag}{n}", email=f"p{n}@{tag}.example"
            )
            for n in range(recipients)
        ],
        batch_size=2000,
    )
    Identity.objects.bulk_create(
        [
            Identity(
                workspace=workspace, member=m, network="mastodon", handle=f"{tag}{m.pk}", name=""
            )
            for m in members
        ],
        batch_size=2000,
    )
    Consent.objects.bulk_create(
        [
            Consent(
                workspace=workspace,
                member=m,
                purpose="emailing",
                state="granted",
                source="double_opt_in",
                proof="bench",
                email=m.email,
                lang="fr" if i % 2 else "en",
                recorded_at=now,
            )
            for i, m in enumerate(members)
        ],
        batch_size=2000,
    )
    campaign = services.create_campaign(
        workspace,
        user,
        name=f"Bench {tag}",
        connection=connection,
        subject_fr="Du nouveau, {{ first_name }}",
        body_fr='Bonjour {{ first_name|"à vous" }},\n\nhttps://shop.example/nouveau\n\n{{ brand }}',
        subject_en="Something new, {{ first_name }}",
        body_en='Hello {{ first_name|"there" }},\n\nhttps://shop.example/new\n\n{{ brand }}',
        rate_per_hour=services.MAX_RATE,
    )
    return campaign, user, {m.pk for m in members}


def _tally(handler: _Counting, campaign: Any, tag: str, seconds: float) -> dict[str, Any]:
    from ambassade.mailing import sending

    figures = sending.progress(campaign)
    mine = {k: v for k, v in handler.received.items() if k.endswith(f"@{tag}.example")}
    return {
        "sent": figures.sent,
        "unknown": figures.unknown,
        "seconds": seconds,
        "once": sum(1 for v in mine.values() if v == 1),
        "twice": sum(1 for v in mine.values() if v > 1),
        "missing": figures.total - len(mine),
    }


def _measure(recipients: int, seed: int) -> dict[str, Any]:
    import logging

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    from aiosmtpd.controller import Controller
    from django.utils import timezone

    from ambassade.mailing import sending, services
    from ambassade.mailing.models import Campaign

    fresh_database()
    handler = _Counting()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _user, workspace = bench_workspace()
        workspace.slug = "bench"
        workspace.save(update_fields=["slug"])
        services._enqueue = lambda campaign_id: None  # this benchmark runs the sending itself
        results: dict[str, Any] = {}

        campaign, user, _ids = _fill(recipients, port, "clean")
        services.start(campaign, user)
        load_start = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        while not sending.run(campaign.pk, budget=3600.0).finished:
            pass
        results["clean"] = _tally(handler, campaign, "clean", time.perf_counter() - started)
        # This process runs both the sending and the SMTP server (a thread): its CPU time is
        # what one e-mail costs, whatever else the machine is doing.
        results["clean"]["cpu"] = time.process_time() - cpu
        results["clean"]["load"] = os.getloadavg()[0]
        results["clean"]["load_start"] = load_start
        print(f"clean: {results['clean']}", file=sys.stderr)

        campaign, user, ids = _fill(recipients, port, "killed")
        services.start(campaign, user, members=ids)  # the new members only
        rng = random.Random(seed)
        kills = 0
        load_start = os.getloadavg()[0]
        started = time.perf_counter()
        env = dict(os.environ)
        while True:
            campaign.refresh_from_db()
            if campaign.state != Campaign.State.SENDING:
                break
            Campaign.objects.filter(pk=campaign.pk).update(
                heartbeat_at=timezone.now() - 2 * sending.STALE
            )
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ambassade",
                    "send_campaign",
                    "--workspace",
                    "bench",
                    str(campaign.pk),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Killed once it has sent a random number more (a start takes a while on a busy
            # machine: a fixed delay could kill every worker before its first e-mail).
            goal = sending.progress(campaign).done + rng.randint(100, 1500)
            while process.poll() is None:
                if sending.progress(campaign).done >= goal:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    kills += 1
                    break
                time.sleep(0.05)
        results["killed"] = _tally(handler, campaign, "killed", time.perf_counter() - started)
        results["killed"]["kills"] = kills
        results["killed"]["load_start"] = load_start
        results["killed"]["load"] = os.getloadavg()[0]
        print(f"killed: {results['killed']}", file=sys.stderr)
        return results
    finally:
        controller.stop()


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]), int(sys.argv[2]))))
