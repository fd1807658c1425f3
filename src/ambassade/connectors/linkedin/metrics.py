"""A LinkedIn organisation page's numbers through the Community Management API (versioned
``/rest/`` calls, ``LinkedIn-Version`` and ``X-Restli-Protocol-Version: 2.0.0`` as the publisher
sends them), with the publishing connection's token and its page-admin scope
``rw_organization_admin``:

- ``GET /rest/networkSizes/{organization URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`` gives the
  followers (``firstDegreeSize``; no history: each poll's value is the day's snapshot);
- ``GET /rest/posts?q=author&author=…&sortBy=CREATED`` lists the page's posts, newest first, 50 a
  page (``start``);
- ``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=…
  &shares=List(…)&ugcPosts=List(…)`` gives each post's lifetime ``totalShareStatistics``, 20 posts a
  call: ``impressionCount``, ``uniqueImpressionsCount`` (reach), ``clickCount``, ``likeCount``,
  ``commentCount``, ``shareCount`` (reshares, kept as ``shares``). ``engagement`` is a ratio, not a
  count: the product computes its own rates.

What LinkedIn hides: saves, views (a video's views are in another API), reposts apart from
reshares, other pages (statistics are given to the page's administrators only: no competitor),
following and posts counts of the page, and everything without the Community Management API's
approval (a 403, ``linkedin.statistics_refused``: the poll stops, the connection keeps publishing).
Statistics cover organic activity of the last 12 months. Limits: daily quotas per application and
per member, reset at midnight UTC: a 429 without ``Retry-After`` waits until then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from ambassade.connectors._graph_metrics import not_public
from ambassade.connectors.base import AuthExpired, Capability, ConnectorError, Credentials
from ambassade.connectors.http import Response, parse_retry_after
from ambassade.connectors.linkedin.publish import LinkedInPublisher, _error_map
from ambassade.connectors.metrics import (
    AccountReport,
    AccountStats,
    PostStats,
    clean_counts,
    mapping,
)
from ambassade.engine.publishing import unescape_little_text

__all__ = ["LinkedInMetrics"]

PAGE_SIZE = 50
#: Posts whose statistics are asked for in one call (the URL stays short).
STATS_BATCH = 20
HIDDEN = frozenset({"saves", "views", "reposts"})
STATISTICS = {
    "impressions": "impressionCount",
    "reach": "uniqueImpressionsCount",
    "clicks": "clickCount",
    "likes": "likeCount",
    "comments": "commentCount",
    "shares": "shareCount",
}


def _bad_answer(what: str) -> ConnectorError:
    return ConnectorError(
        f"LinkedIn answered {what} Ambassade cannot read.",
        code="connector.bad_answer",
        params={"network": "LinkedIn"},
    )


def _until_midnight(now: datetime) -> float:
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return max(60.0, (tomorrow - now).total_seconds())


class LinkedInMetrics(LinkedInPublisher):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def __init__(
        self, *args: Any, now: Callable[[], datetime] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or (lambda: datetime.now(UTC))

    def _errors(self, response: Response, message: str) -> ConnectorError | None:
        """The publisher's errors, but a 403 is not a reason to reconnect here: a page role that
        may publish may not see statistics, and an app may lack the API's approval."""
        if response.status_code == 429:
            wait = parse_retry_after(response.headers) or _until_midnight(self.now())
            return ConnectorError(
                f"LinkedIn asks to wait: {message}",
                permanent=False,
                retry_after=wait,
                code="connector.rate_limited",
                params={"network": "LinkedIn", "detail": message},
            )
        mapped = _error_map(response, message)
        if isinstance(mapped, AuthExpired) and mapped.code == "linkedin.page_refused":
            return ConnectorError(
                f"LinkedIn refuses the page's statistics to this connection: {message}",
                permanent=True,
                code="linkedin.statistics_refused",
                params={"detail": message},
            )
        return mapped

    def _get(self, creds: Mapping[str, Any], url: str, params: Mapping[str, Any] | None) -> Any:
        return self.http.get(
            url, params=params, headers=self._headers(creds), error_map=self._errors
        ).json()

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = self._creds(credentials)
        organization = self._organization(creds)
        number = organization.rsplit(":", 1)[-1]
        name = str(creds.get("account_name") or "")
        if handle and handle not in (organization, number, name):
            raise not_public("LinkedIn")
        api = self.endpoints["api"]
        size = mapping(
            self._get(
                creds,
                f"{api}/rest/networkSizes/{quote(organization, safe='')}",
                {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
            )
        )
        if "firstDegreeSize" not in size:
            raise _bad_answer("a follower count")
        stats = AccountStats(
            handle=name or organization,
            id=organization,
            name=name,
            url=f"https://www.linkedin.com/company/{number}/",
            followers=clean_counts({"n": size.get("firstDegreeSize")}).get("n"),
        )
        listed = self._posts(creds, organization, since, max_posts)
        results = self._statistics(creds, organization, [item[0] for item in listed])
        posts = [
            PostStats(
                external_id=urn,
                published_at=published,
                url=self._url(urn),
                text=text[:500],
                metrics=results.get(urn, {}),
            )
            for urn, published, text in listed
        ]
        return AccountReport(stats, posts, hidden=HIDDEN, credentials=self.refreshed)

    def _posts(
        self, creds: Mapping[str, Any], organization: str, since: datetime, max_posts: int
    ) -> list[tuple[str, datetime, str]]:
        found: list[tuple[str, datetime, str]] = []
        start = 0
        for _page in range(max_posts // PAGE_SIZE + 2):
            body = mapping(
                self._get(
                    creds,
                    f"{self.endpoints['api']}/rest/posts",
                    {
                        "q": "author",
                        "author": organization,
                        "sortBy": "CREATED",
                        "count": PAGE_SIZE,
                        "start": start,
                    },
                )
            )
            elements = body.get("elements")
            if not isinstance(elements, list):
                raise _bad_answer("a list of posts")
            older = False
            for post in elements:
                post = mapping(post)
                stamp = post.get("publishedAt") or post.get("createdAt")
                urn = str(post.get("id") or "")
                if not urn.startswith("urn:li:") or not isinstance(stamp, int | float):
                    continue
                if isinstance(stamp, bool) or not 0 < stamp < 1e14:
                    continue
                published = datetime.fromtimestamp(stamp / 1000, UTC)
                if published < since:
                    older = True
                    continue
                if post.get("lifecycleState") not in (None, "PUBLISHED"):
                    continue  # a draft or a post being processed has no results yet
                text = unescape_little_text(str(post.get("commentary") or ""))
                found.append((urn, published, text))
            if older or len(found) >= max_posts or len(elements) < PAGE_SIZE:
                break
            start += PAGE_SIZE
        return found[:max_posts]

    def _statistics(
        self, creds: Mapping[str, Any], organization: str, urns: list[str]
    ) -> dict[str, dict[str, int]]:
        results: dict[str, dict[str, int]] = {}
        for first in range(0, len(urns), STATS_BATCH):
            batch = urns[first : first + STATS_BATCH]
            # Rest.li lists: List(…) kept as written, each URN inside encoded.
            lists = [
                f"{param}=List({','.join(ids)})"
                for param, kind in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:"))
                if (ids := [quote(urn, safe="") for urn in batch if urn.startswith(kind)])
            ]
            if not lists:
                continue  # without a list LinkedIn would answer the whole page's totals
            query = "&".join(
                [
                    urlencode({"q": "organizationalEntity", "organizationalEntity": organization}),
                    *lists,
                ]
            )
            body = mapping(
                self._get(
                    creds,
                    f"{self.endpoints['api']}/rest/organizationalEntityShareStatistics?{query}",
                    None,
                )
            )
            elements = body.get("elements")
            if not isinstance(elements, list):
                raise _bad_answer("statistics")
            for element in elements:
                element = mapping(element)
                urn = str(element.get("share") or element.get("ugcPost") or "")
                totals = mapping(element.get("totalShareStatistics"))
                if urn in batch:
                    results[urn] = clean_counts(
                        {name: totals.get(key) for name, key in STATISTICS.items()}
                    )
        return results
