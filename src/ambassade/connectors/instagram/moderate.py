"""Moderating comments on an Instagram professional account, with the Instagram Graph API.

The token needs ``instagram_manage_comments``:

- hide / unhide a comment: ``POST /{ig-comment-id}`` with ``hide=true|false`` answers
  ``{"success": true}``; a hidden comment stays visible to its author;
- delete a comment: ``DELETE /{ig-comment-id}`` answers ``{"success": true}``; a comment already
  gone counts as done.

The API can neither restrict nor block an account: mute and ban are not offered on Instagram.
"""

from __future__ import annotations

from typing import ClassVar

from ambassade.connectors._graph import GraphNotFound
from ambassade.connectors._moderation import bad_target, done, graph_id, unsupported
from ambassade.connectors.base import (
    Capability,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.facebook.moderate import answered_success
from ambassade.connectors.instagram.publish import InstagramPublisher, _errors

__all__ = ["InstagramModerator"]

A = ModerationAction


class InstagramModerator(InstagramPublisher):
    capabilities: ClassVar[frozenset[Capability]] = InstagramPublisher.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset({A.HIDE, A.UNHIDE, A.DELETE})

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        creds = self._creds(credentials)
        action = request.action
        if action not in self.moderates:
            raise unsupported("Instagram", action)
        if not graph_id(request.target):
            raise bad_target("Instagram", request.target)
        token = str(creds["access_token"])
        url = f"{self._base(creds)}/{request.target}"
        if action is A.DELETE:
            try:
                body = self.http.request(
                    "DELETE", url, params={"access_token": token}, retry=True, error_map=_errors
                ).json()
            except GraphNotFound:
                return done(request, already=True)
        else:
            body = self.http.post(
                url,
                data={"hide": "true" if action is A.HIDE else "false", "access_token": token},
                retry=True,
                error_map=_errors,
            ).json()
        answered_success(body, "Instagram")
        return done(request)
