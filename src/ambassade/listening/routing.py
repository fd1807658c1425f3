"""The routing hook: what happens to new mentions after they are stored, and to private messages.

Later apps (inbox, moderation, members) register a receiver once, from their ``AppConfig.ready()``::

    from ambassade.listening import routing
    routing.register("inbox", send_questions_to_the_inbox)

Each receiver is called with the workspace and the list of mentions an ingest just created (never
with mentions already stored: re-ingesting routes nothing), after the transaction committed. A
receiver that raises is logged and does not stop the others or undo the ingest.

Private messages (``ItemKind.MESSAGE``: direct messages, e-mails) are never stored as mentions. The
pipeline hands them to the *private* receivers (``register_private``) with their source, inside the
ingest's transaction: a private receiver stores them (the inbox does) and must be idempotent; when it
raises, the ingest fails with it, so that the source's cursor does not move past messages nobody
kept. Without any private receiver, private messages are dropped with a warning in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "PRIVATE_RECEIVERS",
    "RECEIVERS",
    "Receiver",
    "register",
    "register_private",
    "route",
    "route_private",
    "unregister",
]

log = logging.getLogger(__name__)

Receiver = Callable[[Any, Sequence[Any]], None]
RECEIVERS: dict[str, Receiver] = {}
PRIVATE_RECEIVERS: dict[str, Receiver] = {}


def register(name: str, receiver: Receiver) -> Receiver:
    RECEIVERS[name] = receiver
    return receiver


def register_private(name: str, receiver: Receiver) -> Receiver:
    """``receiver(source, items)`` gets the private ``RawItem`` values of each ingest."""
    PRIVATE_RECEIVERS[name] = receiver
    return receiver


def unregister(name: str) -> None:
    RECEIVERS.pop(name, None)
    PRIVATE_RECEIVERS.pop(name, None)


def route(workspace: Any, mentions: Sequence[Any]) -> None:
    if not mentions:
        return
    for name, receiver in list(RECEIVERS.items()):
        try:
            receiver(workspace, mentions)
        except Exception:
            log.exception("routing receiver %s failed on %d mentions", name, len(mentions))


def route_private(source: Any, items: Sequence[Any]) -> None:
    if not items:
        return
    if not PRIVATE_RECEIVERS:
        log.warning("%d private messages of source %s dropped: no receiver", len(items), source.pk)
    for receiver in list(PRIVATE_RECEIVERS.values()):
        receiver(source, items)
