"""The networks' real metrics readers wired into the poll: a connection becomes an own tracked
account, ``poll_account`` reads it through the registry's reader (against a local server answering
in the network's documented format) and stores the day's snapshot, the posts' results and what the
network hides, which the audience page then says."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from ambassade.analytics import collect
from ambassade.analytics.models import AccountSnapshot, PostResult, TrackedAccount
from ambassade.connectors.http import HttpClient
from ambassade.connectors.metrics import get_metrics_reader
from ambassade.workspaces import services
from tests.conftest import Personas
from tests.connectors.conftest import ReplayServer, Reply
from tests.connectors.metrics import test_linkedin, test_threads, test_tiktok, test_x

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def due_at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    field = TrackedAccount._meta.get_field("next_poll_at")
    monkeypatch.setattr(field, "_get_default", lambda: NOW)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


def threads_network(server: ReplayServer) -> dict[str, Any]:
    test_threads.profile_routes(server, followers=4321)
    server.route(
        "GET",
        "/v1.0/1789/threads",
        Reply(200, {"data": [test_threads.thread("m1", "2026-12-01T10:00:00+0000")], "paging": {}}),
    )
    server.route(
        "GET",
        "/v1.0/m1/insights",
        Reply(200, test_threads.media_insights("m1", views=900, likes=30, replies=5, shares=2)),
    )
    return {
        "secret": {"threads_user_id": "1789", "access_token": "THQ-secret"},
        "account_name": "cafelumiere",
        "endpoints": {"api": server.base_url},
        "handle": "@cafelumiere",
        "followers": 4321,
        "external_id": "m1",
        "engagements": 37,
        "impressions": 900,
        "not_given": "Not given by Threads: link clicks, impressions, reach, saves.",
    }


def x_network(server: ReplayServer) -> dict[str, Any]:
    server.route("GET", "/2/users/me", Reply(200, test_x.me(followers_count=777)))
    server.route(
        "GET",
        test_x.TWEETS,
        Reply(200, test_x.timeline([test_x.tweet("186", "2026-12-01T10:00:00.000Z")])),
    )
    return {
        "secret": {"access_token": "x-user-token-secret"},
        "account_name": "@cafelumiere",
        "endpoints": {"api": server.base_url},
        "handle": "@cafelumiere",
        "followers": 777,
        "external_id": "186",
        # likes 50 + reposts 3 + replies 4 + quotes 1 + saves 6 + clicks 12
        "engagements": 76,
        "impressions": 2150,
        "not_given": "Not given by X: reach, shares.",
    }


def linkedin_network(server: ReplayServer) -> dict[str, Any]:
    server.route("GET", test_linkedin.SIZE, Reply(200, {"firstDegreeSize": 2612}))
    server.route(
        "GET",
        "/rest/posts",
        Reply(
            200,
            test_linkedin.posts_page(
                [test_linkedin.post("urn:li:share:7001", "2026-12-01T10:00:00+00:00")]
            ),
        ),
    )
    server.route(
        "GET",
        test_linkedin.STATS,
        Reply(200, {"elements": [test_linkedin.statistics("urn:li:share:7001")]}),
    )
    return {
        "secret": {"access_token": "AQX-secret", "organization": "2414183"},
        "account_name": "Café Lumière",
        "endpoints": {"api": server.base_url},
        "handle": "Café Lumière",
        "followers": 2612,
        "external_id": "urn:li:share:7001",
        # likes 12 + comments 3 + shares 2 + clicks 20
        "engagements": 37,
        "impressions": 560,
        "not_given": "Not given by LinkedIn: reposts, saves, views.",
    }


def tiktok_network(server: ReplayServer) -> dict[str, Any]:
    server.route("GET", "/v2/user/info/", Reply(200, test_tiktok.user_info(follower_count=8800)))
    server.route(
        "POST",
        "/v2/video/list/",
        Reply(200, test_tiktok.videos([test_tiktok.video("7301", "2026-12-01T10:00:00+00:00")])),
    )
    return {
        "secret": {"access_token": "act.tiktok-secret", "open_id": "723f24d7-e717-40f8"},
        "account_name": "@cafe",
        "endpoints": {"api": server.base_url},
        "handle": "@cafe",
        "followers": 8800,
        "external_id": "7301",
        # likes 900 + comments 40 + shares 25
        "engagements": 965,
        "impressions": 12000,  # the views
        "not_given": "Not given by TikTok: link clicks, impressions, reach, reposts, saves.",
    }


NETWORKS: dict[str, Callable[[ReplayServer], dict[str, Any]]] = {
    "linkedin": linkedin_network,
    "threads": threads_network,
    "tiktok": tiktok_network,
    "x": x_network,
}


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_a_connection_is_polled_with_its_network_s_reader(
    network: str, personas: Personas, server: ReplayServer, client: Any
) -> None:
    setup = NETWORKS[network](server)
    connection = services.connect_account(
        personas.workspace_a,
        network=network,
        account_name=setup["account_name"],
        secret=setup["secret"],
        actor=personas.alice,
    )
    collect.sync_own_accounts(personas.workspace_a)
    account = TrackedAccount.objects.get(connection=connection)
    http = HttpClient(allow_private=True, timeout=5.0)

    def factory(name: str) -> Any:
        return get_metrics_reader(name)(http, endpoints=setup["endpoints"])

    try:
        assert collect.poll_account(account.id, now=NOW, reader_factory=factory)
    finally:
        http.close()
    account.refresh_from_db()
    assert account.status == TrackedAccount.Status.OK, account.last_error
    assert account.shown_handle == setup["handle"]
    # What the network hides is kept for the audience page's "Not given by …" line.
    assert account.hidden == sorted(_hidden(network))
    snapshot = AccountSnapshot.objects.get(account=account)
    assert (snapshot.day, snapshot.followers) == (NOW.date(), setup["followers"])
    result = PostResult.objects.get(account=account, external_id=setup["external_id"])
    assert (result.engagements, result.impressions) == (
        setup["engagements"],
        setup["impressions"],
    )
    personas.client_for(client, personas.alice)
    page = client.get(
        reverse("analytics:audience", kwargs={"workspace_slug": personas.workspace_a.slug}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert setup["not_given"] in page


def _hidden(network: str) -> frozenset[str]:
    module = importlib.import_module(get_metrics_reader(network).__module__)
    hidden: frozenset[str] = module.HIDDEN
    return hidden
