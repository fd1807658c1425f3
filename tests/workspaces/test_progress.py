"""The commands' shared progress line (workspaces/progress.py)."""

from __future__ import annotations

import io

from ambassade.workspaces.progress import ProgressLine


def test_it_rewrites_one_line_and_ends_it_once_something_was_shown() -> None:
    out = io.StringIO()
    with ProgressLine("mentions", stream=out) as line:
        line(0, 3)
        line(2, 3)
        line(3, 3)
    assert out.getvalue() == (
        "\r  0/3 mentions (0%)\r  2/3 mentions (66%)\r  3/3 mentions (100%)\n"
    )


def test_it_writes_nothing_when_nothing_was_reported_and_never_divides_by_zero() -> None:
    out = io.StringIO()
    with ProgressLine(stream=out):
        pass
    assert out.getvalue() == ""
    with ProgressLine(stream=out) as line:
        line(0, 0)
    assert out.getvalue() == "\r  0/0 (100%)\n"
