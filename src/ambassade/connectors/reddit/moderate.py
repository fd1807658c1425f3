"""Moderating a subreddit as one of its moderators, with Reddit's API.

The connected user must moderate the subreddit, with the OAuth scopes ``modposts`` (remove and
approve) and ``modcontributors`` (ban), and ``read`` to find an item's subreddit:

- hide (remove) a post or comment: ``POST /api/remove`` with ``id={fullname}`` and ``spam=false``;
  unhide or approve: ``POST /api/approve``. Both answer ``{}``. A moderator cannot delete another
  person's post or comment on Reddit: removing is what Reddit offers, and it can be undone.
- ban / unban: ``POST /r/{subreddit}/api/friend`` with ``type=banned``, ``name={username}``,
  ``duration`` (days, 1 to 999; none for a permanent ban, which Reddit then keeps until lifted),
  ``ban_reason`` and ``ban_message``; ``POST /r/{subreddit}/api/unfriend`` with ``type=banned``.
  Reddit ends a temporary ban by itself. The subreddit is the request's ``options["subreddit"]``,
  else the one of the item that caused it (``GET /api/info?id={fullname}``), else the connection's.
  Refusals come inside a 200 as ``json.errors`` (``USER_DOESNT_EXIST``, ``SUBREDDIT_NOEXIST``…).

A user who does not moderate the subreddit gets 403: shown as Reddit's refusal, permanent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ambassade.connectors._moderation import bare_handle, done, unsupported
from ambassade.connectors.base import (
    Capability,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.reddit.publish import RedditPublisher

__all__ = ["RedditModerator"]

A = ModerationAction
MAX_BAN_DAYS = 999


def _fullname(target: str) -> str:
    return target if target[:3] in ("t1_", "t3_") else f"t1_{target}"


class RedditModerator(RedditPublisher):
    capabilities: ClassVar[frozenset[Capability]] = RedditPublisher.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset(
        {A.HIDE, A.UNHIDE, A.APPROVE, A.BAN, A.UNBAN}
    )

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        action = request.action
        if action not in self.moderates:
            raise unsupported("Reddit", action)
        self._credentials(credentials, subreddit=False)
        if action is A.HIDE:
            self._call(
                credentials,
                "POST",
                "/api/remove",
                data={"id": _fullname(request.target), "spam": "false"},
                retry=True,
            )
            return done(request)
        if action in (A.UNHIDE, A.APPROVE):
            self._call(
                credentials,
                "POST",
                "/api/approve",
                data={"id": _fullname(request.target)},
                retry=True,
            )
            return done(request)
        subreddit = self._where(credentials, request)
        name = bare_handle(request.target)
        data: dict[str, Any] = {"api_type": "json", "type": "banned", "name": name}
        until = None
        if action is A.BAN:
            path = f"/r/{subreddit}/api/friend"
            if request.until is not None:
                days = math.ceil((request.until - datetime.now(UTC)) / timedelta(days=1))
                days = min(max(days, 1), MAX_BAN_DAYS)
                data["duration"] = days
                until = datetime.now(UTC) + timedelta(days=days)
            if request.reason:
                data["ban_reason"] = request.reason[:100]
                data["ban_message"] = request.reason
        else:
            path = f"/r/{subreddit}/api/unfriend"
        response = self._call(credentials, "POST", path, data=data, retry=True)
        self._refused(response.json() if response.content else {})
        return done(request, until=until, lifts_itself=until is not None)

    def _where(self, credentials: Credentials, request: ModerationRequest) -> str:
        given = request.options.get("subreddit")
        if isinstance(given, str) and given.strip():
            return self._subreddit({"subreddit": given})
        if request.item_id:
            body = self._call(
                credentials, "GET", "/api/info", params={"id": _fullname(request.item_id)}
            ).json()
            children = (
                (body.get("data") or {}).get("children") if isinstance(body, Mapping) else None
            )
            if isinstance(children, list) and children and isinstance(children[0], Mapping):
                data = children[0].get("data")
                if isinstance(data, Mapping) and data.get("subreddit"):
                    return str(data["subreddit"])
        subreddit = self._subreddit({"subreddit": (credentials or {}).get("subreddit") or ""})
        if not subreddit:
            raise ConnectorError(
                "Reddit bans from one subreddit; none is known for this action.",
                permanent=True,
                code="reddit.no_subreddit_set",
            )
        return subreddit

    @staticmethod
    def _refused(body: Any) -> None:
        result = body.get("json") if isinstance(body, Mapping) else None
        errors = result.get("errors") if isinstance(result, Mapping) else None
        if not errors:
            return
        first = errors[0] if isinstance(errors, list) else errors
        parts = [str(part) for part in first] if isinstance(first, list) else [str(first)]
        raise ConnectorError(
            f"Reddit refused the moderation action: {': '.join(parts)}",
            permanent=True,
            code="reddit.moderation_refused",
            params={"detail": ": ".join(parts[:2])},
        )
