"""Variables of saved replies: ``{first_name}``, ``{agent}``, ``{ticket}``… filled for one
conversation. Pure: :func:`fill` takes the values, :func:`values_for` reads them from a conversation.

A variable without a value (a person whose name is unknown) is left as written, ``{first_name}``, and
listed as missing, so the composer asks the person to fill it rather than sending "Bonjour ,".
Braces that name no variable are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["VARIABLES", "fill", "values_for"]

#: The variables, in the order the saved replies' page lists them.
VARIABLES = (
    "first_name",
    "name",
    "handle",
    "agent",
    "agent_first_name",
    "ticket",
    "brand",
)

_VARIABLE = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """The text with each known variable replaced by its value, and the variables left unfilled
    (no value), in order of appearance, once each."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            return match.group(0)
        value = (values.get(name) or "").strip()
        if not value:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return value

    return _VARIABLE.sub(replace, template), missing


def _first(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def values_for(conversation: Any, agent: Any) -> dict[str, str]:
    """The variables' values for ``conversation`` answered by ``agent`` (a user)."""
    name = (conversation.contact_name or "").strip()
    agent_name = ""
    if agent is not None:
        agent_name = (agent.get_full_name() or "").strip() or (
            getattr(agent, "first_name", "") or ""
        )
    handle = conversation.contact_handle or ""
    return {
        "first_name": _first(name),
        "name": name,
        "handle": f"@{handle}" if handle else "",
        "agent": agent_name,
        "agent_first_name": _first(agent_name),
        "ticket": f"#{conversation.pk}" if conversation.pk else "",
        "brand": conversation.workspace.name if conversation.workspace_id else "",
    }
