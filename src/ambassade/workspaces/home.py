"""The workspace's home page, extensible by every app: a feature adds its section from its
``AppConfig.ready()`` (the dashboard of ``analytics``), the foundation knowing none of them::

    from ambassade.workspaces.home import HomeSection, register
    register(HomeSection("dashboard", "analytics/includes/dashboard.html", dashboard_context, order=10))

``context(request)`` returns the section's variables (given to its template as ``section``), or
None when the section has nothing for this member (their role sees none of it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise

__all__ = [
    "HOME_SECTIONS",
    "LIST_LINKS",
    "HomeSection",
    "ListLink",
    "register",
    "register_list_link",
    "sections",
]


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


HOME_SECTIONS: dict[str, HomeSection] = {}


def register(section: HomeSection) -> HomeSection:
    HOME_SECTIONS[section.key] = section
    return section


def sections(request: HttpRequest) -> list[dict[str, Any]]:
    """The sections this member sees, in order: ``{"template": …, "section": {…}}`` each."""
    shown = []
    for section in sorted(HOME_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(request)
        if context is not None:
            shown.append({"template": section.template, "section": context})
    return shown


@dataclass(frozen=True)
class ListLink:
    """A page about all of a person's workspaces (the agency view of ``analytics``), linked from
    the list of their workspaces; ``url_name`` takes no argument."""

    url_name: str
    label: str | Promise


LIST_LINKS: dict[str, ListLink] = {}


def register_list_link(link: ListLink) -> ListLink:
    LIST_LINKS[link.url_name] = link
    return link
