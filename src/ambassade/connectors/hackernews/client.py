"""``search_by_date`` (newest first), filtered server-side with ``numericFilters=created_at_i>=mark``
and read one page per fetch through :func:`ambassade.connectors._paging.sweep`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ambassade.connectors._paging import Mark, Page, sweep
from ambassade.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    FetchResult,
    InvalidConfig,
)
from ambassade.connectors.hackernews.parse import hit_item

__all__ = ["HackerNewsConnector"]

PAGE = 100


class HackerNewsConnector(Connector):
    """Config: ``query``; ``tags`` (Algolia tags, default ``(story,comment)``). No credentials."""

    kind: ClassVar[str] = "hackernews"
    label: ClassVar[str] = "Hacker News"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://hn.algolia.com/api/v1"}

    def check_config(self, config: Mapping[str, Any]) -> None:
        if not str(config.get("query") or "").strip():
            raise InvalidConfig(
                "A Hacker News source needs a search query.",
                code="source.needs_query",
                params={"network": "Hacker News"},
            )

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)

        def load(token: str | None, mark: Mark | None) -> Page:
            params: dict[str, Any] = {
                "query": config["query"],
                "tags": config.get("tags") or "(story,comment)",
                "hitsPerPage": PAGE,
                "page": token or 0,
            }
            if mark is not None:
                params["numericFilters"] = f"created_at_i>={int(mark)}"
            body = self.http.get(f"{self.endpoints['api']}/search_by_date", params=params).json()
            if not isinstance(body, Mapping) or not isinstance(body.get("hits"), list):
                raise ConnectorError(
                    "Hacker News search returned no list of hits.",
                    code="connector.bad_answer",
                    params={"network": "Hacker News"},
                )
            page = int(body.get("page") or 0)
            pages = int(body.get("nbPages") or 0)
            return Page(
                [hit_item(hit, source=self.kind) for hit in body["hits"]],
                str(page + 1) if page + 1 < pages else None,
            )

        return sweep(cursor, load, lambda item: int(item.created_at.timestamp()))
