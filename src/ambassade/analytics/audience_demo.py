"""The demo's audience: 90 days of followers and posts' results for the brand's two accounts and
two competitors, and of the site's visits, as the poller would have stored them (the demo's accounts have no real token and
``.example`` hosts, so nothing is read from a network), and an objective measured from them.
Deterministic (a seeded generator); running it again makes nothing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.utils import timezone

from ambassade.analytics import collect, services
from ambassade.analytics.models import (
    AccountSnapshot,
    Objective,
    PostResult,
    TrackedAccount,
    TrafficDay,
    TrafficSite,
)

DAYS = 90
COMPETITORS = (
    ("mastodon", "brulerie_martin@mastodon.example", "Brûlerie Martin", 2400, 3.0),
    ("bluesky", "grainsdor.bsky.example", "Grains d'Or", 5200, 6.0),
)
#: Hours (local) the demo brand posts at, and how much each draws: lunch and early evening best.
HOURS = {8: 0.7, 12: 1.4, 18: 1.6, 21: 0.9}
OBJECTIVE = {
    "fr": ("Faire grandir la communauté", "Abonnés et engagement des comptes de la marque."),
    "en": ("Grow the community", "Followers and engagement of the brand's accounts."),
}


def _series(
    rng: random.Random,
    account: TrackedAccount,
    start_followers: int,
    per_week: float,
    now: datetime,
    zone: ZoneInfo,
) -> int:
    followers = start_followers
    snapshots, results = [], []
    for back in range(DAYS, -1, -1):
        day = now - timedelta(days=back)
        followers += max(-3, int(rng.gauss(4 + start_followers / 1500, 3)))
        snapshots.append(
            AccountSnapshot(account=account, day=day.date(), taken_at=day, followers=followers)
        )
        for _ in range(int(per_week / 7 + rng.random())):
            hour = rng.choice(list(HOURS))
            local = day.astimezone(zone).replace(hour=hour, minute=rng.randrange(60))
            published = local.astimezone(ZoneInfo("UTC"))
            if published > now:
                continue
            base = followers * 0.012 * HOURS[hour] * (1.3 if local.weekday() in (1, 3) else 1.0)
            likes = max(0, int(rng.gauss(base, base / 3)))
            metrics = {
                "likes": likes,
                "reposts": max(0, int(likes * rng.uniform(0.1, 0.4))),
                "replies": max(0, int(likes * rng.uniform(0.05, 0.2))),
            }
            results.append(
                PostResult(
                    workspace_id=account.workspace_id,
                    account=account,
                    external_id=f"demo:{account.pk}:{published.isoformat()}",
                    url="",
                    text=rng.choice(
                        (
                            "Nouvelle carte d'hiver ☕",
                            "Le café du jour : Éthiopie Yirgacheffe",
                            "Atelier latte art samedi",
                            "Merci pour vos retours !",
                            "Ouverture le dimanche en décembre",
                        )
                    ),
                    published_at=published,
                    metrics=metrics,
                    engagements=collect.engagements_of(metrics),
                    impressions=None,
                    followers=followers,
                    read_at=now,
                )
            )
    AccountSnapshot.objects.bulk_create(snapshots)
    PostResult.objects.bulk_create(results, ignore_conflicts=True)
    TrackedAccount.objects.filter(id=account.id).update(
        followers=followers,
        status=TrackedAccount.Status.OK,
        polled_at=now,
        hidden=["clicks", "impressions", "reach", "views"],
    )
    return len(results)


def _traffic(workspace: Any, rng: random.Random, now: datetime) -> None:
    """The site's visits as Plausible would have given them (a ``.example`` server: never read)."""
    site = TrafficSite(
        workspace=workspace,
        tool=TrafficSite.Tool.PLAUSIBLE,
        base_url="https://plausible.example",
        site_id="cafe-lumiere.example",
        status=TrackedAccount.Status.OK,
        read_at=now,
        next_read_at=now + timedelta(days=3650),
    )
    site.set_secret({"token": "demo"})
    site.save()
    rows = []
    for back in range(DAYS):
        day = (now - timedelta(days=back)).date()
        networks = {
            "Mastodon": rng.randint(4, 18),
            "Bluesky": rng.randint(6, 25),
            "Facebook": rng.randint(0, 6),
        }
        channels = {
            "direct": rng.randint(60, 110),
            "search": rng.randint(80, 140),
            "social": sum(networks.values()),
            "website": rng.randint(5, 20),
            "campaign": rng.randint(0, 12),
        }
        for kind, values in (("channel", channels), ("social", networks)):
            rows.extend(
                TrafficDay(
                    site=site, workspace=workspace, day=day, kind=kind, name=name, visits=visits
                )
                for name, visits in values.items()
                if visits
            )
        if channels["campaign"]:
            rows.append(
                TrafficDay(
                    site=site,
                    workspace=workspace,
                    day=day,
                    kind="campaign",
                    name="carte-hiver",
                    visits=channels["campaign"],
                )
            )
    TrafficDay.objects.bulk_create(rows)


def ensure_demo_audience(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> int:
    if TrackedAccount.objects.filter(workspace=workspace, role="competitor").exists():
        return 0
    now = now or timezone.now()
    zone = ZoneInfo(workspace.time_zone)
    rng = random.Random(15)
    collect.sync_own_accounts(workspace)
    posts = 0
    for account, (followers, per_week) in zip(
        TrackedAccount.objects.filter(workspace=workspace, role="own").order_by("network"),
        ((1900, 4.0), (3100, 5.0)),
        strict=False,
    ):
        posts += _series(rng, account, followers, per_week, now, zone)
    for network, handle, label, followers, per_week in COMPETITORS:
        rival = TrackedAccount.objects.create(
            workspace=workspace,
            role=TrackedAccount.Role.COMPETITOR,
            network=network,
            handle=handle,
            label=label,
            shown_handle=handle,
            # ``.example`` hosts answer nobody: the poller leaves the demo's competitors alone.
            next_poll_at=now + timedelta(days=3650),
        )
        posts += _series(rng, rival, followers, per_week, now, zone)
    _traffic(workspace, rng, now)
    language = "fr" if getattr(workspace, "language", "fr").startswith("fr") else "en"
    name, description = OBJECTIVE[language]
    if not Objective.objects.filter(workspace=workspace, name=name).exists():
        today = now.astimezone(zone).date()
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        objective = services.create_objective(
            workspace, owner, name=name, type="community", description=description
        )
        for metric, target in (
            ("follower_growth", 250),
            ("engagement_rate_per_follower", 2),
            ("retention", 40),
            ("ambassadors", 5),
        ):
            services.add_kpi(
                objective, owner, metric=metric, target=target, period_start=first, period_end=last
            )
    out.write(f"Audience: 4 accounts, {DAYS} days of followers, {posts} posts with results.\n")
    return posts
