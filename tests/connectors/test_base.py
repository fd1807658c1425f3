"""The contract's records and the newest-first sweep, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.connectors._paging import Mark, Page, sweep
from ambassade.connectors._text import html_to_text, sanitize_html
from ambassade.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    FetchResult,
    ItemKind,
    RawItem,
)
from ambassade.connectors.http import HttpClient

T0 = datetime(2025, 6, 11, 8, 0, tzinfo=UTC)


def item(external_id: str, seconds: int = 0) -> RawItem:
    return RawItem("test", external_id, f"text {external_id}", T0 + timedelta(seconds=seconds))


def test_a_raw_item_is_in_utc_and_identified_by_source_and_id() -> None:
    paris = timezone(timedelta(hours=2))
    a = RawItem("rss", "1", "x", datetime(2025, 6, 11, 10, 0, tzinfo=paris), kind="review")  # type: ignore[arg-type]
    assert a.created_at == T0 and a.created_at.tzinfo is UTC
    assert a.kind is ItemKind.REVIEW
    b = RawItem("rss", "1", "x", T0, kind=ItemKind.REVIEW, raw={"other": "payload"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"created_at": datetime(2025, 6, 11, 8, 0)},
        {"external_id": ""},
        {"kind": "tweet"},
    ],
)
def test_a_raw_item_refuses_bad_values(kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {"source": "rss", "external_id": "1", "text": "x", "created_at": T0}
    values.update(kwargs)
    with pytest.raises(ValueError):
        RawItem(**values)  # type: ignore[arg-type]


def test_errors_carry_their_retry_policy() -> None:
    error = ConnectorError("Try later.", retry_after=30)
    assert not error.permanent and error.retry_after == 30 and str(error) == "Try later."
    assert AuthExpired("Reconnect.").permanent
    assert ConnectorError("Gone.", True).permanent
    assert "retry_after=30" in repr(error)


def test_fetch_results_hide_credentials_from_repr() -> None:
    result = FetchResult([], {}, credentials={"access_token": "secret-token"})
    assert "secret-token" not in repr(result)


def test_a_connector_closes_only_the_client_it_made(http: HttpClient) -> None:
    shared = Connector(http)
    shared.close()
    assert shared.http is http  # a worker's shared client is not the connector's to close
    alone = Connector()
    own = alone.http
    assert alone.http is own
    alone.close()
    assert alone.http is not own
    alone.close()


def test_html_is_sanitised_and_flattened() -> None:
    dirty = '<p>Hi <a href="javascript:alert(1)" onclick="x()">there</a></p><script>alert(2)</script><p>2&nbsp;&amp;&lt;3</p>'
    clean = sanitize_html(dirty)
    assert "javascript:" not in clean and "onclick" not in clean and "<script" not in clean
    assert html_to_text(dirty) == "Hi there\n2 &<3"


# --- the sweep: whatever arrives, in whatever page size, every new item comes exactly once -----


class Feed:
    """A newest-first search API over a growing list, paged by offset, filtering by the mark."""

    def __init__(self, page_size: int, server_filter: bool) -> None:
        self.items: list[RawItem] = []
        self.page_size = page_size
        self.server_filter = server_filter

    def load(self, token: str | None, mark: Mark | None) -> Page:
        ordered = sorted(self.items, key=lambda i: (i.created_at, i.external_id), reverse=True)
        if self.server_filter and mark is not None:
            ordered = [i for i in ordered if i.created_at.timestamp() >= mark]
        start = int(token or 0)
        page = ordered[start : start + self.page_size]
        more = start + self.page_size < len(ordered)
        return Page(page, str(start + self.page_size) if more else None)


@settings(max_examples=60, deadline=None)
@given(
    page_size=st.integers(1, 4),
    server_filter=st.booleans(),
    initial=st.integers(0, 6),
    batches=st.lists(st.lists(st.integers(0, 3), max_size=7), max_size=5),
)
def test_the_sweep_returns_every_new_item_exactly_once(
    page_size: int, server_filter: bool, initial: int, batches: list[list[int]]
) -> None:
    feed = Feed(page_size, server_filter)
    clock = 0
    for n in range(initial):
        clock += 1
        feed.items.append(item(f"old{n}", clock))

    def fetch(cursor: dict[str, object] | None) -> FetchResult:
        return sweep(cursor, feed.load, lambda i: i.created_at.timestamp())

    first = fetch(None)
    assert first.more is False
    assert len(first.items) == min(initial, page_size)  # listening starts with the newest page
    cursor = first.next_cursor
    returned = [i.external_id for i in first.items]
    expected = list(returned)
    serial = 0
    for batch in batches:
        # New items are never older than the newest one already there; several may share a second.
        for step in batch:
            clock += step
            serial += 1
            new = item(f"new{serial}", clock)
            feed.items.append(new)
            expected.append(new.external_id)
        for _ in range(100):
            result = fetch(cursor)
            returned += [i.external_id for i in result.items]
            cursor = result.next_cursor
            if not result.more:
                break
        else:
            pytest.fail("the sweep never finished")
    assert sorted(returned) == sorted(expected)
    assert len(returned) == len(set(returned))
