"""The ``replay`` source: a CSV or JSONL export of posts played back as if it were happening now.

The file is read with the file-import connector (same column mapping, same all-or-nothing checks).
Its first post is placed at ``started_at`` and the others follow with their original spacing divided by
``speed`` (``speed: 60`` plays an hour of the file in a minute). Each poll returns the posts whose
shifted time has come since the previous one, with that shifted time as their ``created_at``.

The export is copied, when the source is created, into the source's own file under the data
directory (:mod:`ambassade.listening.uploads`); the poller binds the connector to its source, and no
setting names a path.

Config: ``format`` (``csv``/``jsonl``), ``mapping``, optional ``delimiter``, ``timezone``,
``date_format``, ``speed`` (default 1), ``network`` (the items' network, default ``replay``),
``started_at`` (ISO 8601; set when the source is created).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from ambassade.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    FetchResult,
    InvalidConfig,
    RawItem,
)

__all__ = ["ReplayConnector", "guess_mapping"]

MAX_ITEMS_PER_FETCH = 5_000
_cache: dict[tuple[str, float, str], list[RawItem]] = {}

_GUESSES = {
    "id": ("id", "tweet_id", "post_id", "external_id", "uri"),
    "text": ("text", "body", "content", "message", "full_text"),
    "created_at": ("created_at", "tweet_created", "date", "timestamp", "time", "published"),
    "author_handle": ("author_handle", "screen_name", "username", "author", "user", "name"),
    "url": ("url", "link", "permalink"),
    "lang": ("lang", "language"),
}


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """A column mapping from a header's names (the first known name for each field)."""
    lowered = {column.lower(): column for column in columns}
    mapping = {}
    for field, names in _GUESSES.items():
        for name in names:
            if name in lowered:
                mapping[field] = lowered[name]
                break
    return mapping


#: The settings the file-import connector reads; the others are the replay's own.
_FILE_SETTINGS = ("format", "mapping", "delimiter", "timezone", "date_format")
_SETTINGS = frozenset({*_FILE_SETTINGS, "speed", "network", "started_at"})


def _items(source_id: int, config: Mapping[str, Any]) -> list[RawItem]:
    from ambassade.connectors.fileimport import FileImportConnector
    from ambassade.listening import uploads

    path = uploads.path_for(source_id)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        raise ConnectorError(
            "The replayed file is missing: run ambassade demo --replay FILE again.",
            permanent=True,
            code="replay.file_missing",
        ) from None
    key = (source_id, mtime, repr(sorted(config.get("mapping", {}).items())))
    if key not in _cache:
        file_config = {name: config[name] for name in _FILE_SETTINGS if name in config}
        items = FileImportConnector().parse(
            _first_of_each_id(path.read_bytes(), file_config), file_config
        )
        _cache.clear()
        _cache[key] = sorted(items, key=lambda item: item.created_at)
    return _cache[key]


