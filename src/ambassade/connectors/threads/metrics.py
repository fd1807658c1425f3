"""A Threads profile's numbers, with the publishing connection's token (``threads_basic`` and
``threads_manage_insights``, both asked for when the connection is made):

- ``GET /{threads_user_id}?fields=id,username,name`` names the profile;
- ``GET /{threads_user_id}/threads_insights?metric=followers_count`` gives the followers now
  (``total_value``). Threads keeps no history of it (``since``/``until`` do not apply): each poll's
  value is the day's snapshot;
- ``GET /{threads_user_id}/threads?since=…`` lists the profile's posts (replies are a separate
  edge and are left out, as are ``REPOST_FACADE`` entries, other people's posts reposted);
- ``GET /{media_id}/insights?metric=views,likes,replies,reposts,quotes,shares`` gives each post's
  lifetime results, one call per post (the listing does not expand insights).

What Threads hides: other profiles' numbers (the API reads only the token's own profile, so no
competitor), reach, impressions apart from ``views``, saves and per-post link clicks (``clicks``
exists for the whole profile only), and the profile's following and posts counts. The profile's
own ``views``, ``likes``… per day exist in ``threads_insights`` but are sums of what the posts
give, so they are not read. Nested replies' results are not counted in a post's. Limits: the
Graph codes 4, 17, 32 and 613 and HTTP 429 wait as the usage headers say (``_graph``); Threads
allows 4,800 calls times the profile's impressions per 24 hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors import _graph
from ambassade.connectors._graph_metrics import insight_values, not_public
from ambassade.connectors.base import Capability, ConnectorError, Credentials
from ambassade.connectors.metrics import AccountReport, AccountStats, PostStats, clean_counts
from ambassade.connectors.threads.publish import POST_FIELDS, ThreadsPublisher, _errors

__all__ = ["ThreadsMetrics"]

MEDIA_INSIGHTS = ("views", "likes", "replies", "reposts", "quotes", "shares")
PAGE_SIZE = 50
HIDDEN = frozenset({"reach", "impressions", "saves", "clicks"})


def _bad_answer(what: str) -> ConnectorError:
    return ConnectorError(
        f"Threads answered {what} Ambassade cannot read.",
        code="connector.bad_answer",
        params={"network": "Threads"},
    )


def _insights(body: Any) -> dict[str, int]:
    """``{name: value}`` of an insights answer; raises when it is not one."""
    if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
        raise _bad_answer("insights")
    return insight_values({"insights": body})


class ThreadsMetrics(ThreadsPublisher):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = self._creds(credentials)
        if handle and handle.lstrip("@") not in (
            str(creds["threads_user_id"]),
            str(creds.get("account_name") or "").lstrip("@"),
        ):
            raise not_public("Threads")
        token = creds["access_token"]
        profile: Any = self.http.get(
            self._user(creds),
            params={"fields": "id,username,name", "access_token": token},
            error_map=_errors,
        ).json()
        if not isinstance(profile, Mapping) or not profile.get("id"):
            raise _bad_answer("a profile without an id")
        user_insights = _insights(
            self.http.get(
                f"{self._user(creds)}/threads_insights",
                params={"metric": "followers_count", "access_token": token},
                error_map=_errors,
            ).json()
        )
        # A count out of range or of the wrong type is left out, not stored wrong.
        followers = clean_counts(user_insights).get("followers_count")
        username = str(profile.get("username") or profile["id"])
        stats = AccountStats(
            handle=f"@{username}",
            id=str(profile["id"]),
            name=str(profile.get("name") or ""),
            url=f"https://www.threads.com/@{username}",
            followers=followers,
        )
        posts: list[PostStats] = []
        # Pages read at most: reposts of others' posts fill pages without giving results, and
        # metrics are read again at the next poll, so a long list is cut rather than refused.
        last_page = max_posts // PAGE_SIZE + 2
        for index, data in enumerate(
            _graph.pages(
                self.http,
                f"{self._user(creds)}/threads",
                {
                    "fields": POST_FIELDS,
                    "since": int(since.timestamp()),
                    "limit": PAGE_SIZE,
                    "access_token": token,
                },
                _errors,
                max_pages=last_page + 1,
                label="Threads",
            )
        ):
            older = False
            for raw in data:
                item = self._item(raw)
                if item is None or raw.get("media_type") == "REPOST_FACADE":
                    continue
                if item.created_at < since:
                    older = True
                    continue
                if len(posts) >= max_posts:
                    break
                values = self._post_insights(creds, item.external_id)
                if values is None:
                    continue  # deleted since it was listed
                posts.append(
                    PostStats(
                        external_id=item.external_id,
                        published_at=item.created_at,
                        url=item.url,
                        text=item.text[:500],
                        metrics=clean_counts({name: values.get(name) for name in MEDIA_INSIGHTS}),
                    )
                )
            if older or len(posts) >= max_posts or index + 1 >= last_page:
                break
        return AccountReport(stats, posts, hidden=HIDDEN, credentials=self.refreshed)

    def _post_insights(self, creds: Mapping[str, Any], media_id: str) -> dict[str, int] | None:
        try:
            body = self.http.get(
                f"{self._base(creds)}/{media_id}/insights",
                params={"metric": ",".join(MEDIA_INSIGHTS), "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except _graph.GraphNotFound:
            return None
        return _insights(body)
