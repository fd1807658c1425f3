"""Which class moderates on which network, and an in-memory moderator that keeps the contract.

A moderator is a :class:`~ambassade.connectors.base.Connector` declaring the capability
``moderate`` (:class:`~ambassade.connectors.base.Moderator`). ``MODERATORS`` maps a network to its
class (``module:Class``); a network absent from it cannot be moderated from the product yet, and
the moderation queue says so instead of pretending (docs/moderation.md).

:class:`MemoryModerator` keeps the whole contract in memory: what is hidden, deleted, muted or banned,
the calls made, and the failures it is told to give. The product's tests and browser tests use it
in place of a network; a connector's own tests can check their behaviour against it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)

__all__ = ["MODERATORS", "MemoryModerator", "UnknownModerator", "get_moderator"]

MODERATORS: dict[str, str] = {
    "facebook": "ambassade.connectors.facebook.moderate:FacebookModerator",
    "instagram": "ambassade.connectors.instagram.moderate:InstagramModerator",
    "youtube": "ambassade.connectors.youtube.moderate:YoutubeModerator",
    "reddit": "ambassade.connectors.reddit.moderate:RedditModerator",
    "discord": "ambassade.connectors.discord.moderate:DiscordModerator",
    "x": "ambassade.connectors.x.moderate:XModerator",
    "mastodon": "ambassade.connectors.mastodon.moderate:MastodonModerator",
    "bluesky": "ambassade.connectors.bluesky.moderate:BlueskyModerator",
}
"""network -> ``module:Class`` of its moderator. Each subclasses the network's publisher (or
responder), so it works on the same connection and credentials."""


class UnknownModerator(LookupError):
    pass


def get_moderator(network: str) -> type[Connector]:
    try:
        path = MODERATORS[network]
    except KeyError:
        raise UnknownModerator(f"nothing moderates on {network!r}") from None
    module_name, _, attr = path.partition(":")
    cls: Any = getattr(importlib.import_module(module_name), attr)
    return cls  # type: ignore[no-any-return]


_UNDO: Mapping[ModerationAction, ModerationAction] = {
    ModerationAction.UNHIDE: ModerationAction.HIDE,
    ModerationAction.APPROVE: ModerationAction.HOLD,
    ModerationAction.UNMUTE: ModerationAction.MUTE,
    ModerationAction.UNBAN: ModerationAction.BAN,
}


class MemoryModerator(Connector):
    """A network in memory. ``state[action]`` holds the targets in that state (hide, hold, delete,
    mute, ban); ``until[target]`` the end of a temporary mute or ban; ``calls`` every request, in
    order. ``fail(action, error)`` makes the next calls of ``action`` raise ``error`` (``times``
    of them, or every one with None); ``actions`` is what the account may do."""

    kind: ClassVar[str] = "memory"
    label: ClassVar[str] = "Memory"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.MODERATE})

    def __init__(
        self, actions: frozenset[ModerationAction] | None = None, network: str = "memory"
    ) -> None:
        super().__init__()
        self.network = network
        self.actions = frozenset(ModerationAction) if actions is None else actions
        self.state: dict[ModerationAction, set[str]] = {}
        self.until: dict[str, datetime | None] = {}
        self.calls: list[ModerationRequest] = []
        self._failures: dict[ModerationAction, list[Any]] = {}

    def fail(self, action: ModerationAction, error: ConnectorError, times: int | None = 1) -> None:
        self._failures[action] = [error, times]

    def holds(self, action: ModerationAction, target: str) -> bool:
        return target in self.state.get(action, set())

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.actions

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        self.calls.append(request)
        action = request.action
        failure = self._failures.get(action)
        if failure is not None:
            error, times = failure
            if times is not None:
                failure[1] = times - 1
                if failure[1] <= 0:
                    del self._failures[action]
            raise error
        if action not in self.actions:
            raise ConnectorError(
                f"{self.network} cannot {action} here",
                permanent=True,
                code="connector.moderation_unsupported",
                params={"network": self.network, "action": str(action)},
            )
        now = datetime.now(UTC)
        undone = _UNDO.get(action)
        if undone is not None:
            held = self.state.setdefault(undone, set())
            already = request.target not in held
            held.discard(request.target)
            self.until.pop(request.target, None)
            return ModerationResult(action, request.target, now, already=already)
        targets = self.state.setdefault(action, set())
        already = request.target in targets
        targets.add(request.target)
        if action in (ModerationAction.MUTE, ModerationAction.BAN):
            self.until[request.target] = request.until
        return ModerationResult(action, request.target, now, until=request.until, already=already)
