"""What every network's moderator shares: refusing an action it cannot take, and the result.

A network's moderator subclasses its publisher (or responder), so a moderation action runs on the
same connection, credentials and error classification as a post or a reply. Every action is safe to
repeat (an item already hidden, an account already banned is a success with ``already=True``), so
each request is sent with ``retry=True``: a 5xx or a lost answer is simply tried again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ambassade.connectors.base import (
    ConnectorError,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)

__all__ = ["bare_handle", "done", "unsupported"]


def unsupported(network: str, action: ModerationAction) -> ConnectorError:
    """The network (or this account on it) cannot take ``action``: permanent, in plain words."""
    return ConnectorError(
        f"{network} does not let this account {action} here.",
        permanent=True,
        code="connector.moderation_unsupported",
        params={"network": network, "action": str(action)},
    )


def done(
    request: ModerationRequest,
    *,
    already: bool = False,
    until: datetime | None = None,
    lifts_itself: bool = False,
) -> ModerationResult:
    return ModerationResult(
        request.action,
        request.target,
        datetime.now(UTC),
        until=until,
        lifts_itself=lifts_itself,
        already=already,
    )


def bare_handle(target: str) -> str:
    """``@name``, ``u/name`` or ``/u/name`` → ``name``."""
    target = target.strip().lstrip("@")
    for prefix in ("/u/", "u/", "/user/", "user/"):
        if target.lower().startswith(prefix):
            return target[len(prefix) :]
    return target
