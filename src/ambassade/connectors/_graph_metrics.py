"""What Facebook's and Instagram's metrics readers share: the ``insights`` of a post read in the
same call as the post (the ``insights.metric(…)`` field expansion), and the refusal to read
someone else's account (Meta's Graph API shows only accounts the token manages; a competitor's
Page or Instagram account needs the Business Discovery or Page Public Content Access features,
which Meta grants after an app review)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._text import as_int
from ambassade.connectors.base import ConnectorError

__all__ = ["insight_values", "not_public"]


def insight_values(post: Mapping[str, Any]) -> dict[str, int]:
    """``{metric name: lifetime value}`` from a post's expanded ``insights``."""
    insights = post.get("insights")
    data = insights.get("data") if isinstance(insights, Mapping) else None
    found: dict[str, int] = {}
    for entry in data if isinstance(data, list) else []:
        if not isinstance(entry, Mapping) or not entry.get("name"):
            continue
        values = entry.get("values")
        total = entry.get("total_value")
        value: Any = None
        if isinstance(values, list) and values and isinstance(values[-1], Mapping):
            value = values[-1].get("value")
        elif isinstance(total, Mapping):
            value = total.get("value")
        number = as_int(value)
        if number is not None:
            found[str(entry["name"])] = number
    return found


def not_public(network: str) -> ConnectorError:
    return ConnectorError(
        f"{network} shows the numbers of the accounts the token manages only.",
        permanent=True,
        code="metrics.not_public",
        params={"network": network},
    )
