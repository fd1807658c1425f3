"""One package per network, all of the same shape; the contract is in :mod:`.base`, the HTTP seam in
:mod:`.http`, discovery in :mod:`.registry`. See docs/connectors.md."""

from ambassade.connectors.base import (
    AuthExpired,
    Author,
    Capability,
    Connector,
    ConnectorError,
    Cursor,
    FetchResult,
    InvalidConfig,
    ItemKind,
    RawItem,
)
from ambassade.connectors.registry import available, get

__all__ = [
    "AuthExpired",
    "Author",
    "Capability",
    "Connector",
    "ConnectorError",
    "Cursor",
    "FetchResult",
    "InvalidConfig",
    "ItemKind",
    "RawItem",
    "available",
    "get",
]
