"""CSV or JSONL to RawItems, all or nothing.

The mapping says which column (CSV header, or JSONL key, dotted for nested objects: ``user.name``)
fills which field of :data:`ambassade.connectors._records.FIELDS` (or ``metrics.<name>``).
``text`` and ``created_at`` must be mapped. Every line is validated before anything is returned;
every problem names its line (the physical line of the file, 1 being the CSV header) and column.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ambassade.connectors._records import FIELDS, FieldProblem, build_item
from ambassade.connectors.base import ConnectorError, ItemKind, RawItem
from ambassade.engine import jsonlines
from ambassade.engine.messages import Param

__all__ = [
    "FORMATS",
    "FileImportError",
    "ImportProblem",
    "check_file",
    "check_mapping",
    "iter_items",
    "parse_file",
]

FORMATS = ("csv", "jsonl")
REQUIRED = ("text", "created_at")
SHOWN = 20
#: Problems kept (and counted beyond): a broken file of a million lines stays small in memory.
KEPT = 1000
#: ``check_file`` reports its progress every this many items.
PROGRESS_EVERY = 5000


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """What is wrong on a line (0: the import's settings), in a column or not: ``message`` in
    English, ``code`` and ``params`` for the product to word."""

    line: int
    column: str
    message: str
    code: str = ""
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class FileImportError(ConnectorError):
    """Nothing was imported; ``problems`` lists every reason, line by line (the first
    :data:`SHOWN` make the message; ``total`` counts them all)."""

    def __init__(self, problems: list[ImportProblem], total: int | None = None) -> None:
        total = max(total or 0, len(problems))
        shown = "; ".join(str(p) for p in problems[:SHOWN])
        more = f" (and {total - SHOWN:,} more)" if total > SHOWN else ""
        count = f"{total:,} problem{'s' if total != 1 else ''}"
        super().__init__(
            f"Nothing was imported, {count} in the file: {shown}{more}.",
            permanent=True,
            code="import.failed",
            params={"count": total},
        )
        self.problems = problems
        self.total = total


def check_mapping(mapping: Mapping[str, str]) -> list[ImportProblem]:
    """The mapping's problems (line 0: the settings), empty when it is usable."""
    problems = [
        ImportProblem(
            0,
            "",
            f"the field {name!r} must be mapped to a column",
            "import.field_unmapped",
            {"field": name},
        )
        for name in REQUIRED
        if not mapping.get(name)
    ]
    for name, column in mapping.items():
        if name not in FIELDS and not (name.startswith("metrics.") and len(name) > 8):
            problems.append(
                ImportProblem(
                    0,
                    "",
                    f"{name!r} is not a field that can be imported",
                    "import.unknown_field",
                    {"field": name},
                )
            )
        if not isinstance(column, str) or not column:
            problems.append(
                ImportProblem(
                    0,
                    "",
                    f"the field {name!r} is mapped to no column",
                    "import.field_unmapped",
                    {"field": name},
                )
            )
    return problems


_NOT_UTF8 = re.compile("[\udc80-\udcff]")
#: A CSV field longer than this is refused (Python's own limit; an unclosed quote reaches it).
MAX_FIELD = csv.field_size_limit()


def _rows_csv(
    stream: IO[bytes], delimiter: str
) -> Iterator[tuple[int, dict[str, Any] | ImportProblem]]:
    # Undecodable bytes become lone surrogates, found per row: the problem names its line.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _csv_lines(text, delimiter)
    finally:
        text.detach()  # leave the caller's stream open


def _csv_lines(
    text: io.TextIOWrapper, delimiter: str
) -> Iterator[tuple[int, dict[str, Any] | ImportProblem]]:
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, _csv_problem(1, "the header cannot be read", exc)
        return
    if _NOT_UTF8.search("".join(header)):
        yield 1, ImportProblem(1, "", "the file is not UTF-8 text", "import.not_utf8")
        return
    header = [name.strip() for name in header]
    yield 1, {"__header__": header}
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, _csv_problem(line, "the CSV cannot be read here", exc)
            return
        start, line = line, reader.line_num + 1
        if _NOT_UTF8.search("".join(row)):
            yield start, ImportProblem(start, "", "the file is not UTF-8 text", "import.not_utf8")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield (
                start,
                ImportProblem(
                    start,
                    "",
                    f"{len(row)} columns where the header has {len(header)}",
                    "import.columns",
                    {"count": len(row), "expected": len(header)},
                ),
            )
            continue
        yield start, dict(zip(header, row, strict=True))


def _csv_problem(line: int, what: str, exc: csv.Error) -> ImportProblem:
    if "field larger than field limit" in str(exc):
        return ImportProblem(
            line,
            "",
            f"{what}: a field is longer than {MAX_FIELD:,} characters (a quote left open?)",
            "import.csv_field_too_long",
            {"limit": MAX_FIELD},
        )
    return ImportProblem(line, "", f"{what}: {exc}", "import.csv_unreadable", {"detail": str(exc)})


def _rows_jsonl(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | ImportProblem]]:
    # Lines end at \n only: U+2028, U+0085… are valid inside a JSON string (str.splitlines()
    # would cut there and shift every line number after).
    for number, text in jsonlines.read_lines(stream):
        if isinstance(text, jsonlines.LineProblem):
            yield number, ImportProblem(number, "", text.message, text.code, text.params)
            continue
        if not text.strip():
            continue
        try:
            value = jsonlines.loads(text)
        except jsonlines.JsonProblem as exc:
            yield number, ImportProblem(number, "", exc.message, exc.code, exc.params)
            continue
        if not isinstance(value, dict):
            yield (
                number,
                ImportProblem(number, "", "each line must be a JSON object", "import.not_object"),
            )
            continue
        yield number, value


