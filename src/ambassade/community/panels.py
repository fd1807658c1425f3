"""Where other apps attach to a member's page and to the mentions of their timeline, without the
community knowing them (the products a mention speaks of, the member's missions…).

From an app's ``AppConfig.ready()``::

    from ambassade.community import panels
    panels.register(panels.Panel("products", "products/includes/member_products.html",
                                 order=20, context=member_products))
    panels.register_mention_tags("products", product_tags)

``context(request, member)`` returns a dict the template reads as ``panel``, or None to hide the
panel (a permission the reader lacks, nothing to show); ``"charts": True`` in it when the panel
draws charts (``includes/chart.html``, ``data-chart``): the member page then loads the chart
library, once for the whole page (a panel never includes ``includes/chart_scripts.html`` itself). ``tags(mention_ids, slug, role)`` returns
``{mention_id: [(text, link)]}`` for the mentions of one timeline page (one query): each is shown
as a badge on that mention's line, linked when ``link`` is not empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

__all__ = [
    "MENTION_TAGS",
    "PANELS",
    "Panel",
    "for_member",
    "need_charts",
    "register",
    "register_mention_tags",
]

MentionTags = Callable[[list[int], str, str], dict[int, list[tuple[str, str]]]]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    _: KW_ONLY
    order: int = 100
    context: Callable[[Any, Any], dict[str, Any] | None] | None = None


PANELS: dict[str, Panel] = {}
MENTION_TAGS: dict[str, MentionTags] = {}


def register(panel: Panel) -> Panel:
    PANELS[panel.key] = panel
    return panel


def register_mention_tags(key: str, tags: MentionTags) -> MentionTags:
    MENTION_TAGS[key] = tags
    return tags


def for_member(request: Any, member: Any) -> list[tuple[str, dict[str, Any]]]:
    """``[(template, context)]`` of the shown panels, in order."""
    found = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        extra = panel.context(request, member) if panel.context else {}
        if extra is not None:
            found.append((panel.template, extra))
    return found


def need_charts(shown: list[tuple[str, dict[str, Any]]]) -> bool:
    """Whether one of the shown panels (:func:`for_member`) draws charts."""
    return any(context.get("charts") for _template, context in shown)


def mention_tags(mention_ids: list[int], slug: str, role: str) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    if not mention_ids:
        return found
    for tags in MENTION_TAGS.values():
        for mention_id, values in tags(mention_ids, slug, role).items():
            found.setdefault(mention_id, []).extend(values)
    return found
