"""The routing hook: what happens to new mentions after they are stored.

Later apps (inbox, moderation, members) register a receiver once, from their ``AppConfig.ready()``::

    from ambassade.listening import routing
    routing.register("inbox", send_questions_to_the_inbox)

Each receiver is called with the workspace and the list of mentions an ingest just created (never
with mentions already stored: re-ingesting routes nothing), after the transaction committed. A
receiver that raises is logged and does not stop the others or undo the ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["RECEIVERS", "Receiver", "register", "route", "unregister"]

log = logging.getLogger(__name__)

Receiver = Callable[[Any, Sequence[Any]], None]
RECEIVERS: dict[str, Receiver] = {}


def register(name: str, receiver: Receiver) -> Receiver:
    RECEIVERS[name] = receiver
    return receiver


def unregister(name: str) -> None:
    RECEIVERS.pop(name, None)


def route(workspace: Any, mentions: Sequence[Any]) -> None:
    if not mentions:
        return
    for name, receiver in list(RECEIVERS.items()):
        try:
            receiver(workspace, mentions)
        except Exception:
            log.exception("routing receiver %s failed on %d mentions", name, len(mentions))
