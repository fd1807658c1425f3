"""Muting and blocking accounts from the connected Mastodon account.

Scopes ``write:mutes`` and ``write:blocks`` (and ``read:accounts`` to find an account):

- mute: ``POST /api/v1/accounts/{id}/mute`` with ``duration`` (seconds, 0 for ever;
  Mastodon lifts a timed mute by itself) and ``notifications=true``; unmute: ``…/unmute``;
- ban (block): ``POST /api/v1/accounts/{id}/block``; unban: ``…/unblock``.

Each answers the Relationship (``{"id", "muting", "blocking", …}``). An account id is the one
on the connection's own server: a handle (``@name@server``) is found with ``GET
/api/v1/accounts/lookup?acct=…``. Hiding or deleting another person's post needs the server's
admin API, which Ambassade does not use: hide and delete are not offered on Mastodon.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors._moderation import bad_target, done, numeric_id, unsupported
from ambassade.connectors.base import (
    Capability,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.mastodon.publish import MastodonPublisher, _error_map

__all__ = ["MastodonModerator"]

A = ModerationAction
#: An account id as servers give it: digits on Mastodon, letters and digits on Pleroma or Akkoma.
SERVER_ID = re.compile(r"[A-Za-z0-9]{1,64}")
PATHS = {A.MUTE: "mute", A.UNMUTE: "unmute", A.BAN: "block", A.UNBAN: "unblock"}
STATE = {A.MUTE: "muting", A.UNMUTE: "muting", A.BAN: "blocking", A.UNBAN: "blocking"}


class MastodonModerator(MastodonPublisher):
    capabilities: ClassVar[frozenset[Capability]] = MastodonPublisher.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset(PATHS)

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def _account(self, creds: Mapping[str, Any], target: str) -> str:
        if numeric_id(target):
            return target
        if not target.strip().lstrip("@"):
            raise bad_target("Mastodon", target)
        body = self.http.get(
            self._url(creds, "/api/v1/accounts/lookup"),
            params={"acct": target.lstrip("@")},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        found = body.get("id") if isinstance(body, Mapping) else None
        if isinstance(found, int) and not isinstance(found, bool):
            found = str(found)
        if not isinstance(found, str) or not SERVER_ID.fullmatch(found):
            raise ConnectorError(
                f"Mastodon knows no account {target}.",
                permanent=True,
                code="mastodon.account_unknown",
                params={"account": target},
            )
        return found

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        action = request.action
        if action not in self.moderates:
            raise unsupported("Mastodon", action)
        creds = self._creds(credentials)
        account = self._account(creds, request.target)
        data: dict[str, Any] = {}
        if action is A.MUTE:
            seconds = 0
            if request.until is not None:
                seconds = max(1, int((request.until - datetime.now(UTC)).total_seconds()))
            data = {"duration": seconds, "notifications": "true"}
        body = self.http.post(
            self._url(creds, f"/api/v1/accounts/{account}/{PATHS[action]}"),
            data=data or None,
            headers=self._headers(creds),
            retry=True,
            error_map=_error_map,
        ).json()
        wanted = action in (A.MUTE, A.BAN)
        if not isinstance(body, Mapping) or body.get(STATE[action]) is not wanted:
            raise ConnectorError(
                "Mastodon did not confirm the moderation action.",
                permanent=False,
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        timed = action is A.MUTE and request.until is not None
        return done(request, until=request.until if timed else None, lifts_itself=timed)
