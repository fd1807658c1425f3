"""The progress line of the commands that run long work in their own process (``backfill``,
``rebuild_members``, ``scan_missions``…): one line on stderr rewritten in place, ``  done/total
unit (percent %)``, ended by a new line once something was shown, so the command's own summary on
stdout starts on a line of its own. The work reports through a ``(done, total)`` callback (or an
object whose figures the caller reads)."""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["ProgressLine"]


class ProgressLine:
    """``line(done, total)`` rewrites the line; ``line.end()`` (or leaving ``with``) closes it."""

    def __init__(self, unit: str = "", stream: TextIO | None = None) -> None:
        self.unit = f" {unit}" if unit else ""
        self.stream = stream
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        percent = min(100, 100 * done // total) if total > 0 else 100
        out = self.stream or sys.stderr
        out.write(f"\r  {done}/{total}{self.unit} ({percent}%)")
        out.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            (self.stream or sys.stderr).write("\n")
            self.shown = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()
