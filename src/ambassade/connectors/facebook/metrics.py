"""A Facebook Page's numbers, with the publishing connection's Page token (``pages_read_engagement``
and ``read_insights``):

- ``GET /{page_id}?fields=name,link,followers_count,fan_count`` gives the followers;
- ``GET /{page_id}/published_posts?since=…&fields=…`` the posts with their reactions, comments and
  shares, and their lifetime insights in the same call: ``post_total_media_view_unique`` (reach:
  the people who saw the post, Meta's replacement since June 2025 for ``post_impressions_unique``)
  and ``post_clicks``.

What Meta hides: the numbers of Pages the token does not manage (competitors; Page Public Content
Access needs an app review), saves, and insights of Pages with fewer than 100 likes (Meta gives
none: those posts have no reach). Limits: the Graph API's per-app and per-Page call budgets; the
codes 4, 17, 32 and 613 wait (``_graph``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors import _graph
from ambassade.connectors._graph_metrics import insight_values, not_public
from ambassade.connectors._text import as_int
from ambassade.connectors.base import Capability, ConnectorError, Credentials
from ambassade.connectors.facebook.publish import POST_FIELDS, FacebookPublisher, _errors
from ambassade.connectors.metrics import AccountReport, AccountStats, PostStats, clean_counts

__all__ = ["FacebookMetrics"]

INSIGHTS = "insights.metric(post_total_media_view_unique,post_clicks)"
MAX_PAGES = 5
HIDDEN = frozenset({"saves", "views", "impressions", "reposts"})


class FacebookMetrics(FacebookPublisher):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = self._creds(credentials)
        if handle and handle not in (str(creds.get("page_id")), str(creds.get("account_name"))):
            raise not_public("Facebook")
        page: Any = self.http.get(
            self._page(creds),
            params={
                "fields": "id,name,link,followers_count,fan_count",
                "access_token": creds["access_token"],
            },
            error_map=_errors,
        ).json()
        if not isinstance(page, dict) or not page.get("id"):
            raise ConnectorError(
                "Facebook answered a Page without an id.",
                code="connector.bad_answer",
                params={"network": "Facebook"},
            )
        stats = AccountStats(
            handle=str(page.get("name") or page["id"]),
            id=str(page["id"]),
            name=str(page.get("name") or ""),
            url=str(page.get("link") or f"https://www.facebook.com/{page['id']}"),
            followers=as_int(page.get("followers_count")) or as_int(page.get("fan_count")),
        )
        posts: list[PostStats] = []
        for data in _graph.pages(
            self.http,
            f"{self._page(creds)}/published_posts",
            {
                "fields": f"{POST_FIELDS},{INSIGHTS}",
                "since": int(since.timestamp()),
                "limit": 50,
                "access_token": creds["access_token"],
            },
            _errors,
            max_pages=MAX_PAGES,
            label="Facebook",
        ):
            for raw in data:
                item = self._item(raw)
                if item is None or item.created_at < since:
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
                                "reach": insights.get("post_total_media_view_unique"),
                                "clicks": insights.get("post_clicks"),
                            }
                        ),
                    )
                )
            if len(posts) >= max_posts:
                break
        return AccountReport(stats, posts[:max_posts], hidden=HIDDEN)
