"""The dashboard on the workspace's home, the objectives pages and the server-rendered chart."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from ambassade.analytics.dashboard import local_today
from ambassade.analytics.models import Kpi, Objective
from ambassade.crisis.models import Alert
from ambassade.workspaces.models import AuditEntry
from tests.analytics.fixtures import Data
from tests.analytics.samples import samples
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.specs: list[dict[str, Any]] = []
        self.locales: list[dict[str, Any]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "data-chart" in values:
            self.specs.append(json.loads(values["data-chart"] or ""))
            self.locales.append(json.loads(values["data-chart-locale"] or ""))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def _page(client: Any, url: str) -> Charts:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    parser = Charts()
    parser.feed(response.content.decode())
    return parser


def test_it_makes_the_home_a_dashboard_with_a_chart_and_its_table(
    personas: Personas, client: Any
) -> None:
    data = Data(personas.workspace_a, personas.connection)
    today = local_today(personas.workspace_a)
    data.rollup(data.brand, today, 7, "positive")
    data.rollup(data.brand2, today, 2, "positive")
    data.rollup(data.brand, today - timedelta(days=3), 4, "negative")
    data.rollup(data.rival, today, 50, "negative")  # a competitor's: not in the brand's trend
    Alert.objects.create(
        workspace=personas.workspace_a, kind="volume_spike", severity="high", dedup_key="x"
    )
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    page = _page(client, reverse("workspace_home", args=[slug]))
    [spec] = page.specs
    values = spec["data"]["values"]
    assert len(values) == 30 * 3  # every day of the 30, each sentiment, empty days included
    assert sum(v["count"] for v in values if v["series"] == "Positive") == 9
    assert sum(v["count"] for v in values if v["series"] == "Negative") == 4
    assert page.locales[0]["number"]["decimal"] == "."
    for name in ("crisis:alerts", "inbox:list", "publishing:posts", "analytics:objectives"):
        assert reverse(name, args=[slug]) in " ".join(page.links), name
    assert reverse("analytics:trend_svg", args=[slug]) in page.links
    html = client.get(
        reverse("workspace_home", args=[slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "13 mentions of the brand" in html  # 9 + 4, the table and the summary agree
    assert "vendor/vega-6.2.0.min.js" in html and "ambassade/charts.js" in html


def test_the_dashboard_speaks_french_with_french_formats(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.get(
        reverse("workspace_home", args=[personas.workspace_a.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    parser = Charts()
    parser.feed(response.content.decode())
    spec = parser.specs[0]
    assert spec["description"] == "Mentions de la marque par jour, par sentiment"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Positif", "Neutre", "Négatif"]
    assert parser.locales[0]["number"]["decimal"] == ","
    assert "déc." in parser.locales[0]["time"]["shortMonths"]


def test_a_role_sees_only_the_tiles_of_the_pages_it_may_open(
    personas: Personas, client: Any
) -> None:
    from ambassade.workspaces.models import Membership, Role

    Membership.objects.filter(pk=personas.bob_membership.pk).update(role=Role.APPROVER)
    client.force_login(personas.bob)
    slug = personas.workspace_a.slug
    html = client.get(reverse("workspace_home", args=[slug])).content.decode()
    assert reverse("crisis:alerts", args=[slug]) not in html  # approvers see no alerts
    assert reverse("analytics:objectives", args=[slug]) in html


def test_an_owner_sets_an_objective_and_sees_its_kpi_measured(
    personas: Personas, client: Any
) -> None:
    data = Data(personas.workspace_a, personas.connection)
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    response = client.post(
        reverse("analytics:objective_create", args=[slug]),
        {"name": "Be heard", "type": "visibility", "description": ""},
    )
    objective = Objective.objects.get(workspace=personas.workspace_a)
    assert response.status_code == 302
    today = local_today(personas.workspace_a)
    from datetime import UTC, datetime, time

    for hour in (9, 10):
        data.mention(datetime.combine(today, time(hour), tzinfo=UTC), "positive", [data.brand])
    url = reverse("analytics:objective", args=[slug, objective.pk])
    response = client.post(
        url,
        {
            "form": "kpi",
            "metric": "mention_volume",
            "target": "8",
            "period_start": today.isoformat(),
            "period_end": today.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Kpi.objects.get(objective=objective).target == 8
    html = client.get(url).content.decode()
    assert '<progress class="kpi-progress' in html and 'value="25"' in html
    assert "Mentions matched by the brand" in html  # the definition beside it
    home = client.get(reverse("workspace_home", args=[slug])).content.decode()
    assert "Be heard" in home and 'value="25"' in home
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Volume de mentions" in html
    assert AuditEntry.objects.filter(action="analytics.kpi.added").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"target": "150", "metric": "csat"}, "target", "between 0 and 100"),
        ({"period_end": "2026-11-01"}, "period_end", "ends before it starts"),
        ({"target": "-3"}, "target", "cannot be negative"),
        ({"metric": "no_such_metric"}, "metric", "Select a valid choice"),
        ({"period_start": "01/12/2026"}, "period_start", "Enter a valid date"),
    ],
)
def test_it_refuses_a_bad_kpi_and_saves_nothing(
    personas: Personas, client: Any, fields: dict[str, str], field: str, message: str
) -> None:
    objective = samples(personas).objective
    client.force_login(personas.alice)
    form = {
        "form": "kpi",
        "metric": "mention_volume",
        "target": "10",
        "period_start": "2026-12-01",
        "period_end": "2026-12-31",
        **fields,
    }
    before = Kpi.objects.count()
    response = client.post(
        reverse("analytics:objective", args=[personas.workspace_a.slug, objective.pk]), form
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Kpi.objects.count() == before


def test_an_editor_reads_objectives_but_cannot_change_them(personas: Personas, client: Any) -> None:
    sample = samples(personas)
    client.force_login(personas.bob)
    slug = personas.workspace_a.slug
    assert client.get(reverse("analytics:objectives", args=[slug])).status_code == 200
    url = reverse("analytics:objective", args=[slug, sample.objective.pk])
    assert (
        client.post(url, {"form": "objective", "name": "x", "type": "visibility"}).status_code
        == 403
    )
    assert (
        client.post(reverse("analytics:kpi_delete", args=[slug, sample.kpi.pk])).status_code == 403
    )
    assert client.get(reverse("analytics:objective_create", args=[slug])).status_code == 403
    assert Objective.objects.get(pk=sample.objective.pk).name == "A's objective"


def test_an_owner_removes_a_kpi_then_the_objective(personas: Personas, client: Any) -> None:
    sample = samples(personas)
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    client.post(reverse("analytics:kpi_delete", args=[slug, sample.kpi.pk]))
    assert not Kpi.objects.filter(pk=sample.kpi.pk).exists()
    client.post(reverse("analytics:objective_delete", args=[slug, sample.objective.pk]))
    assert not Objective.objects.filter(pk=sample.objective.pk).exists()


def test_the_server_renders_the_same_chart_as_svg(personas: Personas, client: Any) -> None:
    data = Data(personas.workspace_a, personas.connection)
    data.rollup(data.brand, local_today(personas.workspace_a), 5, "negative")
    client.force_login(personas.alice)
    response = client.get(
        reverse("analytics:trend_svg", args=[personas.workspace_a.slug]),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "script" not in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert svg.startswith("<svg") and "Négatif" in svg and "Mentions" in svg
    assert " style=" not in svg


def test_the_dashboard_reads_a_bounded_number_of_queries(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    from ambassade.analytics import services
    from ambassade.analytics.catalogue import CATALOGUE

    today = local_today(personas.workspace_a)
    objective = services.create_objective(
        personas.workspace_a, personas.alice, name="All", type="visibility"
    )
    for metric in CATALOGUE:  # ten running KPIs: the home measures six
        services.add_kpi(
            objective,
            personas.alice,
            metric=metric,
            target=10,
            period_start=today,
            period_end=today,
        )
    client.force_login(personas.alice)
    with django_assert_max_num_queries(34):
        html = client.get(reverse("workspace_home", args=[personas.workspace_a.slug])).content
    assert html.decode().count('class="kpi"') == 6
    assert "More indicators on the objectives page" in html.decode()


def test_the_table_behind_the_chart_downloads_as_csv(personas: Personas, client: Any) -> None:
    data = Data(personas.workspace_a, personas.connection)
    today = local_today(personas.workspace_a)
    data.rollup(data.brand, today, 5, "negative")
    data.rollup(data.brand2, today, 2, "positive")
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    assert (
        reverse("analytics:trend_csv", args=[slug])
        in _page(client, reverse("workspace_home", args=[slug])).links
    )
    response = client.get(reverse("analytics:trend_csv", args=[slug]))
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Day,Positive,Neutral,Negative,Total"
    assert len(lines) == 31  # thirty days, the empty ones included
    assert lines[-1] == f"{today.isoformat()},2,0,5,7"
