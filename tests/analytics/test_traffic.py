"""The site's visits read from its analytics tool into the workspace, the KPI counted by hand over
the tool's days, and the traffic page; the token is encrypted at rest and never shown back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from ambassade.analytics import kpis, traffic
from ambassade.analytics.dashboard import local_today
from ambassade.analytics.models import TrafficDay, TrafficSite
from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.webanalytics import TrafficRow
from ambassade.engine.measures import Period
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def due_at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sites connected by the tests are due at NOW, not at the hour the suite happens to run."""
    field = TrafficSite._meta.get_field("next_read_at")
    monkeypatch.setattr(field, "_get_default", lambda: NOW)


DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris")
TOKEN = "plausible-key-7d2c4b"


class FakeTool:
    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.asked: list[tuple[Any, Any, date, date]] = []

    def __call__(self, tool: str) -> FakeTool:
        return self

    def visits(self, credentials: Any, config: Any, start: date, end: date) -> list[TrafficRow]:
        self.asked.append((credentials, config, start, end))
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def site(personas: Personas, **fields: Any) -> TrafficSite:
    made = TrafficSite(
        workspace=personas.workspace_a,
        tool="plausible",
        base_url="https://plausible.example",
        site_id="brand-a.example",
        **fields,
    )
    made.set_secret({"token": TOKEN})
    made.save()
    return made


def test_a_first_read_fetches_90_days_then_a_week_replacing_the_days_read(
    personas: Personas,
) -> None:
    made = site(personas)
    assert TOKEN.encode() not in bytes(made.token_ciphertext)  # encrypted at rest
    tool = FakeTool(
        [
            TrafficRow(date(2026, 12, 1), "channel", "social", 10),
            TrafficRow(date(2026, 12, 1), "social", "Mastodon", 10),
            TrafficRow(date(2026, 12, 6), "channel", "social", 4),
            TrafficRow(date(2025, 1, 1), "channel", "social", 99),
        ],
        [TrafficRow(date(2026, 12, 6), "channel", "social", 6)],
    )
    assert traffic.read_due(NOW) == [made.id]
    assert traffic.read_site(made.id, now=NOW, reader_factory=tool)
    credentials, config, start, end = tool.asked[0]
    assert credentials == {"token": TOKEN} and config == {
        "base_url": "https://plausible.example",
        "site_id": "brand-a.example",
    }
    assert (start, end) == (date(2026, 9, 9), date(2026, 12, 7))
    assert TrafficDay.objects.count() == 3  # the row outside the days asked is not kept
    assert not traffic.read_site(
        made.id, now=NOW + timedelta(hours=1), reader_factory=tool
    )  # not due
    later = NOW + traffic.EVERY
    assert traffic.read_site(made.id, now=later, reader_factory=tool)
    _c, _k, start, end = tool.asked[1]
    assert (start, end) == (date(2026, 12, 1), date(2026, 12, 7))
    # The week read replaced its days: 1 December's rows are gone with the new answer.
    assert list(TrafficDay.objects.values_list("day", "kind", "name", "visits")) == [
        (date(2026, 12, 6), "channel", "social", 6)
    ]


def test_errors_wait_and_a_refused_token_waits_for_a_person(personas: Personas) -> None:
    made = site(personas)
    tool = FakeTool(
        ConnectorError(
            "limited",
            retry_after=3600,
            code="connector.rate_limited",
            params={"network": "Plausible", "detail": ""},
        )
    )
    assert not traffic.read_site(made.id, now=NOW, reader_factory=tool)
    made.refresh_from_db()
    assert made.status == "retrying" and made.next_read_at == NOW + timedelta(hours=1)
    tool.outcomes = [
        AuthExpired(
            "no", code="connector.token_refused", params={"network": "Plausible", "detail": "401"}
        )
    ]
    assert not traffic.read_site(made.id, now=NOW + timedelta(hours=1), reader_factory=tool)
    made.refresh_from_db()
    assert made.status == "error" and made.last_error.code == "connector.token_refused"
    assert made.next_read_at == NOW + timedelta(hours=1) + traffic.FAILED_AFTER


