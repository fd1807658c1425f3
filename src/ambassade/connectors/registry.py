"""Which connector handles which kind of source.

Built-in connectors are listed here by import path and loaded on first use. A third-party package adds
a network without touching the core by declaring an entry point in the ``ambassade.connectors`` group::

    [project.entry-points."ambassade.connectors"]
    mynetwork = "mypackage.connector:MyNetworkConnector"

The entry point's name is the connector's ``kind``. A plug-in cannot replace a built-in kind, and one
that fails to import is logged and skipped, so a broken plug-in never takes listening down.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from ambassade.connectors.base import Connector

__all__ = ["BUILTINS", "ENTRY_POINT_GROUP", "UnknownConnector", "available", "get", "reset"]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ambassade.connectors"
BUILTINS: dict[str, str] = {
    "rss": "ambassade.connectors.rss:RssConnector",
    "mastodon": "ambassade.connectors.mastodon:MastodonConnector",
    "hackernews": "ambassade.connectors.hackernews:HackerNewsConnector",
    "x": "ambassade.connectors.x:XConnector",
    "youtube": "ambassade.connectors.youtube:YoutubeConnector",
    "reddit": "ambassade.connectors.reddit:RedditConnector",
    "bluesky": "ambassade.connectors.bluesky:BlueskyConnector",
    "webhook": "ambassade.connectors.webhook:WebhookConnector",
    "file": "ambassade.connectors.fileimport:FileImportConnector",
}

_cache: dict[str, type[Connector]] | None = None


class UnknownConnector(LookupError):
    pass


def _load(path: str) -> type[Connector]:
    module_name, _, attr = path.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(obj, type) and issubclass(obj, Connector)):
        raise TypeError(f"{path} is not a Connector subclass")
    return obj


def available() -> dict[str, type[Connector]]:
    """Every connector class by kind: the built-ins, then the plug-ins' entry points."""
    global _cache
    if _cache is not None:
        return dict(_cache)
    found = {kind: _load(path) for kind, path in BUILTINS.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            logger.warning("connector plug-in %s ignored: %r is a built-in kind", ep.value, ep.name)
            continue
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Connector)):
                raise TypeError("not a subclass of ambassade.connectors.base.Connector")
            if cls.kind != ep.name:
                raise TypeError(f"its kind is {cls.kind!r}, the entry point says {ep.name!r}")
        except Exception:
            logger.exception("connector plug-in %s (%s) could not be loaded", ep.name, ep.value)
            continue
        found[ep.name] = cls
    _cache = found
    return dict(found)


def get(kind: str) -> type[Connector]:
    try:
        return available()[kind]
    except KeyError:
        raise UnknownConnector(f"No connector handles sources of kind {kind!r}.") from None


def reset() -> None:
    """Forget what was discovered (tests, or after installing a plug-in in a running process)."""
    global _cache
    _cache = None
