"""An Instagram professional account's numbers, with the publishing connection's token
(``instagram_basic`` and ``instagram_manage_insights``):

- ``GET /{ig_user_id}?fields=username,name,followers_count,follows_count,media_count``;
- ``GET /{ig_user_id}/media?fields=…`` the latest posts with ``like_count``, ``comments_count``
  and their lifetime insights in the same call: ``reach``, ``saved``, ``shares`` and ``views``
  (``impressions`` was withdrawn in April 2025 in favour of ``views``).

What Meta hides: other accounts' insights (a competitor's followers and posts need Business
Discovery, an app review), likes of posts whose owner hid them, and insights of posts in an album
(given for the album only). Insights can lag by up to 48 hours.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors import _graph
from ambassade.connectors._graph_metrics import insight_values, not_public
from ambassade.connectors._text import as_int
from ambassade.connectors.base import Capability, ConnectorError, Credentials
from ambassade.connectors.instagram.publish import MEDIA_FIELDS, InstagramPublisher, _errors
from ambassade.connectors.metrics import AccountReport, AccountStats, PostStats, clean_counts

__all__ = ["InstagramMetrics"]

INSIGHTS = "insights.metric(reach,saved,shares,views)"
MAX_PAGES = 5
HIDDEN = frozenset({"clicks", "impressions", "reposts"})


class InstagramMetrics(InstagramPublisher):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = self._creds(credentials)
        if handle and handle.lstrip("@") not in (
            str(creds.get("ig_user_id")),
            str(creds.get("account_name") or "").lstrip("@"),
        ):
            raise not_public("Instagram")
        user: Any = self.http.get(
            self._user(creds),
            params={
                "fields": "id,username,name,followers_count,follows_count,media_count",
                "access_token": creds["access_token"],
            },
            error_map=_errors,
        ).json()
        if not isinstance(user, dict) or not user.get("id"):
            raise ConnectorError(
                "Instagram answered an account without an id.",
                code="connector.bad_answer",
                params={"network": "Instagram"},
            )
        username = str(user.get("username") or user["id"])
        stats = AccountStats(
            handle=username,
            id=str(user["id"]),
            name=str(user.get("name") or ""),
            url=f"https://www.instagram.com/{username}/",
            followers=as_int(user.get("followers_count")),
            following=as_int(user.get("follows_count")),
            posts=as_int(user.get("media_count")),
        )
        posts: list[PostStats] = []
        for data in _graph.pages(
            self.http,
            f"{self._user(creds)}/media",
            {
                "fields": f"{MEDIA_FIELDS},{INSIGHTS}",
                "limit": 50,
                "access_token": creds["access_token"],
            },
            _errors,
            max_pages=MAX_PAGES,
            label="Instagram",
        ):
            older = False
            for raw in data:
                item = self._item(raw)
                if item is None:
                    continue
                if item.created_at < since:
                    older = True
                    continue
                insights = insight_values(raw)
                posts.append(
                    PostStats(
                        external_id=item.external_id,
                        published_at=item.created_at,
                        url=item.url,
                        text=item.text[:500],
                        metrics=clean_counts(
                            {
                                **item.metrics,
                                "reach": insights.get("reach"),
                                "saves": insights.get("saved"),
                                "shares": insights.get("shares"),
                                "views": insights.get("views"),
                            }
                        ),
                    )
                )
            if older or len(posts) >= max_posts:
                break
        return AccountReport(stats, posts[:max_posts], hidden=HIDDEN)
