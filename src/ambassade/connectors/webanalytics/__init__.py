"""Reading a self-hosted web-analytics tool's visits by channel, social network and campaign:
Matomo (:mod:`.matomo`) and Plausible (:mod:`.plausible`), so that "visits from social" is a number
the site's own tool counted. Each reader answers ``visits(credentials, config, start, end)`` with
:class:`TrafficRow` records, one per day (the tool's days, in the site's time zone), kind and name:

- ``channel``: the product's channel codes (:data:`CHANNELS`), mapped from the tool's own;
- ``social``: a social network's name (the visits of the ``social`` channel, by network);
- ``campaign``: a UTM campaign's name (``utm_campaign``, Matomo's ``mtm_campaign``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ambassade.connectors.base import ConnectorError, InvalidConfig

__all__ = ["CHANNELS", "TOOLS", "TrafficRow", "check_config", "get_reader"]

#: Channels as the product names them (Matomo's referrer types, Plausible's channels).
CHANNELS = ("direct", "search", "social", "website", "campaign", "email", "paid", "other")
TOOLS = {
    "matomo": "ambassade.connectors.webanalytics.matomo:MatomoReader",
    "plausible": "ambassade.connectors.webanalytics.plausible:PlausibleReader",
}


@dataclass(frozen=True, slots=True)
class TrafficRow:
    day: date
    kind: str  # "channel", "social" or "campaign"
    name: str
    visits: int


def check_config(tool: str, config: Mapping[str, Any]) -> None:
    """``base_url`` (https://, or http:// for a server on the LAN) and ``site_id``."""
    if tool not in TOOLS:
        raise InvalidConfig(
            f"Unknown web-analytics tool {tool!r}.",
            code="traffic.unknown_tool",
            params={"tool": tool},
        )
    base = str(config.get("base_url") or "")
    if not base.startswith(("https://", "http://")) or any(c.isspace() for c in base):
        raise InvalidConfig(
            "The address of the analytics server must start with https://.",
            code="traffic.bad_address",
        )
    if not str(config.get("site_id") or "").strip():
        raise InvalidConfig("The site is missing.", code="traffic.no_site")


def get_reader(tool: str) -> type[Any]:
    import importlib

    try:
        path = TOOLS[tool]
    except KeyError:
        raise ConnectorError(
            f"Unknown web-analytics tool {tool!r}.",
            permanent=True,
            code="traffic.unknown_tool",
            params={"tool": tool},
        ) from None
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
