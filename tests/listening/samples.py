"""Objects of workspace A for tests/test_access.py's URL walk: a source, a query, a mention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class ListeningSamples:
    source: Any
    query: Any
    mention: Any


def samples(personas: Any) -> ListeningSamples:
    cached = getattr(personas, "_listening", None)
    if cached is not None:
        return cached
    from datetime import UTC, datetime

    from ambassade.connectors.base import Author, RawItem
    from ambassade.listening import services
    from ambassade.listening.models import ListeningQuery, Mention, Source

    workspace = personas.workspace_a
    source = Source.objects.create(workspace=workspace, name="A's feed", kind="rss")
    query = ListeningQuery.objects.create(workspace=workspace, name="A brand", text="brand")
    services.ingest(
        source,
        [
            RawItem(
                source="rss",
                external_id="a-1",
                text="A brand mention",
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
                author=Author(handle="fan"),
            )
        ],
    )
    result = ListeningSamples(source, query, Mention.objects.get(source=source))
    personas._listening = result
    return result
