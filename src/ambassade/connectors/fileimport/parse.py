"""CSV or JSONL to RawItems, all or nothing.

The mapping says which column (CSV header, or JSONL key, dotted for nested objects: ``user.name``)
fills which field of :data:`ambassade.connectors._records.FIELDS` (or ``metrics.<name>``).
``text`` and ``created_at`` must be mapped. Every line is validated before anything is returned;
every problem names its line (the physical line of the file, 1 being the CSV header) and column.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ambassade.connectors._records import FIELDS, FieldProblem, build_item
from ambassade.connectors.base import ConnectorError, ItemKind, RawItem

__all__ = ["FORMATS", "FileImportError", "ImportProblem", "check_mapping", "parse_file"]

FORMATS = ("csv", "jsonl")
REQUIRED = ("text", "created_at")
SHOWN = 20


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class FileImportError(ConnectorError):
    """Nothing was imported; ``problems`` lists every reason, line by line."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        shown = "; ".join(str(p) for p in problems[:SHOWN])
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"Nothing was imported, {count} in the file: {shown}{more}.", permanent=True
        )
        self.problems = problems


def check_mapping(mapping: Mapping[str, str]) -> list[str]:
    """The mapping's problems, as sentences (empty when it is usable)."""
    problems = [
        f"the field {field!r} must be mapped to a column"
        for field in REQUIRED
        if not mapping.get(field)
    ]
    for field, column in mapping.items():
        if field not in FIELDS and not (field.startswith("metrics.") and len(field) > 8):
            problems.append(f"{field!r} is not a field that can be imported")
        if not isinstance(column, str) or not column:
            problems.append(f"the field {field!r} is mapped to no column")
    return problems


def _rows_csv(data: str, delimiter: str) -> Iterator[tuple[int, dict[str, Any] | ImportProblem]]:
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, ImportProblem(1, "", f"the header cannot be read: {exc}")
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
            yield line, ImportProblem(line, "", f"the CSV cannot be read here: {exc}")
            return
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield (
                start,
                ImportProblem(start, "", f"{len(row)} columns where the header has {len(header)}"),
            )
            continue
        yield start, dict(zip(header, row, strict=True))


def _rows_jsonl(data: str) -> Iterator[tuple[int, dict[str, Any] | ImportProblem]]:
    for number, text in enumerate(data.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            yield number, ImportProblem(number, "", f"not valid JSON ({exc})")
            continue
        if not isinstance(value, dict):
            yield number, ImportProblem(number, "", "each line must be a JSON object")
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
    """Every line's item, or :class:`FileImportError` listing every problem."""
    problems = [ImportProblem(0, "", message) for message in check_mapping(mapping)]
    if format not in FORMATS:
        problems.append(ImportProblem(0, "", f"the format must be csv or jsonl, not {format!r}"))
    zone: tzinfo | None = None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(ImportProblem(0, "", f"unknown time zone {timezone!r}"))
    if problems or zone is None:
        raise FileImportError(problems)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileImportError([ImportProblem(line, "", "the file is not UTF-8 text")]) from None

    rows = _rows_csv(text, delimiter) if format == "csv" else _rows_jsonl(text)
    items: list[RawItem] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, ImportProblem):
            problems.append(row)
            continue
        if "__header__" in row:
            header = row["__header__"]
            missing = [c for c in mapping.values() if c not in header]
            for column in missing:
                problems.append(ImportProblem(1, column, "no such column in the header"))
            if missing:
                raise FileImportError(problems)
            continue
        values: dict[str, Any] = {}
        absent = False
        for field, column in mapping.items():
            found, value = _lookup(row, column)
            if found:
                values[field] = value
            elif field in REQUIRED:
                problems.append(ImportProblem(line, column, "missing"))
                absent = True
        if absent:
            continue
        try:
            item = build_item(
                values,
                source=source,
                zone=zone,
                date_format=date_format,
                default_kind=kind,
                raw=row,
            )
        except FieldProblem as problem:
            column = mapping.get(problem.field, problem.field)
            problems.append(ImportProblem(line, column, problem.message))
            continue
        if item.external_id in first_line:
            problems.append(
                ImportProblem(
                    line,
                    mapping.get("id", ""),
                    f"the id {item.external_id!r} was already on line {first_line[item.external_id]}",
                )
            )
            continue
        first_line[item.external_id] = line
        items.append(item)
    if problems:
        raise FileImportError(problems)
    return items
