"""Moderating comments on the connected channel's videos, with the YouTube Data API.

The channel owner's token needs ``youtube.force-ssl``. One method does it all,
``comments.setModerationStatus`` (``POST /youtube/v3/comments/setModerationStatus?id=…&
moderationStatus=…``, answering 204 with no body, 50 quota units):

- hide (reject): ``moderationStatus=rejected``, the comment is no longer shown;
- hold for review: ``heldForReview``; approve (publish) or unhide: ``published``;
- ban the author: ``rejected`` with ``banAuthor=true`` on the comment that caused it (the
  request's ``item_id``): YouTube hides all of the author's comments on the channel, for good. The
  API has no way to lift a ban (YouTube Studio does) nor to time one.

``comments.delete`` only deletes the channel's own comments, so delete is not offered: rejecting
is what a channel owner can do with another person's comment. Refusals: a comment the channel may
not moderate (403 ``forbidden``), gone (404 ``commentNotFound``), a token without the scope (403
``insufficientPermissions``: reconnect), the day's quota spent (403 ``quotaExceeded``: wait).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ambassade.connectors._moderation import done, unsupported
from ambassade.connectors.base import (
    Capability,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.http import Response
from ambassade.connectors.youtube.account import YoutubeAccount, _error_map, _Unauthorized
from ambassade.connectors.youtube.client import _reasons

__all__ = ["YoutubeModerator"]

A = ModerationAction
STATUS = {
    A.HIDE: "rejected",
    A.BAN: "rejected",
    A.HOLD: "heldForReview",
    A.APPROVE: "published",
    A.UNHIDE: "published",
}


class _Gone(ConnectorError):
    pass


def _moderation_error_map(response: Response, message: str) -> ConnectorError | None:
    reasons = _reasons(response)
    if "commentNotFound" in reasons:
        return _Gone(
            message, permanent=True, code="youtube.parent_gone", params={"detail": message}
        )
    if "forbidden" in reasons or "banWithoutReject" in reasons:
        return ConnectorError(
            f"YouTube does not let this channel moderate this comment: {message}",
            permanent=True,
            code="youtube.moderation_forbidden",
            params={"detail": message},
        )
    return _error_map(response, message)


class YoutubeModerator(YoutubeAccount):
    capabilities: ClassVar[frozenset[Capability]] = YoutubeAccount.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset(STATUS)

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        action = request.action
        if action not in self.moderates:
            raise unsupported("YouTube", action)
        comment = (request.item_id if action is A.BAN else request.target).removeprefix("comment:")
        if not comment:
            raise ConnectorError(
                "YouTube bans an author through one of their comments; none was given.",
                permanent=True,
                code="youtube.ban_needs_comment",
            )
        params: dict[str, Any] = {"id": comment, "moderationStatus": STATUS[action]}
        if action is A.BAN:
            params["banAuthor"] = "true"
        try:
            self._post_empty(credentials, "/comments/setModerationStatus", params)
        except _Gone:
            if action is not A.HIDE:
                raise
            return done(request, already=True)  # a comment gone is hidden from everyone
        return done(request)

    def _post_empty(self, credentials: Credentials, path: str, params: dict[str, Any]) -> None:
        """A call answered with 204 and no body; a 401 renews the token once."""
        creds = self._credentials(credentials)
        for attempt in (0, 1):
            try:
                self.http.request(
                    "POST",
                    f"{self.endpoints['api']}{path}",
                    params=params,
                    headers={"Authorization": f"Bearer {creds['access_token']}"},
                    retry=True,
                    error_map=_moderation_error_map,
                )
                return
            except _Unauthorized:
                if attempt:
                    raise
                creds = self._renew(creds)
