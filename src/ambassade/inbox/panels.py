"""Where the other parts of the inbox attach to the conversation page, without editing its template.

An app (the reply composer, response-time targets, satisfaction, bug reports…) registers a panel
from its ``AppConfig.ready()``::

    from ambassade.inbox import panels
    panels.register(panels.Panel("replies", "composer", "replies/composer.html", order=10,
                                 context=composer_context))

``slot`` is where it goes: ``"composer"`` (under the thread), ``"side"`` (the side panel, under the
conversation's details) or ``"header"`` (under the conversation's title, e.g. a timer).
A composer panel that sends replies itself sets ``replies=True``; until one does, the page says
how to answer on the network (the other composer panels, such as suggestions, show above it).
``context(request, conversation)`` returns a dict the template reads as ``panel`` (``panel.form``…),
or None to hide the panel (a permission, a feature switched off). The template also sees the page's
variables: ``conversation``, ``thread``, ``request``, ``workspace_actions``…
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

__all__ = ["PANELS", "SLOTS", "Panel", "for_conversation", "register"]

SLOTS = ("header", "composer", "side")


@dataclass(frozen=True)
class Panel:
    key: str
    slot: str
    template: str
    _: KW_ONLY  # the optional fields are named: a field added later cannot shift another's value
    order: int = 100
    context: Callable[[Any, Any], dict[str, Any] | None] | None = None
    replies: bool = False


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    if panel.slot not in SLOTS:
        raise ValueError(f"unknown slot {panel.slot!r}: one of {SLOTS}")
    PANELS[panel.key] = panel
    return panel


def for_conversation(request: Any, conversation: Any) -> dict[str, Any]:
    """slot → [(template, context)] in order, the hidden ones left out; and ``replies``: whether a
    shown panel sends replies."""
    found: dict[str, Any] = {slot: [] for slot in SLOTS}
    found["replies"] = False
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        extra = panel.context(request, conversation) if panel.context else {}
        if extra is None:
            continue
        found[panel.slot].append((panel.template, extra))
        found["replies"] = found["replies"] or panel.replies
    return found
