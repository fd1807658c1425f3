"""The publishing side of the connectors: which class publishes to which network, and the keys.

A publisher is a :class:`~ambassade.connectors.base.Connector` with the ``publish`` capability that
implements :class:`~ambassade.connectors.base.Publisher`. Two class attributes tell the outbox how
far it can trust a retry:

- ``idempotent``: sending the same ``Draft.idempotency_key`` again cannot publish twice (Mastodon's
  ``Idempotency-Key`` header, Bluesky's record key, Discord's ``nonce`` with ``enforce_nonce``), for
  ``idempotency_window`` seconds after the first send. Outside that window, or on a network without
  keys (Telegram, LinkedIn, X, Facebook, Instagram, Threads), an unknown outcome is reconciled by
  reading ``recent_posts`` first.
- ``refreshed``: set after a call when the publisher obtained new tokens; the outbox writes them back
  to the vault.

``credentials`` given to a publisher are the connection's decrypted secret plus ``account_name`` and
``account_id`` (the outbox adds them), so that a publisher can find its server and its account.
"""

from __future__ import annotations

import importlib
import secrets
import time
from typing import Any

from ambassade.connectors.base import Connector

__all__ = ["PUBLISHERS", "UnknownPublisher", "get_publisher", "new_idempotency_key", "part_key"]

PUBLISHERS: dict[str, str] = {
    "mastodon": "ambassade.connectors.mastodon.publish:MastodonPublisher",
    "bluesky": "ambassade.connectors.bluesky.publish:BlueskyPublisher",
    "discord": "ambassade.connectors.discord.publish:DiscordPublisher",
    "telegram": "ambassade.connectors.telegram.publish:TelegramPublisher",
    "linkedin": "ambassade.connectors.linkedin.publish:LinkedInPublisher",
    "x": "ambassade.connectors.x.publish:XPublisher",
    "facebook": "ambassade.connectors.facebook.publish:FacebookPublisher",
    "instagram": "ambassade.connectors.instagram.publish:InstagramPublisher",
    "threads": "ambassade.connectors.threads.publish:ThreadsPublisher",
    "reddit": "ambassade.connectors.reddit.publish:RedditPublisher",
}

_B32 = "234567abcdefghijklmnopqrstuvwxyz"


class UnknownPublisher(LookupError):
    pass


def get_publisher(network: str) -> type[Connector]:
    try:
        path = PUBLISHERS[network]
    except KeyError:
        raise UnknownPublisher(f"no publisher for {network!r}") from None
    module_name, _, attr = path.partition(":")
    cls: Any = getattr(importlib.import_module(module_name), attr)
    return cls  # type: ignore[no-any-return]


def new_idempotency_key(now_us: int | None = None) -> str:
    """A fresh key in the AT Protocol's TID format: 13 characters of sortable base32 encoding the
    microseconds since the epoch (53 bits) and a random clock id (10 bits).

    One format for every network: a valid Bluesky record key, short enough for Discord's ``nonce``
    (25 characters at most) and for Mastodon's ``Idempotency-Key``.
    """
    micros = now_us if now_us is not None else time.time_ns() // 1000
    value = ((micros & ((1 << 53) - 1)) << 10) | secrets.randbelow(1 << 10)
    chars = []
    for _ in range(13):
        chars.append(_B32[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def part_key(key: str, index: int) -> str:
    """The key of the ``index``-th part of a thread (0: the key itself), derived so that a retry
    with the same key finds every part again. A TID stays a TID (its clock id is advanced), so it is
    still a valid Bluesky record key; another key gets a ``-n`` suffix."""
    if index == 0:
        return key
    if len(key) == 13 and all(char in _B32 for char in key):
        value = 0
        for char in key:
            value = value * 32 + _B32.index(char)
        value = (value + index) & ((1 << 63) - 1)
        chars = []
        for _ in range(13):
            chars.append(_B32[value & 31])
            value >>= 5
        return "".join(reversed(chars))
    return f"{key}-{index + 1}"