def test_site_visits_from_social_over_the_tool_s_days(personas: Personas) -> None:
    assert (
        kpis.READERS["site_visits_from_social"](personas.workspace_a, DECEMBER) is None
    )  # no site
    made = site(personas)
    assert kpis.READERS["site_visits_from_social"](personas.workspace_a, DECEMBER) == 0.0
    for day, kind, name, visits in (
        (date(2026, 11, 30), "channel", "social", 100),  # before the period
        (date(2026, 12, 1), "channel", "social", 10),
        (date(2026, 12, 31), "channel", "social", 5),
        (date(2027, 1, 1), "channel", "social", 100),  # after
        (date(2026, 12, 15), "channel", "direct", 70),  # not social
        (date(2026, 12, 15), "social", "Mastodon", 15),  # the breakdown, not counted twice
    ):
        TrafficDay.objects.create(
            site=made, workspace=personas.workspace_a, day=day, kind=kind, name=name, visits=visits
        )
    assert kpis.READERS["site_visits_from_social"](personas.workspace_a, DECEMBER) == 15.0
    assert traffic.totals(personas.workspace_a, DECEMBER) == {"social": 15, "direct": 70, "all": 85}


def test_the_traffic_page_shows_the_kpi_s_reader_for_the_period_and_the_one_before(
    client: Any, personas: Personas
) -> None:
    ws = personas.workspace_a
    url = reverse("analytics:traffic", kwargs={"workspace_slug": ws.slug})
    personas.client_for(client, personas.alice)
    query = "?start=2026-12-01&end=2026-12-31"
    assert client.get(url + query).context["social"]["now"] is None  # no site: no number
    made = site(personas)
    for day, kind, name, visits in (
        (date(2026, 11, 30), "channel", "social", 100),
        (date(2026, 12, 1), "channel", "social", 10),
        (date(2026, 12, 15), "channel", "direct", 70),
        (date(2026, 12, 15), "social", "Mastodon", 15),
    ):
        TrafficDay.objects.create(
            site=made, workspace=ws, day=day, kind=kind, name=name, visits=visits
        )
    shown = client.get(url + query).context["social"]
    november = Period(date(2026, 10, 31), date(2026, 11, 30), "Europe/Paris")
    assert shown["now"] == kpis.READERS["site_visits_from_social"](ws, DECEMBER) == 10.0
    assert shown["before"] == kpis.READERS["site_visits_from_social"](ws, november) == 100.0
    empty = client.get(url + "?start=2025-01-01&end=2025-01-31").context["social"]
    assert empty["now"] == 0.0 and empty["before"] == 0.0


def test_the_traffic_page_connects_a_site_without_showing_its_token(
    client: Any, personas: Personas
) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("analytics:traffic", kwargs={"workspace_slug": personas.workspace_a.slug})
    personas.client_for(client, personas.bob)  # an editor sees, does not connect
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url,
            {
                "tool": "matomo",
                "base_url": "https://matomo.example",
                "site_id": "3",
                "token": TOKEN,
            },
        ).status_code
        == 403
    )
    personas.client_for(client, personas.alice)
    bad = client.post(
        url, {"tool": "matomo", "base_url": "javascript:alert(1)", "site_id": "3", "token": TOKEN}
    )
    assert bad.status_code == 400 and TOKEN not in bad.content.decode()
    assert (
        client.post(
            url,
            {
                "tool": "matomo",
                "base_url": "https://matomo.example",
                "site_id": "3",
                "token": TOKEN,
            },
        ).status_code
        == 302
    )
    made = TrafficSite.objects.get()
    assert made.secret().reveal() == {"token": TOKEN}
    page = client.get(url).content.decode()
    assert "matomo.example" in page and TOKEN not in page
    TrafficDay.objects.create(
        site=made,
        workspace=personas.workspace_a,
        day=local_today(personas.workspace_a),
        kind="social",
        name="Mastodon",
        visits=4,
    )
    TrafficDay.objects.create(
        site=made,
        workspace=personas.workspace_a,
        day=local_today(personas.workspace_a),
        kind="channel",
        name="social",
        visits=4,
    )
    page = client.get(url).content.decode()
    assert "Mastodon" in page and "data-chart" in page
    csv_text = (
        client.get(
            reverse("analytics:traffic_csv", kwargs={"workspace_slug": personas.workspace_a.slug})
        )
        .getvalue()
        .decode("utf-8-sig")
    )
    assert "Mastodon" in csv_text and TOKEN not in csv_text
    delete = reverse(
        "analytics:traffic_site_delete",
        kwargs={"workspace_slug": personas.workspace_a.slug, "site_id": made.pk},
    )
    assert client.post(delete).status_code == 302
    assert not TrafficSite.objects.exists() and not TrafficDay.objects.exists()
