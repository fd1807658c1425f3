"""Polling the networks' numbers into the snapshot tables.

Every connection of a network with a metrics reader (``connectors.metrics.METRICS_READERS``) is an
own :class:`TrackedAccount`; competitors are added by the team (``audience_views``). The periodic
task (``tasks.poll_accounts``, every 15 minutes) reads the accounts that are due: each poll claims
its account with a conditional UPDATE of ``next_poll_at`` (two workers never read the same
account), reads the counters and the posts of the last :data:`LOOKBACK`, writes the day's snapshot
and the posts' results, and sets the next poll: :data:`OWN_EVERY` or :data:`COMPETITOR_EVERY`
later, or when the network's rate limit says (``retry_after``), at least :data:`RETRY_AFTER`
later after a temporary failure, a day later after a permanent one. A refused token marks the
connection "needs reconnection"; a worker killed mid-poll leaves the claim, which expires after
:data:`CLAIM`, so the account is read again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ambassade.analytics.audience_models import AccountSnapshot, PostResult, TrackedAccount
from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.metrics import (
    METRICS_READERS,
    PUBLIC,
    AccountReport,
    UnknownMetricsReader,
    get_metrics_reader,
)
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection, Workspace

__all__ = [
    "CLAIM",
    "ENGAGEMENTS",
    "LOOKBACK",
    "OWN_EVERY",
    "ReaderFactory",
    "due_accounts",
    "engagements_of",
    "impressions_of",
    "poll_account",
    "sync_own_accounts",
]

log = logging.getLogger(__name__)

#: Interactions: what the engagement rate adds up (Buffer counts likes, comments, shares,
#: reposts, quotes and clicks). A Reddit score is a net vote count, not a number of interactions.
ENGAGEMENTS = (
    "likes",
    "reposts",
    "replies",
    "quotes",
    "reactions",
    "shares",
    "comments",
    "saves",
    "clicks",
)
OWN_EVERY = timedelta(hours=6)
COMPETITOR_EVERY = timedelta(hours=12)
RETRY_AFTER = timedelta(minutes=15)
FAILED_AFTER = timedelta(days=1)
CLAIM = timedelta(minutes=10)
#: Posts published in the last 30 days are read again at each poll; older results are kept as
#: they were last read.
LOOKBACK = timedelta(days=30)
MAX_POSTS = 100

ReaderFactory = Callable[[str], Any]


def default_reader(network: str) -> Any:
    return get_metrics_reader(network)(HttpClient())


def engagements_of(metrics: Mapping[str, Any]) -> int:
    return sum(
        int(value)
        for name, value in metrics.items()
        if name in ENGAGEMENTS and isinstance(value, int) and not isinstance(value, bool)
    )


def impressions_of(metrics: Mapping[str, Any]) -> int | None:
    """Impressions, else views (Instagram's and YouTube's count of times shown), else None."""
    for name in ("impressions", "views"):
        value = metrics.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def sync_own_accounts(workspace: Workspace | None = None) -> int:
    """An own tracked account for every connection of a network with a metrics reader."""
    connections = Connection.objects.filter(network__in=list(METRICS_READERS))
    if workspace is not None:
        connections = connections.filter(workspace=workspace)
    known = set(
        TrackedAccount.objects.filter(connection__in=connections).values_list(
            "connection_id", flat=True
        )
    )
    made = 0
    for connection in connections.exclude(id__in=known):
        TrackedAccount.objects.get_or_create(
            connection=connection,
            defaults={
                "workspace_id": connection.workspace_id,
                "role": TrackedAccount.Role.OWN,
                "network": connection.network,
            },
        )
        made += 1
    return made


def due_accounts(now: datetime | None = None, limit: int = 50) -> list[int]:
    now = now or timezone.now()
    return list(
        TrackedAccount.objects.filter(next_poll_at__lte=now)
        .exclude(connection__status=Connection.Status.NEEDS_RECONNECTION)
        .order_by("next_poll_at")
        .values_list("id", flat=True)[:limit]
    )


def _credentials(account: TrackedAccount) -> tuple[dict[str, Any] | None, Connection | None]:
    """The credentials to read with, and the connection they came from (to write a refreshed
    token back). A competitor is read with a connection of the same network where the network
    needs one (YouTube's key, Reddit's application)."""
    from ambassade.publishing import accounts

    if account.connection is not None:
        return accounts.credentials(account.connection), account.connection
    connection = (
        Connection.objects.filter(
            workspace_id=account.workspace_id,
            network=account.network,
            status=Connection.Status.CONNECTED,
        )
        .order_by("id")
        .first()
    )
    if connection is None:
        return None, None
    return accounts.credentials(connection), connection


def _fail(
    account_id: int, now: datetime, message: Any, *, retry_after: float | None, permanent: bool
) -> None:
    if permanent:
        later = now + FAILED_AFTER
    else:
        later = now + max(timedelta(seconds=retry_after or 0), RETRY_AFTER)
    TrackedAccount.objects.filter(id=account_id).update(
        status=TrackedAccount.Status.ERROR if permanent else TrackedAccount.Status.RETRYING,
        last_error=StoredMessage.of(message),
        next_poll_at=later,
    )


def poll_account(
    account_id: int, *, now: datetime | None = None, reader_factory: ReaderFactory | None = None
) -> bool:
    """Read one account if it is due; True when its numbers were stored."""
    now = now or timezone.now()
    if not TrackedAccount.objects.filter(id=account_id, next_poll_at__lte=now).update(
        next_poll_at=now + CLAIM
    ):
        return False
    account = TrackedAccount.objects.select_related("connection").get(id=account_id)
    if account.role == TrackedAccount.Role.COMPETITOR and account.network not in PUBLIC:
        _fail(
            account.id,
            now,
            coded("metrics.not_public", network=account.network),
            retry_after=None,
            permanent=True,
        )
        return False
    credentials, source = _credentials(account)
    try:
        reader = (reader_factory or default_reader)(account.network)
    except UnknownMetricsReader:
        _fail(
            account.id,
            now,
            coded("metrics.no_reader", network=account.network),
            retry_after=None,
            permanent=True,
        )
        return False
    try:
        report: AccountReport = reader.read_account(
            credentials,
            account.handle,
            since=now - LOOKBACK,
            max_posts=MAX_POSTS,
        )
    except AuthExpired as error:
        if account.connection is not None:
            workspace_services.mark_needs_reconnection(account.connection.id, error)
        _fail(account.id, now, error, retry_after=None, permanent=True)
        return False
    except ConnectorError as error:
        log.info("metrics of account %s not read: %s", account.id, error.message)
        _fail(account.id, now, error, retry_after=error.retry_after, permanent=error.permanent)
        return False
    except Exception as error:  # a reader's bug must not stop the other accounts
        log.exception("metrics of account %s failed", account.id)
        _fail(
            account.id,
            now,
            coded("metrics.unexpected", detail=type(error).__name__),
            retry_after=None,
            permanent=False,
        )
        return False
    finally:
        if reader_factory is None:
            reader.close()
    if report.credentials and source is not None:
        secret = {
            key: value
            for key, value in report.credentials.items()
            if key not in ("account_name", "account_id")
        }
        source.set_secret(secret)
        source.updated_at = now
        source.save(update_fields=["token_ciphertext", "updated_at"])
    store(account, report, now)
    return True


def store(account: TrackedAccount, report: AccountReport, now: datetime) -> None:
    stats = report.account
    every = OWN_EVERY if account.role == TrackedAccount.Role.OWN else COMPETITOR_EVERY
    with transaction.atomic():
        AccountSnapshot.objects.update_or_create(
            account=account,
            day=now.date(),
            defaults={
                "taken_at": now,
                "followers": stats.followers,
                "following": stats.following,
                "posts": stats.posts,
            },
        )
        existing = {
            row.external_id: row
            for row in PostResult.objects.filter(
                account=account, external_id__in=[post.external_id for post in report.posts]
            )
        }
        fresh: list[PostResult] = []
        changed: list[PostResult] = []
        for post in report.posts:
            metrics = dict(post.metrics)
            row = existing.get(post.external_id)
            if row is None:
                row = PostResult(
                    workspace_id=account.workspace_id, account=account, external_id=post.external_id
                )
                fresh.append(row)
            else:
                changed.append(row)
            row.url = post.url[:500]
            row.text = post.text[:500]
            row.published_at = post.published_at
            row.metrics = metrics
            row.engagements = engagements_of(metrics)
            row.impressions = impressions_of(metrics)
            if row.followers is None:
                row.followers = stats.followers
            row.read_at = now
        PostResult.objects.bulk_create(fresh)
        PostResult.objects.bulk_update(
            changed,
            [
                "url",
                "text",
                "published_at",
                "metrics",
                "engagements",
                "impressions",
                "followers",
                "read_at",
            ],
        )
        TrackedAccount.objects.filter(id=account.id).update(
            shown_handle=stats.handle[:200],
            name=stats.name[:200],
            url=stats.url[:500],
            followers=stats.followers,
            posts_count=stats.posts,
            hidden=sorted(report.hidden),
            status=TrackedAccount.Status.OK,
            last_error="",
            polled_at=now,
            next_poll_at=now + every,
        )
