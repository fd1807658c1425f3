"""Which class answers people on which network: replies, private messages, conversations.

A responder is a :class:`~ambassade.connectors.base.Connector` that declares some of the
capabilities ``reply`` (:class:`~ambassade.connectors.base.Replier`), ``direct_messages``
(:class:`~ambassade.connectors.base.Messenger`) and ``conversation``
(:class:`~ambassade.connectors.base.ConversationReader`). Where the network has a publisher, the
publisher is its responder (one connection, one set of credentials); YouTube and e-mail have a
class of their own. E-mail is not a listening source kind (``registry``): its messages are private
and reach the inbox through ``fetch_messages``, never listening's stream. :func:`capabilities` gathers what each network declares across listening,
publishing, answering and moderation: docs/connectors.md's table is checked against it.
"""

from __future__ import annotations

import importlib
from typing import Any

from ambassade.connectors.base import Capability, Connector
from ambassade.connectors.metrics import METRICS_READERS
from ambassade.connectors.moderators import MODERATORS
from ambassade.connectors.publishers import PUBLISHERS
from ambassade.connectors.registry import BUILTINS

__all__ = ["RESPONDERS", "UnknownResponder", "capabilities", "get_responder"]

RESPONDERS: dict[str, str] = {
    "mastodon": PUBLISHERS["mastodon"],
    "bluesky": PUBLISHERS["bluesky"],
    "x": PUBLISHERS["x"],
    "reddit": PUBLISHERS["reddit"],
    "youtube": "ambassade.connectors.youtube.account:YoutubeAccount",
    "facebook": PUBLISHERS["facebook"],
    "instagram": PUBLISHERS["instagram"],
    "telegram": PUBLISHERS["telegram"],
    "discord": PUBLISHERS["discord"],
    "email": "ambassade.connectors.email:EmailConnector",
}


class UnknownResponder(LookupError):
    pass


def _load(path: str) -> type[Connector]:
    module_name, _, attr = path.partition(":")
    cls: Any = getattr(importlib.import_module(module_name), attr)
    return cls  # type: ignore[no-any-return]


def get_responder(network: str) -> type[Connector]:
    try:
        path = RESPONDERS[network]
    except KeyError:
        raise UnknownResponder(f"nothing answers people on {network!r}") from None
    return _load(path)


def capabilities() -> dict[str, frozenset[Capability]]:
    """Every built-in network's capabilities: its listening connector's, its publisher's, its
    responder's, its moderator's and its metrics reader's together."""
    found: dict[str, set[Capability]] = {}
    for table in (BUILTINS, PUBLISHERS, RESPONDERS, MODERATORS, METRICS_READERS):
        for network, path in table.items():
            found.setdefault(network, set()).update(_load(path).capabilities)
    return {network: frozenset(caps) for network, caps in found.items()}
