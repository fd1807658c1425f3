"""`ambassade match --queries QUERIES.json INPUT.jsonl [-o OUTPUT.jsonl]`: match messages against
listening queries (docs/query-language.md).

QUERIES.json is an object ``{"query-id": "query text", ...}``. Each INPUT line is a JSON object
with ``id`` (string or integer), ``text`` and optionally ``lang``, ``source``, ``author``, ``url``
(strings or null); blank lines are skipped. Each output line is
``{"id": ..., "matches": [sorted query ids]}``, one per input line, in input order. An invalid
query or input line exits with status 2 and a message naming the query id and column, or the
line; no output (file or standard output) is left half written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ambassade.engine import jsonlines
from ambassade.engine.query import Document, InvalidQueryError, Matcher

HELP = "Match JSONL messages against listening queries: one line of matching query ids each."

__all__ = ["HELP", "InputError", "add_arguments", "load_matcher", "read_documents", "run"]

_FIELDS = ("lang", "source", "author", "url")


class InputError(ValueError):
    """Bad queries or a malformed input line; the message says which and where."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--queries",
        type=Path,
        required=True,
        metavar="QUERIES.json",
        help='JSON object {"query-id": "query text", ...}',
    )
    parser.add_argument(
        "input",
        type=Path,
        metavar="INPUT.jsonl",
        help="one JSON message a line ('-': standard input)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUTPUT.jsonl",
        help="where to write the matches (default: standard output)",
    )


def load_matcher(path: Path) -> Matcher:
    """Read and compile QUERIES.json; raise :class:`InputError` naming the bad query."""
    try:
        queries = jsonlines.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    except jsonlines.JsonProblem as exc:
        raise InputError(f"{path}: not JSON: {exc.reason or exc.message}") from None
    if not isinstance(queries, dict):
        raise InputError(f'{path}: expected an object {{"query-id": "query text", ...}}')
    for query_id, text in queries.items():
        if not isinstance(text, str):
            raise InputError(f"{path}: query {query_id!r}: the query must be a string")
    try:
        return Matcher(queries)
    except InvalidQueryError as exc:
        raise InputError(
            f"{path}: query {exc.query_id!r}: column {exc.column}: {exc.message}"
        ) from None


def read_documents(lines: IO[bytes], name: str) -> Iterator[tuple[str | int, Document]]:
    """(id, document) for each non-blank line; raise :class:`InputError` naming a bad line."""
    # Lines end at \n only; a line over 1 MB or not UTF-8 is refused without being held.
    for number, line in jsonlines.read_lines(lines):
        if isinstance(line, jsonlines.LineProblem):
            raise InputError(f"{name}: {line}")
        if not line.strip():
            continue
        try:
            item: Any = jsonlines.loads(line)
        except jsonlines.JsonProblem as exc:
            reason = f"not JSON: {exc.reason}" if exc.reason else exc.message
            raise InputError(f"{name}: line {number}: {reason}") from None
        if not isinstance(item, dict):
            raise InputError(f"{name}: line {number}: expected a JSON object")
        message_id = item.get("id")
        if isinstance(message_id, bool) or not isinstance(message_id, str | int):
            raise InputError(f"{name}: line {number}: expected an id (a string or an integer)")
        text = item.get("text")
        if not isinstance(text, str):
            raise InputError(f"{name}: line {number}: expected a text (a string)")
        fields: dict[str, str | None] = {}
        for field in _FIELDS:
            value = item.get(field)
            if value is not None and not isinstance(value, str):
                raise InputError(f"{name}: line {number}: {field} must be a string or null")
            fields[field] = value
        yield message_id, Document(text, **fields)


def _match(args: argparse.Namespace, sink: IO[str]) -> None:
    matcher = load_matcher(args.queries)
    name = str(args.input)
    try:
        source = sys.stdin.buffer if name == "-" else open(args.input, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc}") from None
    with source:
        for message_id, document in read_documents(source, name):
            matches = matcher.match(document)
            sink.write(json.dumps({"id": message_id, "matches": matches}, ensure_ascii=False))
            sink.write("\n")


def run(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    try:
        if output is None:
            # Buffered, so that a bad line further down leaves standard output empty.
            with tempfile.SpooledTemporaryFile(
                max_size=8 << 20, mode="w+", encoding="utf-8"
            ) as buf:
                _match(args, buf)
                buf.seek(0)
                shutil.copyfileobj(buf, sys.stdout)
            return 0
        directory = output.parent if str(output.parent) else Path(".")
        fd, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                _match(args, handle)
            os.replace(temporary, output)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except InputError as exc:
        print(f"ambassade match: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ambassade match: cannot write {output}: {exc}", file=sys.stderr)
        return 2
    return 0
