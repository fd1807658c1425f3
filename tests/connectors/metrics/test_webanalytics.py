"""Matomo's and Plausible's visits against a local server answering in their documented formats;
the token never leaves in an address, a log or an error message."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig
from ambassade.connectors.http import HttpClient
from ambassade.connectors.webanalytics import TrafficRow, check_config
from ambassade.connectors.webanalytics.matomo import MatomoReader
from ambassade.connectors.webanalytics.plausible import PlausibleReader
from tests.connectors.conftest import Recorded, ReplayServer, Reply

TOKEN = "matomo-token-5e1f0c9a"
D1, D2 = date(2026, 12, 1), date(2026, 12, 2)


def matomo(server: ReplayServer) -> list[dict[str, list[str]]]:
    seen: list[dict[str, list[str]]] = []
    answers: dict[str, Any] = {
        "Referrers.getReferrerType": {
            "2026-12-01": [
                {
                    "label": "Entrée directe",
                    "nb_visits": 40,
                    "nb_uniq_visitors": 35,
                    "segment": "referrerType==direct",
                },
                {"label": "Réseaux sociaux", "nb_visits": 12, "segment": "referrerType==social"},
                {"label": "Campagnes", "nb_visits": 5, "segment": "referrerType==campaign"},
            ],
            "2026-12-02": [],
        },
        "Referrers.getSocials": {
            "2026-12-01": [
                {"label": "Mastodon", "nb_visits": 9},
                {"label": "Facebook", "nb_visits": 3},
            ],
            "2026-12-02": [],
        },
        "Referrers.getCampaigns": {
            "2026-12-01": [{"label": "noel-2026", "nb_visits": 5}],
            "2026-12-02": [],
        },
    }

    def handler(request: Recorded) -> Reply:
        form = parse_qs(request.body.decode())
        seen.append(form)
        return Reply(200, answers[form["method"][0]])

    server.route("POST", "/matomo/index.php", handler)
    return seen


def test_matomo_visits_by_channel_network_and_campaign(
    server: ReplayServer, http: HttpClient, caplog: Any
) -> None:
    seen = matomo(server)
    config = {"base_url": server.url("/matomo/"), "site_id": "3"}
    with caplog.at_level(logging.DEBUG):
        rows = MatomoReader(http).visits({"token": TOKEN}, config, D1, D2)
    assert set(rows) == {
        TrafficRow(D1, "channel", "direct", 40),
        TrafficRow(D1, "channel", "social", 12),
        TrafficRow(D1, "channel", "campaign", 5),
        TrafficRow(D1, "social", "Mastodon", 9),
        TrafficRow(D1, "social", "Facebook", 3),
        TrafficRow(D1, "campaign", "noel-2026", 5),
    }
    assert [form["method"][0] for form in seen] == [
        "Referrers.getReferrerType",
        "Referrers.getSocials",
        "Referrers.getCampaigns",
    ]
    assert (
        seen[0]["date"] == ["2026-12-01,2026-12-02"]
        and seen[0]["period"] == ["day"]
        and seen[0]["idSite"] == ["3"]
    )
    assert seen[0]["token_auth"] == [TOKEN]
    for request in server.requests:  # in the body, never in the address
        assert TOKEN not in request.path and all(
            TOKEN not in v for values in request.query.values() for v in values
        )
    assert TOKEN not in caplog.text


def test_matomo_errors(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/index.php",
        Reply(
            200,
            {
                "result": "error",
                "message": "You can't access this resource as it requires 'view' access for the website id = 3.",
            },
        ),
        Reply(200, {"result": "error", "message": "The date 'x' is not a correct date"}),
        Reply(500, f"<html>token_auth={TOKEN}</html>"),
    )
    reader = MatomoReader(http)
    config = {"base_url": server.base_url, "site_id": "3"}
    with pytest.raises(AuthExpired):
        reader.visits({"token": TOKEN}, config, D1, D2)
    with pytest.raises(ConnectorError) as refused:
        reader.visits({"token": TOKEN}, config, D1, D2)
    assert refused.value.permanent and refused.value.code == "traffic.refused"
    with pytest.raises(ConnectorError) as broken:
        reader.visits({"token": TOKEN}, config, D1, D2)
    assert (
        not broken.value.permanent
        and TOKEN not in str(broken.value)
        and TOKEN not in repr(broken.value.params)
    )
    with pytest.raises(AuthExpired):
        reader.visits({}, config, D1, D2)


def test_plausible_visits_by_channel_network_and_campaign(
    server: ReplayServer, http: HttpClient
) -> None:
    queries: list[dict[str, Any]] = []

    def handler(request: Recorded) -> Reply:
        query = json.loads(request.body)
        queries.append(query)
        assert request.headers["authorization"] == "Bearer plausible-key"
        if "visit:utm_campaign" in query["dimensions"]:
            return Reply(
                200,
                {
                    "results": [
                        {"dimensions": ["2026-12-01", "(none)"], "metrics": [50]},
                        {"dimensions": ["2026-12-01", "noel-2026"], "metrics": [7]},
                    ],
                    "meta": {},
                    "query": query,
                },
            )
        return Reply(
            200,
            {
                "results": [
                    {"dimensions": ["2026-12-01", "Direct", "Direct / None"], "metrics": [30]},
                    {"dimensions": ["2026-12-01", "Organic Social", "Mastodon"], "metrics": [8]},
                    {"dimensions": ["2026-12-01", "Organic Social", "Bluesky"], "metrics": [4]},
                    {"dimensions": ["2026-12-01", "Referral", "blog.example"], "metrics": [6]},
                    {"dimensions": ["2026-12-02", "Organic Search", "Google"], "metrics": [11]},
                    {"dimensions": ["bad"], "metrics": [1]},
                ],
                "meta": {},
                "query": query,
            },
        )

    server.route("POST", "/api/v2/query", handler)
    rows = PlausibleReader(http).visits(
        {"token": "plausible-key"}, {"base_url": server.base_url, "site_id": "cafe.example"}, D1, D2
    )
    assert set(rows) == {
        TrafficRow(D1, "channel", "direct", 30),
        TrafficRow(D1, "channel", "social", 12),
        TrafficRow(D1, "channel", "website", 6),
        TrafficRow(D2, "channel", "search", 11),
        TrafficRow(D1, "social", "Mastodon", 8),
        TrafficRow(D1, "social", "Bluesky", 4),
        TrafficRow(D1, "campaign", "noel-2026", 7),
    }
    assert (
        queries[0]["date_range"] == ["2026-12-01", "2026-12-02"]
        and queries[0]["site_id"] == "cafe.example"
    )
    assert queries[0]["metrics"] == ["visits"]


def test_plausible_errors_and_limits(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/api/v2/query",
        Reply(
            401,
            {
                "error": "Invalid API key or site ID. Please make sure you're using a valid API key with access to the site you've requested."
            },
        ),
        Reply(400, {"error": "Invalid date range"}),
        Reply(429, {"error": "Too many API requests."}, {"Retry-After": "600"}),
    )
    reader = PlausibleReader(http)
    config = {"base_url": server.base_url, "site_id": "cafe.example"}
    with pytest.raises(AuthExpired):
        reader.visits({"token": "k"}, config, D1, D2)
    with pytest.raises(ConnectorError) as bad:
        reader.visits({"token": "k"}, config, D1, D2)
    assert bad.value.permanent and bad.value.code == "traffic.refused"
    with pytest.raises(ConnectorError) as limited:
        reader.visits({"token": "k"}, config, D1, D2)
    assert not limited.value.permanent and limited.value.retry_after == 600


def test_the_configuration_is_checked() -> None:
    check_config("plausible", {"base_url": "https://plausible.example", "site_id": "cafe.example"})
    for tool, config in (
        ("ga4", {"base_url": "https://x", "site_id": "1"}),
        ("matomo", {"base_url": "ftp://x", "site_id": "1"}),
        ("matomo", {"base_url": "https://x y", "site_id": "1"}),
        ("matomo", {"base_url": "https://x", "site_id": " "}),
    ):
        with pytest.raises(InvalidConfig):
            check_config(tool, config)
