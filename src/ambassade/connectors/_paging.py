"""Incremental reading of newest-first APIs (search results paged backwards in time).

One fetch reads one page. The cursor keeps the high-water ``mark`` of the last complete sweep (an id or
a timestamp, compared as numbers) and the ids found exactly at it; a sweep walks pages backwards until it
meets the mark, across several fetches (``more=True``), and only then moves the mark up. So a fetch
never returns an item twice, and a backlog larger than a page is read completely, page by page.
The first fetch of a source reads only the newest page: listening starts now, not from the archive.
After it, everything is new, even when that first page was empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ambassade.connectors.base import Cursor, FetchResult, RawItem

__all__ = ["Page", "sweep"]

#: An id (int, exact even for 64-bit snowflakes) or a timestamp (float).
Mark = int | float


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[RawItem]
    next_token: str | None


def sweep(
    cursor: Cursor | None,
    load: Callable[[str | None, Mark | None], Page],
    order: Callable[[RawItem], Mark],
    credentials: Any = None,
) -> FetchResult:
    """``load(page_token, mark)`` fetches one page (the first when the token is None), filtering by
    the mark server-side where the API can; ``order(item)`` is the item's position in time."""
    cursor = dict(cursor or {})
    # "mark" is absent only before the first fetch; None after it means "nothing seen yet, but
    # listening has started": everything is then new.
    first_run = "mark" not in cursor
    mark = _number(cursor.get("mark"))
    seen = {str(s) for s in _list(cursor.get("seen"))}
    walk = cursor.get("walk") if isinstance(cursor.get("walk"), dict) else None
    token = str(walk["page"]) if walk and walk.get("page") else None
    top = _number(walk.get("top")) if walk else None
    top_ids = {str(s) for s in _list(walk.get("top_ids"))} if walk else set()

    page = load(token, mark)
    fresh: list[RawItem] = []
    reached = False
    for item in page.items:
        position = order(item)
        if mark is not None and position < mark:
            reached = True  # only an older item proves the sweep has passed the mark:
            continue  # items of the mark's own second may come in any order
        if mark is not None and position == mark and item.external_id in seen:
            continue
        fresh.append(item)
        if top is None or position > top:
            top, top_ids = position, {item.external_id}
        elif position == top:
            top_ids.add(item.external_id)

    done = first_run or reached or not page.next_token or not page.items
    if done:
        if top is None or (mark is not None and top < mark):
            next_cursor: Cursor = {"mark": mark, "seen": _json_list(seen)}
        elif mark is not None and top == mark:
            next_cursor = {"mark": mark, "seen": _json_list(seen | top_ids)}
        else:
            next_cursor = {"mark": top, "seen": _json_list(top_ids)}
        return FetchResult(fresh, next_cursor, more=False, credentials=credentials)
    next_cursor = {
        "mark": mark,
        "seen": _json_list(seen),
        "walk": {"page": page.next_token, "top": top, "top_ids": _json_list(top_ids)},
    }
    return FetchResult(fresh, next_cursor, more=True, credentials=credentials)


def _number(value: object) -> Mark | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _json_list(values: set[str]) -> list[str]:
    return list(sorted(values))