def _first_of_each_id(data: bytes, config: Mapping[str, Any]) -> bytes:
    """Exports often repeat a post (a retweet, an edit): replay keeps the first line of each id,
    where an import would refuse the file."""
    import csv
    import io

    from ambassade.engine import jsonlines

    column = dict(config.get("mapping", {})).get("id")
    if not column:
        return data
    text = data.decode("utf-8-sig", errors="strict")
    seen: set[str] = set()
    out = io.StringIO()
    if config.get("format") == "jsonl":
        for _number, line in jsonlines.read_lines(io.BytesIO(text.encode("utf-8"))):
            if isinstance(line, jsonlines.LineProblem):
                continue  # the import that follows names it
            try:
                value = str(jsonlines.loads(line).get(column, "")) if line.strip() else ""
            except (jsonlines.JsonProblem, AttributeError):
                value = ""
            if value and value in seen:
                continue
            seen.add(value)
            out.write(line + "\n")
        return out.getvalue().encode("utf-8")
    delimiter = str(config.get("delimiter") or ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    header = next(reader, None)
    if header is None or column not in header:
        return data
    writer.writerow(header)
    index = header.index(column)
    for row in reader:
        value = row[index] if index < len(row) else ""
        if value and value in seen:
            continue
        seen.add(value)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


class ReplayConnector(Connector):
    kind: ClassVar[str] = "replay"
    label: ClassVar[str] = "Replay of a file"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})

    source_id: int | None = None

    def bind_source(self, source_id: int) -> None:
        """The poller says which source this is: its file is the one stored for that id."""
        self.source_id = source_id

    def check_config(self, config: Mapping[str, Any]) -> None:
        unknown = sorted(set(config) - _SETTINGS)
        if unknown:
            raise InvalidConfig(
                f"Unknown settings for a replay: {', '.join(unknown)}.",
                code="replay.unknown_settings",
                params={"names": ", ".join(unknown)},
            )
        try:
            if float(config.get("speed", 1)) <= 0:
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidConfig(
                "The speed must be a positive number.", code="replay.bad_speed"
            ) from None

    def fetch(
        self, config: Mapping[str, Any], credentials: Any, cursor: Mapping[str, Any] | None
    ) -> FetchResult:
        self.check_config(config)
        if self.source_id is None:
            raise ConnectorError(
                "The replay is not bound to its source.", permanent=True, code="replay.unbound"
            )
        items = _items(self.source_id, config)
        now = datetime.now(UTC)
        if not items:
            return FetchResult([], {"until": now.isoformat()})
        started = datetime.fromisoformat(str(config.get("started_at") or now.isoformat()))
        speed = float(config.get("speed", 1))
        first = items[0].created_at
        since = (
            datetime.fromisoformat(str(cursor["until"])) if cursor else started - timedelta(0, 1)
        )
        network = str(config.get("network") or self.kind)
        due: list[RawItem] = []
        until = now
        for item in items:
            at = started + (item.created_at - first) / speed
            if at <= since:
                continue
            if at > now:
                break
            if len(due) == MAX_ITEMS_PER_FETCH:
                until = due[-1].created_at
                return FetchResult(due, {"until": until.isoformat()}, more=True)
            due.append(dataclasses.replace(item, created_at=at, source=network))
        return FetchResult(due, {"until": until.isoformat()})


def create_replay_source(
    workspace: Any,
    path: Path,
    *,
    speed: float = 1.0,
    mapping: dict[str, str] | None = None,
    network: str = "",
    out: Any = None,
) -> Any:
    """A replay source of ``path`` in ``workspace``, starting now (its mapping guessed from the
    header when not given)."""
    import csv

    from ambassade.engine import jsonlines
    from ambassade.listening import uploads
    from ambassade.listening.models import Source

    if not path.is_file():
        raise ConnectorError(
            f"The file {path} cannot be read.",
            permanent=True,
            code="replay.unreadable",
            params={"file": path.name},
        )
    existing = Source.objects.filter(
        workspace=workspace, kind="replay", name=f"Replay: {path.name}"
    ).first()
    if existing is not None:
        if not uploads.exists(existing.id):
            uploads.copy_from(existing.id, path)
        return existing
    file_format = "jsonl" if path.suffix in {".jsonl", ".ndjson"} else "csv"
    if not mapping:
        try:
            with path.open(encoding="utf-8-sig") as handle:
                if file_format == "csv":
                    columns = next(csv.reader(handle), [])
                else:
                    first = jsonlines.loads(handle.readline() or "{}")
                    if not isinstance(first, dict):
                        raise ValueError("not an object")
                    columns = list(first)
        except (ValueError, csv.Error):  # JsonProblem, UnicodeDecodeError (ValueErrors)
            raise ConnectorError(
                f"The first line of {path.name} is neither a JSON object nor a CSV header in "
                "UTF-8.",
                permanent=True,
                code="replay.bad_first_line",
                params={"file": path.name},
            ) from None
        mapping = guess_mapping(columns)
    config = {
        "format": file_format,
        "mapping": mapping,
        "speed": speed,
        "network": network,
        "started_at": datetime.now(UTC).isoformat(),
    }
    ReplayConnector().check_config(config)
    source = Source.objects.create(
        workspace=workspace,
        name=f"Replay: {path.name}",
        kind="replay",
        config=config,
        interval=60,
    )
    try:
        uploads.copy_from(source.id, path)
        _items(source.id, config)  # fail now, with the file's problems, rather than at a poll
    except (OSError, ConnectorError):
        source.delete()
        raise
    if out is not None:
        out.write(f"Replaying {path.name} at ×{speed:g} (mapping: {mapping})\n")
    return source
