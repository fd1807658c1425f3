"""X (Twitter): API v2 recent search (the last seven days) with an app bearer token."""

from ambassade.connectors.x.client import XConnector

__all__ = ["XConnector"]
