"""Moderating a Facebook page's comments and the people who write them, with the Graph API.

The page token needs ``pages_manage_engagement`` (hide and delete comments on the page's posts) and
``pages_manage_metadata``/``pages_read_user_content`` (the page's blocked list):

- hide / unhide a comment: ``POST /{comment-id}`` with ``is_hidden=true|false`` answers
  ``{"success": true}``; a hidden comment stays visible to its author and their friends;
- delete a comment: ``DELETE /{comment-id}``; a comment already gone (code 100, subcode 33, or a
  404) counts as done;
- ban / unban a person from the page: ``POST /{page-id}/blocked`` with ``user={id}`` answers
  ``{"{id}": true}``; ``DELETE /{page-id}/blocked?user={id}`` answers ``{"success": true}``. The
  id is the person's page-scoped id (the comment's ``from.id``).

Facebook has no mute and no review queue of its own for comments. Errors are the Graph API's
(``_graph``): an expired token or a missing permission asks for reconnection, a rate limit waits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ambassade.connectors._graph import GraphNotFound
from ambassade.connectors._moderation import bad_target, done, graph_id, unsupported
from ambassade.connectors.base import (
    Capability,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.facebook.publish import FacebookPublisher, _errors

__all__ = ["FacebookModerator"]

A = ModerationAction


def answered_success(body: Any, label: str, key: str = "success") -> None:
    """Graph answers ``{"success": true}`` (or ``{id: true}`` for a block); anything else is a
    refusal that names no reason."""
    if isinstance(body, Mapping) and body.get(key) is True:
        return
    raise ConnectorError(
        f"{label} did not confirm the moderation action.",
        permanent=False,
        code="connector.bad_answer",
        params={"network": label},
    )


class FacebookModerator(FacebookPublisher):
    capabilities: ClassVar[frozenset[Capability]] = FacebookPublisher.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset(
        {A.HIDE, A.UNHIDE, A.DELETE, A.BAN, A.UNBAN}
    )

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        creds = self._creds(credentials)
        action = request.action
        if action not in self.moderates:
            raise unsupported("Facebook", action)
        if not graph_id(request.target):
            raise bad_target("Facebook", request.target)
        token = str(creds["access_token"])
        if action in (A.HIDE, A.UNHIDE):
            body = self.http.post(
                f"{self._base(creds)}/{request.target}",
                data={"is_hidden": "true" if action is A.HIDE else "false", "access_token": token},
                retry=True,
                error_map=_errors,
            ).json()
            answered_success(body, "Facebook")
            return done(request)
        if action is A.DELETE:
            try:
                body = self.http.request(
                    "DELETE",
                    f"{self._base(creds)}/{request.target}",
                    params={"access_token": token},
                    retry=True,
                    error_map=_errors,
                ).json()
            except GraphNotFound:
                return done(request, already=True)
            answered_success(body, "Facebook")
            return done(request)
        blocked = f"{self._page(creds)}/blocked"
        if action is A.BAN:
            body = self.http.post(
                blocked,
                data={"user": request.target, "access_token": token},
                retry=True,
                error_map=_errors,
            ).json()
            answered_success(body, "Facebook", key=request.target)
            # Facebook's block has no end: a temporary ban is lifted by Ambassade at ``until``.
            return done(request, until=request.until)
        body = self.http.request(
            "DELETE",
            blocked,
            params={"user": request.target, "access_token": token},
            retry=True,
            error_map=_errors,
        ).json()
        answered_success(body, "Facebook")
        return done(request)
