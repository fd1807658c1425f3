"""Muting and blocking accounts from the connected Bluesky account (AT Protocol).

- mute / unmute: ``app.bsky.graph.muteActor`` / ``unmuteActor`` (``POST /xrpc/…`` with
  ``{"actor": handle or DID}``, answered with no body). A mute is private to the account and has
  no end: a temporary one is lifted by Ambassade.
- ban (block) / unban: a block is a record in the account's repository: ``getProfile`` gives
  the person's DID and the block already there (``viewer.blocking``, its ``at://`` URI); ban
  creates one (``com.atproto.repo.createRecord`` in ``app.bsky.graph.block`` with ``subject``),
  unban deletes it (``com.atproto.repo.deleteRecord`` with its ``rkey``). A ban of someone already
  blocked, or an unban of someone not blocked, is done already.

Bluesky lets an author hide replies only through the thread's gate (``app.bsky.feed.threadgate``
``hiddenReplies``) on their own posts, and nobody can delete another's post: hide and delete are
not offered on Bluesky.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
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
from ambassade.connectors.bluesky.publish import BlueskyPublisher

__all__ = ["BlueskyModerator"]

A = ModerationAction
BLOCK = "app.bsky.graph.block"


class BlueskyModerator(BlueskyPublisher):
    capabilities: ClassVar[frozenset[Capability]] = BlueskyPublisher.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset({A.MUTE, A.UNMUTE, A.BAN, A.UNBAN})

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        action = request.action
        if action not in self.moderates:
            raise unsupported("Bluesky", action)
        actor = request.target.strip().lstrip("@")
        if action in (A.MUTE, A.UNMUTE):
            nsid = "app.bsky.graph.muteActor" if action is A.MUTE else "app.bsky.graph.unmuteActor"
            self._call(credentials, "POST", nsid, json={"actor": actor}, retry=True)
            return done(request, until=request.until if action is A.MUTE else None)
        profile = self._call(
            credentials, "GET", "app.bsky.actor.getProfile", params={"actor": actor}
        ).json()
        did = profile.get("did") if isinstance(profile, Mapping) else None
        if not isinstance(did, str) or not did.startswith("did:"):
            raise ConnectorError(
                "Bluesky answered the profile without its DID.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        viewer = profile.get("viewer")
        blocking = viewer.get("blocking") if isinstance(viewer, Mapping) else None
        creds = self._session(credentials)
        if action is A.BAN:
            if blocking:
                return done(request, already=True, until=request.until)
            record: dict[str, Any] = {
                "$type": BLOCK,
                "subject": did,
                "createdAt": datetime.now(UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
            }
            self._call(
                credentials,
                "POST",
                "com.atproto.repo.createRecord",
                json={"repo": creds["did"], "collection": BLOCK, "record": record},
                retry=True,
            )
            return done(request, until=request.until)
        if not isinstance(blocking, str) or not blocking:
            return done(request, already=True)
        rkey = blocking.rsplit("/", 1)[-1]
        self._call(
            credentials,
            "POST",
            "com.atproto.repo.deleteRecord",
            json={"repo": creds["did"], "collection": BLOCK, "rkey": rkey},
            retry=True,
        )
        return done(request)
