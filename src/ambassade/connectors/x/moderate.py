"""Moderating replies and accounts on X, with the X API v2 and the user's OAuth 2.0 token.

Scopes: ``tweet.moderate.write`` (hide replies) and ``mute.write`` (mute), with ``users.read``:

- hide / unhide a reply to one of the account's posts: ``PUT /2/tweets/{id}/hidden`` with
  ``{"hidden": true|false}`` answers ``{"data": {"hidden": …}}``;
- mute / unmute an account: ``POST /2/users/{me}/muting`` with ``{"target_user_id": …}`` answers
  ``{"data": {"muting": true}}``; ``DELETE /2/users/{me}/muting/{target}``. A handle is turned
  into an id with ``GET /2/users/by/username/{handle}``. X's mutes have no end: a temporary mute
  is lifted by Ambassade.

X lets an account delete only its own posts, and its v2 API no longer offers blocking: delete and
ban are not offered on X.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ambassade.connectors._moderation import bad_target, bare_handle, done, numeric_id, unsupported
from ambassade.connectors.base import (
    Capability,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.x.publish import XPublisher, _error_map

__all__ = ["XModerator"]

A = ModerationAction
#: X's user names: letters, digits and underscores, at most 15 of them.
USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")


def _data(body: Any, key: str) -> Any:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or key not in data:
        raise ConnectorError(
            "X did not confirm the moderation action.",
            permanent=False,
            code="connector.bad_answer",
            params={"network": "X"},
        )
    return data[key]


class XModerator(XPublisher):
    capabilities: ClassVar[frozenset[Capability]] = XPublisher.capabilities | {Capability.MODERATE}
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset(
        {A.HIDE, A.UNHIDE, A.MUTE, A.UNMUTE}
    )

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def _account(self, creds: Mapping[str, Any], target: str) -> str:
        if numeric_id(target):
            return target
        handle = bare_handle(target)
        if not USERNAME.fullmatch(handle):
            raise bad_target("X", target)
        body = self.http.get(
            f"{self.endpoints['api']}/2/users/by/username/{handle}",
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        return str(_data(body, "id"))

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        action = request.action
        if action not in self.moderates:
            raise unsupported("X", action)
        creds = self._creds(credentials)
        api = self.endpoints["api"]
        if action in (A.HIDE, A.UNHIDE):
            if not numeric_id(request.target):
                raise bad_target("X", request.target)
            body = self.http.request(
                "PUT",
                f"{api}/2/tweets/{request.target}/hidden",
                headers=self._headers(creds),
                json={"hidden": action is A.HIDE},
                retry=True,
                error_map=_error_map,
            ).json()
            _data(body, "hidden")
            return done(request)
        me = self._user(creds)["id"]
        target = self._account(creds, request.target)
        if action is A.MUTE:
            body = self.http.post(
                f"{api}/2/users/{me}/muting",
                headers=self._headers(creds),
                json={"target_user_id": target},
                retry=True,
                error_map=_error_map,
            ).json()
        else:
            body = self.http.request(
                "DELETE",
                f"{api}/2/users/{me}/muting/{target}",
                headers=self._headers(creds),
                retry=True,
                error_map=_error_map,
            ).json()
        _data(body, "muting")
        return done(request, until=request.until if action is A.MUTE else None)
