"""The webhook payload: one item object, a list of them, or ``{"items": [...]}``. An item::

    {"id": "123", "text": "…", "created_at": "2025-06-11T08:00:00Z", "url": "https://…",
     "author": {"handle": "…", "name": "…", "id": "…", "url": "…", "followers": 12},
     "lang": "fr", "kind": "review", "parent_id": null, "thread_id": null, "html": null,
     "metrics": {"likes": 3}, "network": "trustpilot"}

Only ``text`` is required; ``network`` names the network the item comes from (a webhook fed by
Zapier or Make often carries several: a review site, X, a forum), stored as the mention's network
(lower-cased, letters, digits, ``.``, ``_`` and ``-``, up to 40), else ``webhook``; ``created_at`` defaults to the time of receipt and ``id`` to a hash of the
content, so a sender that repeats a delivery does not create a second item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ambassade.connectors._records import FieldProblem, build_item
from ambassade.connectors.base import RawItem

__all__ = ["MAX_ITEMS", "PayloadProblem", "items_from_payload"]

MAX_ITEMS = 1000
AUTHOR_FIELDS = ("handle", "name", "id", "url", "followers")
TOP_FIELDS = ("id", "text", "created_at", "url", "html", "lang", "kind", "parent_id", "thread_id")
_NETWORK = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")


class PayloadProblem(ValueError):
    pass


def _flatten(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    values = {key: item[key] for key in TOP_FIELDS if key in item}
    author = item.get("author")
    if isinstance(author, str):
        values["author_handle"] = author
    elif isinstance(author, Mapping):
        for key in AUTHOR_FIELDS:
            if key in author:
                values[f"author_{key}"] = author[key]
    elif author is not None:
        raise PayloadProblem(f"{where}.author must be an object or a handle")
    metrics = item.get("metrics")
    if isinstance(metrics, Mapping):
        values.update({f"metrics.{name}": value for name, value in metrics.items()})
    elif metrics is not None:
        raise PayloadProblem(f"{where}.metrics must be an object")
    if isinstance(values.get("id"), int) and not isinstance(values.get("id"), bool):
        values["id"] = str(values["id"])
    return values


def items_from_payload(payload: Any, *, source: str, received_at: datetime) -> list[RawItem]:
    if isinstance(payload, Mapping) and "items" in payload:
        entries = payload["items"]
        prefix = "items"
    elif isinstance(payload, list):
        entries, prefix = payload, ""
    elif isinstance(payload, Mapping):
        entries, prefix = [payload], None
    else:
        raise PayloadProblem('the payload must be an item, a list of items or {"items": [...]}')
    if not isinstance(entries, list):
        raise PayloadProblem('"items" must be a list')
    if len(entries) > MAX_ITEMS:
        raise PayloadProblem(f"at most {MAX_ITEMS} items per delivery, got {len(entries)}")
    items: list[RawItem] = []
    for index, entry in enumerate(entries):
        where = "the item" if prefix is None else f"{prefix}[{index}]" if prefix else f"[{index}]"
        if not isinstance(entry, Mapping):
            raise PayloadProblem(f"{where} must be an object")
        try:
            built = build_item(
                _flatten(entry, where),
                source=source,
                default_created_at=received_at,
                raw=entry,
            )
        except FieldProblem as problem:
            field = problem.field.replace("author_", "author.", 1)
            raise PayloadProblem(f"{where}.{field} {problem.message}") from None
        network = _network(entry.get("network"), where)
        items.append(replace(built, source=network) if network else built)
    return items


def _network(value: Any, where: str) -> str:
    """The item's own network, as the sender names it (empty: none named)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _NETWORK.fullmatch(value.strip().lower()):
        raise PayloadProblem(
            f"{where}.network must be a network's name (letters, digits, '.', '_' or '-', up to 40)"
        )
    return value.strip().lower()
