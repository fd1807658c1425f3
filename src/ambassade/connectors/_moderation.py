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

__all__ = ["bad_target", "bare_handle", "done", "graph_id", "numeric_id", "unsupported"]


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


def numeric_id(value: str, limit: int = 20) -> bool:
    """Whether ``value`` is a network's numeric id: ASCII digits only, at most ``limit`` of them.
    ``str.isdigit`` is not enough: it is true of '²' or '٣', which no network uses in an id."""
    return 0 < len(value) <= limit and value.isascii() and value.isdigit()


def graph_id(value: str) -> bool:
    """Whether ``value`` is a Graph API object id (Facebook, Instagram): ASCII digits, or groups
    of them joined by ``_`` (a page post's comment, ``{post}_{comment}``). Such an id is put in the
    request's path, so nothing else may pass: ``../me/accounts`` would call another endpoint with
    the page's token."""
    parts = value.split("_")
    return 0 < len(parts) <= 3 and all(numeric_id(part, 32) for part in parts)


def bad_target(network: str, target: str) -> ConnectorError:
    """``target`` cannot name an item or account on the network (an id with other characters than
    the network uses): permanent, and nothing is sent."""
    return ConnectorError(
        f"{network} has no item or account named {target[:80]!r}.",
        permanent=True,
        code="connector.moderation_bad_target",
        params={"network": network, "target": target[:80]},
    )
