"""A third-party connector as a plug-in would ship it (loaded through a fake entry point)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors.base import (
    Capability,
    Connector,
    Credentials,
    Cursor,
    FetchResult,
    RawItem,
)


class ExampleConnector(Connector):
    kind: ClassVar[str] = "example"
    label: ClassVar[str] = "Example network"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        item = RawItem("example", "1", "hello", datetime(2025, 1, 1, tzinfo=UTC))
        return FetchResult([item], {"done": True})


class WrongKind(ExampleConnector):
    kind: ClassVar[str] = "other"


NotAConnector = object
