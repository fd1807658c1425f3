"""A Reddit ``Listing`` of links (t3) and comments (t1) to RawItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, parse_datetime, sanitize_html
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["listing_items"]

SITE = "https://www.reddit.com"


@parser("Reddit")
def listing_items(body: Any, *, source: str = "reddit") -> tuple[list[RawItem], str | None]:
    """The items and the ``after`` token of the next (older) page."""
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get("children"), list):
        raise ConnectorError(
            "Reddit returned something other than a Listing.",
            code="connector.bad_answer",
            params={"network": "Reddit"},
        )
    items = []
    for child in data["children"]:
        if not isinstance(child, Mapping) or child.get("kind") not in ("t1", "t3"):
            continue
        items.append(_item(child["kind"], child.get("data") or {}, source))
    after = data.get("after")
    return items, str(after) if after else None


def _item(kind: str, thing: Mapping[str, Any], source: str) -> RawItem:
    name = str(thing.get("name") or (f"{kind}_{thing['id']}" if thing.get("id") else ""))
    if not name:
        raise ConnectorError(
            "Reddit returned a thing without a name.",
            code="connector.bad_answer",
            params={"network": "Reddit"},
        )
    created_at = parse_datetime(thing.get("created_utc"))
    if created_at is None:
        raise ConnectorError(
            f"Reddit thing {name} has no created_utc.",
            code="connector.bad_answer",
            params={"network": "Reddit"},
        )
    author = str(thing.get("author") or "")
    deleted = author in ("[deleted]", "")
    parent: str | None
    thread: str | None
    if kind == "t3":
        title = str(thing.get("title") or "")
        body = str(thing.get("selftext") or "")
        link = str(thing.get("url") or "")
        parts = [title, body if body else ("" if link.startswith(SITE) else link)]
        text = "\n\n".join(part for part in parts if part)
        html = thing.get("selftext_html")
        metrics = {
            "score": as_int(thing.get("score")),
            "comments": as_int(thing.get("num_comments")),
        }
        kind_value, parent, thread = ItemKind.POST, None, name
    else:
        text = str(thing.get("body") or "")
        html = thing.get("body_html")
        metrics = {"score": as_int(thing.get("score"))}
        kind_value = ItemKind.COMMENT
        parent = str(thing.get("parent_id") or "") or None
        thread = str(thing.get("link_id") or "") or None
    return RawItem(
        source=source,
        external_id=name,
        url=SITE + str(thing.get("permalink") or ""),
        text=text,
        html=sanitize_html(str(html)) if html else None,
        author=Author(
            handle="" if deleted else author,
            name="" if deleted else author,
            id=str(thing.get("author_fullname") or ""),
            url="" if deleted else f"{SITE}/user/{author}",
        ),
        created_at=created_at,
        parent_id=parent,
        thread_id=thread,
        kind=kind_value,
        metrics={k: v for k, v in metrics.items() if v is not None},
        raw=dict(thing),
    )
