"""`ambassade bench analytics`: the home dashboard's and the objectives page's latency with a year of
a busy workspace's data.

A workspace is filled in bulk (``executemany`` on SQLite, ``COPY`` on PostgreSQL, the inbox bench's
helpers) with a year of listening: 1,000 brand and competitor mentions a day (365,000;
``--quick``: 100 a day), each matched by one of four queries (two of the brand, two of
competitors) and counted in the rollups of distinct mentions; 20,000 conversations (four in five answered), 5,000
satisfaction answers, 2,000 published posts with short links, 5,000 community members; one KPI
per indicator of the catalogue over the current month; and the audience (``_fill_audience``: own
and competitors' accounts read daily for the year, their posts' results, a site's traffic). Then
the home page (the dashboard: its tiles, the 30-day chart and the six running KPIs), the objectives
page (every KPI), the audience, competitors and traffic pages (30 days and the whole year), and the
area pages (listening, publishing, inbox and community over 30 days and over the year) are
requested through Django's test client, signed in as the owner. p50
and p95 over the requests, and the SQL queries of one page.

Each database runs in a child process with a throw-away data directory: SQLite always, PostgreSQL
when ``AMBASSADE_TEST_DATABASE_URL`` is set (the database is emptied: use a test database).
``extra["analytics_per_day"]`` changes the mentions a day, ``extra["databases"]`` measures one.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ambassade.benchmarks import BenchOptions, BenchResult
from ambassade.benchmarks._analytics_agency import describe as describe_agency
from ambassade.benchmarks._child import databases, fresh_database, run_in_child

__all__ = ["TITLE", "run"]

TITLE = (
    "Analytics: the dashboard, objectives, audience, competitors, traffic and the area pages "
    "with a year of a busy workspace"
)
OPTIONS = {
    "analytics_per_day": "mentions a day over the year (1,000; --quick 100)",
    "databases": "sqlite or postgresql: measure one database only",
}
REQUESTS = 30
TARGET_MS = 300
DAYS = 365


def run(options: BenchOptions) -> BenchResult:
    per_day = int(options.extra.get("analytics_per_day", 100 if options.quick else 1_000))
    targets = databases(options.extra)
    results = []
    for label, url in targets:
        print(f"{label}: {per_day} mentions a day for a year…", file=sys.stderr)
        try:
            results.append((label, _child(per_day, url)))
        except subprocess.CalledProcessError as exc:
            print(f"{label}: the measurement failed (exit code {exc.returncode})", file=sys.stderr)
    lines = [
        f"A workspace with a year of data filled in bulk: {per_day * DAYS:,} mentions "
        f"({per_day:,} a day, each matched by one of two brand and two competitor queries, with "
        "the rollups of distinct mentions, rebuilt by `ambassade rollups`' code), 20,000 conversations, 5,000 satisfaction answers, 2,000 published "
        "posts with short links, 5,000 community members, one KPI per indicator of the catalogue "
        f"over the current month; and the audience: {OWN_ACCOUNTS} own accounts posting "
        f"{OWN_POSTS_A_DAY} times a day and {RIVALS} competitors {RIVAL_POSTS_A_DAY} times a day, "
        "each read daily for the year (snapshots and posts' results), and a site's traffic (8 "
        "channels, 10 social networks, 20 campaigns a day). "
        f"{describe_agency()} "
        f"Each page requested {REQUESTS} times through Django's test client, "
        "signed in as the owner, after three warm-up requests.",
        "",
    ]
    summary = []
    for label, r in results:
        lines += [
            f"**{label}** — filled in {r['fill_seconds']:.0f} s (of which the rollups of distinct "
            f"mentions rebuilt from the {per_day * DAYS:,} mentions in {r['rollup_seconds']:.0f} s); "
            f"load average {r['load']:.1f} on the machine while measuring.",
            "",
            "| Page | p50 | p95 | Queries |",
            "|---|---:|---:|---:|",
        ]
        worst = 0.0
        for page in r["pages"]:
            lines.append(
                f"| {page['name']} | {page['p50'] * 1000:.0f} ms | {page['p95'] * 1000:.0f} ms | "
                f"{page['queries']} |"
            )
            worst = max(worst, page["p95"])
        lines.append("")
        verdict = "under" if worst * 1000 < TARGET_MS else "OVER"
        summary.append(f"{label} worst page p95 {worst * 1000:.0f} ms ({verdict} {TARGET_MS} ms)")
    lines.append(f"Target (issue 15): p95 under {TARGET_MS} ms per page on SQLite and PostgreSQL.")
    return BenchResult("\n".join(lines), "; ".join(summary))


def _child(per_day: int, database_url: str) -> dict[str, Any]:
    return run_in_child(
        "ambassade.benchmarks.analytics",
        per_day,
        prefix="ambassade-bench-analytics-",
        database_url=database_url,
    )


def _fill(per_day: int, now: datetime) -> dict[str, Any]:
    from django.db import connection

    from ambassade.analytics import services as analytics_services
    from ambassade.analytics.catalogue import CATALOGUE
    from ambassade.analytics.dashboard import local_today
    from ambassade.benchmarks.inbox import _bool, _insert, _reset_sequences, _stamp
    from ambassade.community.models import Identity, Member
    from ambassade.inbox.models import Conversation
    from ambassade.listening.models import (
        Competitor,
        ListeningQuery,
        Mention,
        MentionMatch,
        Source,
    )
    from ambassade.publishing.models import Post, ShortLink, Variant
    from ambassade.satisfaction.models import Survey
    from ambassade.workspaces import services as workspace_services

    owner = workspace_services.create_user("bench@example.com", None, "Bench Owner")
    _org, workspace = workspace_services.create_organisation(
        name="Bench", kind="company", owner=owner, workspace_name="Bench"
    )
    workspace.time_zone = "Europe/Paris"
    workspace.save(update_fields=["time_zone"])
    connection_ = workspace_services.connect_account(
        workspace,
        network="mastodon",
        account_name="@bench@mastodon.example",
        secret={"access_token": "x"},
        actor=owner,
    )
    source = Source.objects.create(workspace=workspace, name="Bench", kind="mastodon")
    queries = [
        ListeningQuery.objects.create(workspace=workspace, name="Brand", text="brand"),
        ListeningQuery.objects.create(workspace=workspace, name="Products", text="products"),
    ]
    for n in range(2):
        rival = Competitor.objects.create(workspace=workspace, name=f"Rival {n}")
        queries.append(
            ListeningQuery.objects.create(
                workspace=workspace,
                name=f"Rival {n}",
                text=f"rival{n}",
                kind=ListeningQuery.Kind.COMPETITOR,
                competitor=rival,
            )
        )
    started = time.perf_counter()
    total = per_day * DAYS
    step = timedelta(days=DAYS) / total
    sentiments = ("positive", "neutral", "neutral", "negative")
    columns = [
        "id", "workspace_id", "source_id", "network", "external_id", "kind", "url", "text",
        "html", "author_handle", "author_name", "author_url", "author_followers",
        "author_external_id", "parent_external_id", "thread_external_id", "lang", "sentiment",
        "sentiment_score", "offensive", "hateful", "spam", "keywords", "fingerprint", "cluster",
        "is_duplicate", "metrics", "tags", "sentiment_corrected", "marked_spam",
        "marked_irrelevant", "created_at", "ingested_at",
    ]  # fmt: skip
    present = {f.column for f in Mention._meta.concrete_fields}
    columns = [c for c in columns if c in present]

    def mention_rows() -> Iterable[tuple[Any, ...]]:
        for i in range(total):
            at = now - step * i
            sentiment = sentiments[(i * 7) % 4]
            values = {
                "id": i + 1, "workspace_id": workspace.pk, "source_id": source.pk,
                "network": "mastodon", "external_id": f"m{i}", "kind": "post", "url": "",
                "text": "Un avis sur la marque", "html": "", "author_handle": f"person{i % 50_000}",
                "author_name": "", "author_url": "", "author_followers": (i * 97) % 20_000,
                "author_external_id": "", "parent_external_id": "", "thread_external_id": "",
                "lang": "fr", "sentiment": sentiment, "sentiment_score": 0.0, "offensive": 0.0,
                "hateful": 0.0, "spam": 0.0, "keywords": "[]", "fingerprint": 0, "cluster": 0,
                "is_duplicate": _bool(False), "metrics": "{}", "tags": "[]",
                "sentiment_corrected": _bool(False), "marked_spam": _bool(False),
                "marked_irrelevant": _bool(False), "created_at": _stamp(at),
                "ingested_at": _stamp(at),
            }  # fmt: skip
            yield tuple(values[c] for c in columns)

    _insert(Mention, columns, mention_rows())
    _insert(
        MentionMatch,
        ["workspace_id", "mention_id", "query_id", "created_at"],
        ((workspace.pk, i + 1, queries[i % 4].pk, _stamp(now - step * i)) for i in range(total)),
    )
    print(f"  {total} mentions", file=sys.stderr)
    from ambassade.listening import rollup

    counted = time.perf_counter()
    rollup.rebuild(workspace)
    rollup_seconds = time.perf_counter() - counted
    print(f"  the rollups of distinct mentions rebuilt in {rollup_seconds:.1f} s", file=sys.stderr)
    conversations = 20_000
    conversation_step = timedelta(days=DAYS) / conversations
    Conversation.objects.bulk_create(
        [
            Conversation(
                workspace=workspace,
                network="mastodon",
                channel="message",
                thread_key=f"t{i}",
                status="resolved" if i % 10 else "open",
                first_inbound_at=now - conversation_step * i,
                first_response_at=(now - conversation_step * i + timedelta(minutes=5 + i % 300))
                if i % 5
                else None,
                waiting_since=None if i % 10 else now - conversation_step * i,
                first_response_due_at=now - conversation_step * i + timedelta(minutes=60),
                due_at=None if i % 10 else now - timedelta(minutes=i % 90 - 45),
            )
            for i in range(conversations)
        ],
        batch_size=2_000,
    )
    ids = list(
        Conversation.objects.filter(workspace=workspace).values_list("id", flat=True)[:5_000]
    )
    Survey.objects.bulk_create(
        [
            Survey(
                workspace=workspace,
                conversation_id=cid,
                token_hash=f"{cid:064d}",
                network="mastodon",
                status="answered",
                score=1 + (cid * 7) % 5,
                answered_at=now - timedelta(hours=cid % (24 * DAYS)),
            )
            for cid in ids
        ],
        batch_size=2_000,
    )
    posts = Post.objects.bulk_create(
        [
            Post(workspace=workspace, text=f"Post {n}", utm_campaign=f"campaign-{n % 8}")
            for n in range(2_000)
        ],
        batch_size=1_000,
    )
    Variant.objects.bulk_create(
        [
            Variant(
                workspace=workspace,
                post=post,
                connection=connection_,
                status="published" if n % 20 else "pending_approval",
                published_at=now - timedelta(hours=n * 4) if n % 20 else None,
            )
            for n, post in enumerate(posts)
        ],
        batch_size=1_000,
    )
    ShortLink.objects.bulk_create(
        [
            ShortLink(
                workspace=workspace,
                post=post,
                network="mastodon",
                target=f"https://brand.example/{n}",
                code=f"b{n}",
                clicks=n % 40,
            )
            for n, post in enumerate(posts)
        ],
        batch_size=1_000,
    )
    members = Member.objects.bulk_create(
        [
            Member(
                workspace=workspace,
                display_name=f"Person {n}",
                first_seen_at=now - timedelta(hours=n),
                love=float(n % 100),
                ambassador=n % 50 == 0,
                detractor=n % 70 == 0,
                dormant=n % 3 == 0,
                staff=n % 500 == 0,
                scored_at=now,
            )
            for n in range(5_000)
        ],
        batch_size=1_000,
    )
    Identity.objects.bulk_create(
        [
            Identity(
                workspace=workspace, member=member, network="mastodon", handle=f"person{n * 10}"
            )
            for n, member in enumerate(members)
        ],
        batch_size=1_000,
    )
    _reset_sequences(Mention)
    today = local_today(workspace)
    first = today.replace(day=1)
    objective = analytics_services.create_objective(
        workspace, owner, name="Everything", type="visibility"
    )
    for metric in CATALOGUE:
        analytics_services.add_kpi(
            objective,
            owner,
            metric=metric,
            target=50,
            period_start=first,
            period_end=first + timedelta(days=30),
        )
    _fill_audience(workspace, connection_, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "workspace": workspace,
        "user": owner,
        "fill_seconds": time.perf_counter() - started,
        "rollup_seconds": rollup_seconds,
    }


#: The audience of a busy brand: four own accounts posting five times a day, six competitors three
#: times a day, each read daily for a year, and a site whose tool reports 8 channels, 10 social
#: networks and 20 campaigns a day.
OWN_ACCOUNTS, RIVALS, OWN_POSTS_A_DAY, RIVAL_POSTS_A_DAY = 4, 6, 5, 3


def _fill_audience(workspace: Any, connection_: Any, now: datetime) -> None:
    from ambassade.analytics.models import (
        AccountSnapshot,
        PostResult,
        TrackedAccount,
        TrafficDay,
        TrafficSite,
    )
    from ambassade.workspaces import services as workspace_services

    accounts = []
    for n in range(OWN_ACCOUNTS):
        own = connection_ if n == 0 else workspace_services.connect_account(
            workspace, network=("bluesky", "youtube", "reddit")[n - 1],
            account_name=f"bench{n}", secret={"access_token": "x"}, actor=None,
        )  # fmt: skip
        accounts.append(
            TrackedAccount.objects.create(
                workspace=workspace,
                role="own",
                network=own.network,
                connection=own,
                followers=10_000 * (n + 1),
                status="ok",
                hidden=["impressions"],
            )
        )
    for n in range(RIVALS):
        accounts.append(
            TrackedAccount.objects.create(
                workspace=workspace,
                role="competitor",
                network="mastodon",
                handle=f"rival{n}@mastodon.example",
                label=f"Rival {n}",
                followers=5_000 * (n + 1),
                status="ok",
            )
        )
    snapshots, results = [], []
    for index, account in enumerate(accounts):
        per_day = OWN_POSTS_A_DAY if account.role == "own" else RIVAL_POSTS_A_DAY
        for back in range(DAYS):
            at = now - timedelta(days=back)
            followers = int(account.followers or 0) - back * (index + 3)
            snapshots.append(
                AccountSnapshot(account=account, day=at.date(), taken_at=at, followers=followers)
            )
            for k in range(per_day):
                engagements = (back * 7 + k * 13 + index) % 200
                views = None if account.network in ("mastodon", "bluesky") else engagements * 30
                results.append(
                    PostResult(
                        workspace=workspace,
                        account=account,
                        external_id=f"{index}:{back}:{k}",
                        text="Un post",
                        published_at=at - timedelta(hours=3 * k + index),
                        metrics={"likes": engagements, "views": views}
                        if views
                        else {"likes": engagements},
                        engagements=engagements,
                        impressions=views,
                        followers=followers,
                        read_at=at,
                    )
                )
    AccountSnapshot.objects.bulk_create(snapshots, batch_size=2_000)
    PostResult.objects.bulk_create(results, batch_size=2_000)
    site = TrafficSite(
        workspace=workspace, tool="plausible", base_url="https://plausible.example", site_id="bench"
    )
    site.set_secret({"token": "x"})
    site.save()
    days = []
    for back in range(DAYS):
        day = (now - timedelta(days=back)).date()
        for n, channel in enumerate(
            ("direct", "search", "social", "website", "campaign", "email", "paid", "other")
        ):
            days.append(
                TrafficDay(
                    site=site,
                    workspace=workspace,
                    day=day,
                    kind="channel",
                    name=channel,
                    visits=100 + n * 10 + back % 17,
                )
            )
        for n in range(10):
            days.append(
                TrafficDay(
                    site=site,
                    workspace=workspace,
                    day=day,
                    kind="social",
                    name=f"Network {n}",
                    visits=5 + n + back % 7,
                )
            )
        for n in range(20):
            days.append(
                TrafficDay(
                    site=site,
                    workspace=workspace,
                    day=day,
                    kind="campaign",
                    name=f"campaign-{n}",
                    visits=1 + n % 5,
                )
            )
    TrafficDay.objects.bulk_create(days, batch_size=2_000)
    print(
        f"  {len(snapshots)} snapshots, {len(results)} posts' results, {len(days)} traffic rows",
        file=sys.stderr,
    )


def _agency_pages(user: Any) -> list[tuple[str, str]]:
    """The agency view, with the busy workspace and an agency's clients (``_analytics_agency``)."""
    from django.urls import reverse

    from ambassade.benchmarks._analytics_agency import fill_agency

    started = time.perf_counter()
    clients = fill_agency(user, datetime.now(UTC))
    print(
        f"  the agency: {clients} clients in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    url = reverse("analytics:agency")
    return [
        (f"Agency view ({clients + 1} workspaces, 30 days, figures kept)", url),
        (f"Agency view ({clients + 1} workspaces, 30 days, computed again)", url + "?fresh=1"),
    ]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _measure(per_day: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from ambassade.benchmarks.inbox import _Counter

    fresh_database()
    filled = _fill(per_day, datetime.now(UTC))
    workspace, user = filled["workspace"], filled["user"]
    pages_of_the_agency = _agency_pages(user)
    with connection.cursor() as cursor:  # the statistics of everything filled, agency included
        # On PostgreSQL, VACUUM as well: autovacuum does it to a running installation's tables
        # after that many inserts (autovacuum_vacuum_insert_threshold), and until then an
        # index-only scan of the freshly filled rollups still visits every row of the table.
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(user)
    pages = []
    from ambassade.analytics.catalogue import CATALOGUE

    year = f"?start={(datetime.now(UTC) - timedelta(days=DAYS - 1)).date()}&end={datetime.now(UTC).date()}"
    for name, url in (
        ("Home (dashboard)", reverse("workspace_home", args=[workspace.slug])),
        (
            f"Objectives ({len(CATALOGUE)} KPIs)",
            reverse("analytics:objectives", args=[workspace.slug]),
        ),
        ("Audience (30 days)", reverse("analytics:audience", args=[workspace.slug])),
        ("Audience (the year)", reverse("analytics:audience", args=[workspace.slug]) + year),
        ("Competitors (30 days)", reverse("analytics:competitors", args=[workspace.slug])),
        (
            "Competitors (the year)",
            reverse("analytics:competitors", args=[workspace.slug]) + year,
        ),
        ("Traffic (30 days)", reverse("analytics:traffic", args=[workspace.slug])),
        ("Traffic (the year)", reverse("analytics:traffic", args=[workspace.slug]) + year),
        *(
            (
                f"{area.title()} area (30 days)",
                reverse("analytics:area", args=[workspace.slug, area]),
            )
            for area in ("listening", "publishing", "inbox", "community")
        ),
        (
            "Listening area (the year)",
            reverse("analytics:area", args=[workspace.slug, "listening"]) + year,
        ),
        *(
            (
                f"{area.title()} area (the year)",
                reverse("analytics:area", args=[workspace.slug, area]) + year,
            )
            for area in ("publishing", "inbox", "community")
        ),
        *pages_of_the_agency,
    ):
        for _warm in range(3):
            assert client.get(url).status_code == 200
        found: list[str] = []
        with connection.execute_wrapper(_Counter(found)):
            client.get(url)
        timings = []
        for _n in range(REQUESTS):
            begin = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - begin)
            assert response.status_code == 200
        pages.append(
            {
                "name": name,
                "p50": statistics.median(timings),
                "p95": _p95(timings),
                "queries": len(found),
            }
        )
    return {
        "pages": pages,
        "fill_seconds": filled["fill_seconds"],
        "rollup_seconds": filled["rollup_seconds"],
        "load": os.getloadavg()[0],
    }


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]))))
