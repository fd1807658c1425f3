"""`ambassade analyze INPUT.jsonl [-o OUTPUT.jsonl]`: language, sentiment, toxicity and spam of messages.

Contract (docs/text-analysis.md): each input line is a JSON object with at least ``id`` and ``text`` (a
string); each output line is that object, other fields kept, with exactly these fields added (or
replaced): ``lang`` (ISO 639-1 or ``und``), ``sentiment`` (``negative``|``neutral``|``positive``|
``unsupported``), ``sentiment_score`` (float in [-1, 1]), ``offensive``, ``hateful``, ``spam`` (floats in
[0, 1], 0.5 being the decision threshold). Blank lines are skipped. A malformed line stops the run with
exit code 2 and a message naming the line; no output file, not even a partial one, is left behind.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from ambassade.engine import jsonlines

HELP = "Add language, sentiment, toxicity and spam scores to each message of a JSONL file."
BATCH = 1000
PROGRESS_FROM = 5000
"""Inputs with at least this many lines report progress on stderr."""


class MalformedLine(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", type=Path, help="JSONL file, one object with id and text per line ('-': stdin)"
    )
    parser.add_argument("-o", "--output", type=Path, help="JSONL file to write (default: stdout)")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="the fast tier (TF-IDF models alone, thousands of messages a second) instead of the "
        "accurate one (sentence encoder stacked with them, the default)",
    )


def _lines(stream: IO[bytes]) -> list[str]:
    """The lines of a JSONL stream, split on \\n only (U+2028 and U+0085 are valid inside a JSON
    string); a line not UTF-8 or over 1 MB is :class:`MalformedLine`."""
    lines = []
    for _number, line in jsonlines.read_lines(stream):
        if isinstance(line, jsonlines.LineProblem):
            raise MalformedLine(str(line))
        lines.append(line)
    return lines


def _records(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = jsonlines.loads(line)
        except jsonlines.JsonProblem as exc:
            raise MalformedLine(f"line {number}: {exc.message}") from None
        if not isinstance(record, dict):
            raise MalformedLine(
                f"line {number}: expected a JSON object, got {type(record).__name__}"
            )
        if record.get("id") is None:
            raise MalformedLine(f"line {number}: the field 'id' is missing")
        if not isinstance(record.get("text"), str):
            raise MalformedLine(f"line {number}: the field 'text' is missing or not a string")
        yield record


def _write(
    records: Iterator[dict[str, Any]], out: TextIO, total: int, tier: str = "accurate"
) -> int:
    from ambassade.engine.text import analyze

    done = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal done
        results = analyze(
            [r["text"] for r in batch], with_fingerprint=False, keyword_limit=0, tier=tier
        )
        for record, result in zip(batch, results, strict=True):
            record.update(
                lang=result.lang,
                sentiment=result.sentiment,
                sentiment_score=round(result.sentiment_score, 4),
                offensive=round(result.offensive, 4),
                hateful=round(result.hateful, 4),
                spam=round(result.spam, 4),
            )
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        done += len(batch)
        batch.clear()
        if total >= PROGRESS_FROM:
            print(f"\ranalyze: {done}/{total} lines", end="", file=sys.stderr, flush=True)

    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if total >= PROGRESS_FROM:
        print(file=sys.stderr)
    return done


def run(args: argparse.Namespace) -> int:
    try:
        if str(args.input) == "-":
            stdin = getattr(sys.stdin, "buffer", None)  # a text stream without one: re-encode
            lines = _lines(stdin or io.BytesIO(sys.stdin.read().encode("utf-8")))
        else:
            with args.input.open("rb") as handle:
                lines = _lines(handle)
    except OSError as exc:
        print(f"ambassade analyze: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    except MalformedLine as exc:
        print(f"ambassade analyze: {args.input}: {exc}", file=sys.stderr)
        return 2
    try:
        # Validate every line before writing anything: a malformed line must leave no partial output.
        for _ in _records(iter(lines)):
            pass
    except MalformedLine as exc:
        print(f"ambassade analyze: {args.input}: {exc}", file=sys.stderr)
        return 2
    total = sum(1 for line in lines if line.strip())
    tier = "fast" if args.fast else "accurate"
    if args.output is None:
        _write(_records(iter(lines)), sys.stdout, total, tier)
        sys.stdout.flush()
        return 0
    directory = args.output.resolve().parent
    try:
        fd, temporary = tempfile.mkstemp(prefix=".analyze-", suffix=".jsonl", dir=directory)
    except OSError as exc:
        print(f"ambassade analyze: cannot write to {directory}: {exc}", file=sys.stderr)
        return 2
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            _write(_records(iter(lines)), out, total, tier)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(
            temporary, 0o666 & ~umask
        )  # mkstemp makes it private; give it a normal file's mode
        os.replace(temporary, args.output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return 0