def _lookup(row: Mapping[str, Any], column: str) -> tuple[bool, Any]:
    if column in row:
        return True, row[column]
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


@dataclass(frozen=True, slots=True)
class _Options:
    format: str
    mapping: Mapping[str, str]
    source: str
    delimiter: str
    zone: tzinfo
    date_format: str | None
    kind: ItemKind


def _options(
    *,
    format: str,
    mapping: Mapping[str, str],
    source: str = "file",
    delimiter: str = ",",
    timezone: str = "UTC",
    date_format: str | None = None,
    kind: ItemKind = ItemKind.POST,
) -> _Options:
    problems = check_mapping(mapping)
    if format not in FORMATS:
        problems.append(
            ImportProblem(
                0,
                "",
                f"the format must be csv or jsonl, not {format!r}",
                "import.format",
            )
        )
    if len(delimiter) != 1 or delimiter in '\r\n"':
        problems.append(
            ImportProblem(
                0,
                "",
                f"the delimiter must be one character, not {delimiter!r}",
                "import.bad_delimiter",
                {"value": delimiter},
            )
        )
    zone: tzinfo | None = None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            ImportProblem(
                0, "", f"unknown time zone {timezone!r}", "import.bad_zone", {"value": timezone}
            )
        )
    if problems or zone is None:
        raise FileImportError(problems)
    return _Options(format, dict(mapping), source, delimiter, zone, date_format, kind)


def _read(stream: IO[bytes], options: _Options) -> Iterator[tuple[int, RawItem | ImportProblem]]:
    """Each line's item or problem, in the file's order, reading the stream once (constant
    memory). A header naming no mapped column stops the reading with its problems."""
    mapping = options.mapping
    rows = _rows_csv(stream, options.delimiter) if options.format == "csv" else _rows_jsonl(stream)
    for line, row in rows:
        if isinstance(row, ImportProblem):
            yield line, row
            continue
        if "__header__" in row:
            header = row["__header__"]
            missing = [c for c in mapping.values() if c not in header]
            for column in missing:
                yield (
                    1,
                    ImportProblem(1, column, "no such column in the header", "import.no_column"),
                )
            if missing:
                return
            continue
        values: dict[str, Any] = {}
        absent = False
        for field, column in mapping.items():
            found, value = _lookup(row, column)
            if found:
                values[field] = value
            elif field in REQUIRED:
                yield line, ImportProblem(line, column, "missing", "import.missing")
                absent = True
        if absent:
            continue
        try:
            item = build_item(
                values,
                source=options.source,
                zone=options.zone,
                date_format=options.date_format,
                default_kind=options.kind,
                raw=row,
            )
        except FieldProblem as problem:
            yield (
                line,
                ImportProblem(
                    line,
                    mapping.get(problem.field, problem.field),
                    problem.message,
                    problem.code,
                    problem.params,
                ),
            )
            continue
        yield line, item


def check_file(
    stream: IO[bytes],
    progress: Callable[[int], None] | None = None,
    **settings: Any,
) -> int:
    """Read the whole file, keeping no item (constant memory but for the ids seen): the number of
    items it holds, or :class:`FileImportError` listing every problem. ``progress(lines)`` is called
    every few thousand lines. ``settings``: those of :func:`parse_file`."""
    options = _options(**settings)
    problems: list[ImportProblem] = []
    found = count = 0
    first_line: dict[str, int] = {}
    for line, entry in _read(stream, options):
        if isinstance(entry, RawItem) and entry.external_id not in first_line:
            first_line[entry.external_id] = line
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(line)
            continue
        found += 1
        if len(problems) < KEPT:
            problems.append(
                entry
                if isinstance(entry, ImportProblem)
                else _repeated(line, entry, first_line, options)
            )
    if problems:
        raise FileImportError(problems, found)
    return count


def iter_items(stream: IO[bytes], *, skip: int = 0, **settings: Any) -> Iterator[RawItem]:
    """The items of a file :func:`check_file` accepted, read as they are needed (constant memory),
    after the first ``skip`` of them. A problem (the file changed since) raises
    :class:`FileImportError`."""
    options = _options(**settings)
    for seen, (_line, entry) in enumerate(_read(stream, options), start=1):
        if isinstance(entry, ImportProblem):
            raise FileImportError([entry])
        if seen > skip:
            yield entry


def _repeated(
    line: int, item: RawItem, first_line: dict[str, int], options: _Options
) -> ImportProblem:
    return ImportProblem(
        line,
        options.mapping.get("id", ""),
        f"the id {item.external_id!r} was already on line {first_line[item.external_id]}",
        "import.repeated_id",
        {"id": item.external_id, "first": first_line[item.external_id]},
    )


def parse_file(
    data: bytes,
    *,
    format: str,
    mapping: Mapping[str, str],
    source: str = "file",
    delimiter: str = ",",
    timezone: str = "UTC",
    date_format: str | None = None,
    kind: ItemKind = ItemKind.POST,
) -> list[RawItem]:
    """Every line's item, or :class:`FileImportError` listing every problem (a small file held in
    memory; a large one is read with :func:`check_file` and :func:`iter_items`)."""
    options = _options(
        format=format,
        mapping=mapping,
        source=source,
        delimiter=delimiter,
        timezone=timezone,
        date_format=date_format,
        kind=kind,
    )
    problems: list[ImportProblem] = []
    items: list[RawItem] = []
    first_line: dict[str, int] = {}
    for line, entry in _read(io.BytesIO(data), options):
        if isinstance(entry, ImportProblem):
            problems.append(entry)
        elif entry.external_id in first_line:
            problems.append(_repeated(line, entry, first_line, options))
        else:
            first_line[entry.external_id] = line
            items.append(entry)
    if problems:
        raise FileImportError(problems)
    return items
