"""`ambassade spikes INPUT.csv [-o OUTPUT.csv]`: score a series for spikes (docs/spike-detection.md).

Input: CSV with a header and at least the columns ``timestamp,value`` (NAB format: timestamps like
``2014-04-01 00:05:00``, ISO 8601 also accepted; values are numbers). Output: the same rows, in the same
order, as ``timestamp,value,anomaly_score,alert``: ``anomaly_score`` in [0, 1] (0.5 = the alert level at
the default sensitivity) and ``alert`` in {0, 1}, the decision the product would take. Bad input exits
with status 2 and a message naming the line (a quote left open, a field over 128 KiB, a timestamp
before 1970 or from 2100, or earlier than the line before's); no output file is left behind.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ambassade.engine.signals import DEFAULT_SENSITIVITY, SpikeDetector, SpikeSettings

HELP = "Score a timestamp,value CSV for spikes: adds anomaly_score and alert columns."

__all__ = ["HELP", "InputError", "Series", "add_arguments", "read_series", "run", "score_series"]


#: Timestamps are within [EARLIEST, LATEST) (UTC): anything else is a broken export or clock.
EARLIEST = dt.datetime(1970, 1, 1)
LATEST = dt.datetime(2100, 1, 1)


class InputError(ValueError):
    """A malformed input file; the message names the line."""


@dataclass
class Series:
    timestamps: list[dt.datetime]
    raw_timestamps: list[str]
    raw_values: list[str]
    values: list[float]


def parse_timestamp(text: str) -> dt.datetime:
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp


def read_series(lines: Iterable[str], name: str = "input") -> Series:
    """Read a ``timestamp,value`` CSV; raise :class:`InputError` naming the first bad line."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise InputError(f"{name}: line 1: the file is empty; expected a header timestamp,value")
    columns = [c.strip().lower() for c in header]
    missing = [c for c in ("timestamp", "value") if c not in columns]
    if missing:
        raise InputError(
            f"{name}: line 1: missing column {', '.join(missing)} in the header {','.join(header)!r}"
        )
    ti, vi = columns.index("timestamp"), columns.index("value")
    series = Series([], [], [], [])
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = f"a field is longer than {csv.field_size_limit():,} characters"
            raise InputError(f"{name}: line {line}: {reason} (a quote left open?)") from None
        start, line = line, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        if line - start > 1:
            raise InputError(
                f"{name}: line {start}: a quoted field runs over {line - start} lines "
                "(a quote left open?)"
            )
        if len(row) <= max(ti, vi):
            raise InputError(
                f"{name}: line {start}: expected {len(columns)} columns, got {len(row)}"
            )
        raw_t, raw_v = row[ti], row[vi]
        try:
            stamp = parse_timestamp(raw_t)
        except (ValueError, OverflowError):
            raise InputError(f"{name}: line {start}: unparseable timestamp {raw_t!r}") from None
        if not EARLIEST <= stamp < LATEST:
            raise InputError(
                f"{name}: line {start}: timestamp {raw_t!r} is out of range "
                f"({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d})"
            )
        if series.timestamps and stamp < series.timestamps[-1]:
            raise InputError(
                f"{name}: line {start}: timestamp {raw_t!r} is earlier than the line before's "
                f"({series.raw_timestamps[-1]!r}): the series must be in time order"
            )
        try:
            value = float(raw_v)
        except ValueError:
            raise InputError(f"{name}: line {start}: value {raw_v!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"{name}: line {start}: value {raw_v!r} is not a finite number")
        series.timestamps.append(stamp)
        series.raw_timestamps.append(raw_t)
        series.raw_values.append(raw_v)
        series.values.append(value)
    return series


def score_series(
    series: Series, settings: SpikeSettings | None = None
) -> tuple[list[float], list[bool]]:
    detector = SpikeDetector(settings)
    scores: list[float] = []
    alerts: list[bool] = []
    for stamp, value in zip(series.timestamps, series.values, strict=True):
        score, alert = detector.update(stamp, value)
        scores.append(score)
        alerts.append(alert)
    return scores, alerts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, metavar="INPUT.csv", help="timestamp,value CSV")
    parser.add_argument(
        "-o", "--output", type=Path, help="where to write the scored CSV (default: standard output)"
    )
    parser.add_argument(
        "--sensitivity",
        type=int,
        default=DEFAULT_SENSITIVITY,
        choices=range(1, 11),
        metavar="1-10",
        help=f"1 = quiet ... 10 = chatty (default {DEFAULT_SENSITIVITY}, about one false alarm a week)",
    )
    parser.add_argument(
        "--direction",
        choices=("both", "up"),
        default="both",
        help="alert on surges and drops (both, default) or surges only (up)",
    )


def _render(series: Series, scores: list[float], alerts: list[bool]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timestamp", "value", "anomaly_score", "alert"])
    for raw_t, raw_v, score, alert in zip(
        series.raw_timestamps, series.raw_values, scores, alerts, strict=True
    ):
        writer.writerow([raw_t, raw_v, f"{score:.6f}", int(alert)])
    return out.getvalue()


def _write_atomically(path: Path, text: str) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    try:
        with open(args.input, encoding="utf-8-sig", newline="") as handle:
            series = read_series(handle, str(args.input))
    except InputError as exc:
        print(f"ambassade spikes: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ambassade spikes: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    settings = SpikeSettings(sensitivity=args.sensitivity, direction=args.direction)
    scores, alerts = score_series(series, settings)
    text = _render(series, scores, alerts)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            _write_atomically(args.output, text)
        except OSError as exc:
            print(f"ambassade spikes: cannot write {args.output}: {exc}", file=sys.stderr)
            return 2
    return 0
