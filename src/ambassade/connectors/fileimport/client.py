"""The file import source: the listening app hands it the uploaded bytes and the source's config."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, ClassVar

from ambassade.connectors.base import Capability, Connector, InvalidConfig, ItemKind, RawItem
from ambassade.connectors.fileimport.parse import (
    FORMATS,
    check_file,
    check_mapping,
    iter_items,
    parse_file,
)

__all__ = ["FileImportConnector"]


class FileImportConnector(Connector):
    """Config (nothing else is accepted): ``format`` (``csv`` or ``jsonl``), ``mapping`` (field → column), optional
    ``delimiter`` (CSV, ``,``), ``timezone`` (of naive dates, ``UTC``), ``date_format`` (strptime),
    ``kind`` (``post``), ``network`` (the items' network, applied by the app). No credentials."""

    kind: ClassVar[str] = "file"
    label: ClassVar[str] = "File import (CSV, JSONL)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    delivery: ClassVar[str] = "import"

    #: Every setting a file import has. The file itself is never a setting: the app hands the
    #: uploaded bytes to :meth:`parse`, so no setting can make it read a path on the server.
    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        {"format", "mapping", "delimiter", "timezone", "date_format", "kind", "network"}
    )

    def check_config(self, config: Mapping[str, Any]) -> None:
        unknown = sorted(set(config) - self.SETTINGS)
        if unknown:
            raise InvalidConfig(
                f"Unknown settings for a file import: {', '.join(unknown)}.",
                code="import.unknown_settings",
                params={"names": ", ".join(unknown)},
            )
        if config.get("format") not in FORMATS:
            raise InvalidConfig("The file format must be csv or jsonl.", code="import.bad_format")
        mapping = config.get("mapping")
        if not isinstance(mapping, Mapping):
            raise InvalidConfig("The import needs a column mapping.", code="import.no_mapping")
        problems = check_mapping(mapping)
        if problems:
            raise InvalidConfig(
                "The column mapping is incomplete: " + "; ".join(p.message for p in problems) + ".",
                code=problems[0].code,
                params=problems[0].params,
            )

    def _settings(self, config: Mapping[str, Any]) -> dict[str, Any]:
        self.check_config(config)
        return {
            "format": str(config["format"]),
            "mapping": dict(config["mapping"]),
            "source": self.kind,
            "delimiter": str(config.get("delimiter") or ","),
            "timezone": str(config.get("timezone") or "UTC"),
            "date_format": config.get("date_format") or None,
            "kind": ItemKind(config.get("kind") or ItemKind.POST),
        }

    def parse(self, data: bytes, config: Mapping[str, Any]) -> list[RawItem]:
        """Every item of a small file held in memory, or :class:`FileImportError`."""
        return parse_file(data, **self._settings(config))

    def check(
        self,
        stream: IO[bytes],
        config: Mapping[str, Any],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Read a whole file once, keeping nothing: how many items it holds, or
        :class:`FileImportError` listing every problem (constant memory, any size)."""
        return check_file(stream, progress, **self._settings(config))

    def items(
        self, stream: IO[bytes], config: Mapping[str, Any], *, skip: int = 0
    ) -> Iterator[RawItem]:
        """The items of a file :meth:`check` accepted, read as needed, after the first ``skip``."""
        return iter_items(stream, skip=skip, **self._settings(config))
