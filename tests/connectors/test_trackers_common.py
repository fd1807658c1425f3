"""What every tracker shares: drafts, markdown bodies, times, the registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ambassade.connectors.trackers import TRACKERS, IssueDraft, tracker_class
from ambassade.connectors.trackers.base import markdown_body, parse_time


def test_every_tracker_is_registered_by_its_kind() -> None:
    assert sorted(TRACKERS) == ["github", "gitlab", "jira", "webhook"]
    assert all(tracker_class(kind).kind == kind for kind in TRACKERS)
    with pytest.raises(KeyError):
        tracker_class("trello")


@pytest.mark.parametrize("marker", ["amb-", "AMB-0123456789", "amb-01234", "amb-0123456789abcdef!"])
def test_a_draft_refuses_a_marker_of_another_shape(marker: str) -> None:
    with pytest.raises(ValueError):
        IssueDraft(title="x", marker=marker)


def test_a_markdown_body_keeps_only_the_parts_it_has() -> None:
    assert markdown_body(IssueDraft(title="x")) == ""
    assert markdown_body(IssueDraft(title="x", quote="hello")) == (
        "**Customer's words**\n\n```text\nhello\n```"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2011-04-22T13:33:48Z", datetime(2011, 4, 22, 13, 33, 48, tzinfo=UTC)),
        ("2016-01-04T15:31:46.176Z", datetime(2016, 1, 4, 15, 31, 46, 176000, tzinfo=UTC)),
        ("2024-02-03T16:30:00.000+0100", datetime(2024, 2, 3, 15, 30, tzinfo=UTC)),
        ("2024-02-03T16:30:00+01:00", datetime(2024, 2, 3, 15, 30, tzinfo=UTC)),
        ("2016-01-07 12:00:00 UTC", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_it_reads_the_trackers_times(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected
