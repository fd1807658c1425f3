from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from ambassade.connectors.http import HttpClient
from tests.connectors.conftest import ReplayServer
from tests.inbox.conftest import people  # noqa: F401  (one member per role in workspace A)


@pytest.fixture(autouse=True)
def english(client: Any) -> Iterator[None]:
    """English unless a test asks for French (the product's default language is French)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    """The tracker's API on loopback, answering in its documented format
    (tests/connectors/fixtures)."""
    replay = ReplayServer()
    yield replay
    replay.close()


@pytest.fixture
def local_trackers(server: ReplayServer, monkeypatch: Any) -> Iterator[list[HttpClient]]:
    """Every tracker the app uses speaks to ``server`` (a signed webhook posts to /hooks/bugs)."""
    from ambassade.bugreports import services
    from ambassade.connectors.trackers import tracker_class

    made: list[HttpClient] = []

    def client_for(tracker: Any) -> Any:
        http = HttpClient(allow_private=True, timeout=0.5, max_retries=0, sleep=lambda _: None)
        made.append(http)
        base = server.url("/hooks/bugs") if tracker.kind == "webhook" else server.base_url
        return tracker_class(tracker.kind)(http, endpoints={"base": base})

    monkeypatch.setattr(services, "client_for", client_for)
    yield made
    for http in made:
        http.close()
