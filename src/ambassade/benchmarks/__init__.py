"""Benchmarks run by `ambassade bench [NAME ...]`; each writes its own section of docs/benchmarks.md.

A module `ambassade/benchmarks/foo.py` is the benchmark `foo`. It defines ``TITLE`` and
``run(options: BenchOptions) -> BenchResult``. The markdown it returns replaces the text between
``<!-- bench:foo -->`` and ``<!-- /bench:foo -->`` in the benchmarks file, so each run rewrites only the
sections it measured. Benchmarks report numbers they measure in this run, nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BenchOptions", "BenchResult", "machine_description", "progress", "write_section"]


@dataclass
class BenchOptions:
    data_dir: Path
    quick: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class BenchResult:
    markdown: str
    summary: str


def progress(label: str) -> Callable[[int, int], None]:
    """A progress reporter on stderr: call it with (done, total)."""

    def report(done: int, total: int) -> None:
        if total and (done == total or done % max(1, total // 20) == 0):
            print(f"\r{label}: {done}/{total} ({100 * done // total}%)", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)

    return report


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    )


def write_section(path: Path, name: str, title: str, body: str) -> None:
    """Replace (or append) the section `name` of the benchmarks file."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n## {title}\n\nMeasured on {machine_description()}.\n\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


_HEADER = """# Benchmarks

Written by `make bench` (`ambassade bench`); each section is rewritten by the run that measured it, with
the machine and the date. Run one with `ambassade bench NAME`.
"""
