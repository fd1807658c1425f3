"""The workspace navigation, extensible by every app.

An app adds its entry from its ``AppConfig.ready()``::

    from ambassade.workspaces.nav import NavItem, register
    register(NavItem("listening", _("Listening"), "listening:queries", "listening.view", order=20))

``url_name`` is reversed with the workspace's slug as its only argument; the entry is shown only to
members whose role allows ``action``, and it is marked current when the page's URL name starts with
``active_prefix`` (default: the URL's namespace or name up to the last ``_``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise

__all__ = ["NAV_ITEMS", "NavItem", "register"]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    action: str
    order: int = 100
    icon: str = "dot"
    active_prefixes: tuple[str, ...] = field(default=())


NAV_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> NavItem:
    NAV_ITEMS[item.key] = item
    return item


def items() -> list[NavItem]:
    return sorted(NAV_ITEMS.values(), key=lambda item: (item.order, item.key))
