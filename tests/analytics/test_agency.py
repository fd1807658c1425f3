"""The agency view: the person's own workspaces side by side, never another agency's; the KPIs as
the catalogue measures them, with the period before; sorting, CSV, roles, bad dates."""

from __future__ import annotations

import csv
import io
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from ambassade.analytics import kpis
from ambassade.analytics.reports_models import Report, ReportTemplate
from ambassade.crisis.models import Alert
from ambassade.workspaces import services
from ambassade.workspaces.models import Membership, Role
from tests.analytics.fixtures import Data, at
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

NOVEMBER = "?start=2026-11-01&end=2026-11-30"


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class Rows(HTMLParser):
    """The workspaces' names in the order of the table's rows, and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.links: list[str] = []
        self._in_row_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "th" and values.get("scope") == "row":
            self._in_row_head = True
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_row_head = False

    def handle_data(self, data: str) -> None:
        if self._in_row_head and data.strip():
            self.names.append(data.strip())


def _rows(client: Any, query: str = NOVEMBER) -> Rows:
    response = client.get(reverse("analytics:agency") + query)
    assert response.status_code == 200
    parser = Rows()
    parser.feed(response.content.decode())
    return parser


def _csv(client: Any, query: str = NOVEMBER) -> list[dict[str, str]]:
    response = client.get(reverse("analytics:agency_csv") + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def agency(personas: Personas) -> dict[str, Any]:
    """Agence A with two client workspaces for Alice (Brand A, Brand A2); Company B's Brand B,
    Charlie's only, has more mentions than both."""
    alice = personas.alice
    second = services.create_workspace(
        organisation=personas.workspace_a.organisation, name="Brand A2", owner=alice
    )
    a = Data(personas.workspace_a, personas.connection)
    # Brand A, November in Paris: three mentions (one at 23:30 UTC on 31 October), October: one.
    a.mention(at(2026, 10, 31, 23, 30), "positive", [a.brand])
    a.mention(at(2026, 11, 10, 12), "positive", [a.brand, a.brand2])
    a.mention(at(2026, 11, 20, 12), "negative", [a.brand])
    a.mention(at(2026, 10, 5, 12), "negative", [a.brand])
    a.mention(at(2026, 11, 30, 23, 0), "negative", [a.brand])  # 1 December in Paris
    a2 = Data(second, None)
    a2.mention(at(2026, 11, 3, 12), "neutral", [a2.brand])
    b = Data(personas.workspace_b, None)
    for day in range(1, 10):
        b.mention(at(2026, 11, day, 12), "positive", [b.brand])
    return {"second": second, "a": a, "a2": a2, "b": b}


def test_it_shows_only_the_persons_own_workspaces(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    client.force_login(personas.alice)
    page = _rows(client)
    assert page.names == ["Brand A", "Brand A2"]
    assert not any(personas.workspace_b.slug in link for link in page.links)
    assert {row["Workspace"] for row in _csv(client)} == {"Brand A", "Brand A2"}
    client.force_login(personas.charlie)
    page = _rows(client)
    assert page.names == ["Brand B"]
    assert not any(personas.workspace_a.slug in link for link in page.links)
    assert [row["Workspace"] for row in _csv(client)] == ["Brand B"]


def test_it_measures_each_workspace_with_the_catalogues_readers(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    client.force_login(personas.alice)
    rows = {row["Workspace"]: row for row in _csv(client)}
    a = rows["Brand A"]
    assert a["Organisation"] == "Agence A"
    assert (a["From"], a["To"]) == ("2026-11-01", "2026-11-30")
    # three brand mentions in November in Paris (the one matched twice counts once); one in October
    assert a["Mentions"] == "3"
    assert a["Mentions, period before"] == "1"
    # two positive, one negative: (2 − 1) ÷ 3 × 100
    assert float(a["Net sentiment"]) == pytest.approx(33.33, abs=0.01)
    assert a["Net sentiment, period before"] == "-100"
    # the same function the objectives use
    period = kpis.period_of(personas.workspace_a, date(2026, 11, 1), date(2026, 11, 30))
    assert float(a["Mentions"]) == kpis.mention_volume(personas.workspace_a, period)
    # nothing to measure is empty, never 0: no conversation, no first-response time
    assert a["First response"] == ""
    assert rows["Brand A2"]["Mentions"] == "1"
    assert rows["Brand A2"]["Mentions, period before"] == "0"
    html = client.get(reverse("analytics:agency") + NOVEMBER).content.decode()
    assert "+200 %" in html  # 3 against 1


def test_each_cell_links_to_its_page_in_that_workspace(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    Alert.objects.create(
        workspace=personas.workspace_a, title="Spike", severity="high", dedup_key="spike"
    )
    client.force_login(personas.alice)
    page = _rows(client)
    slug = personas.workspace_a.slug
    for url in (
        reverse("listening:stream", args=[slug]),
        reverse("listening:insights", args=[slug]),
        reverse("crisis:alerts", args=[slug]),
        reverse("inbox:list", args=[slug]) + "?view=breaching",
        reverse("publishing:posts", args=[slug]) + "?status=failed",
        reverse("analytics:audience", args=[slug]),
        reverse("analytics:objectives", args=[slug]),
        reverse("workspace_home", args=[slug]),
    ):
        assert url in page.links, url
    rows = {row["Workspace"]: row for row in _csv(client)}
    assert rows["Brand A"]["Open alerts"] == "1"
    assert rows["Brand A2"]["Open alerts"] == "0"


def test_it_sorts_by_a_column_with_nothing_to_measure_last(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    third = services.create_workspace(
        organisation=personas.workspace_a.organisation, name="Aardvark", owner=personas.alice
    )
    Data(third, None)  # a brand query, no mention: 0 mentions
    client.force_login(personas.alice)
    assert _rows(client).names == ["Aardvark", "Brand A", "Brand A2"]
    assert _rows(client, NOVEMBER + "&sort=mentions&order=desc").names == [
        "Brand A",
        "Brand A2",
        "Aardvark",
    ]
    assert _rows(client, NOVEMBER + "&sort=mentions&order=asc").names == [
        "Aardvark",
        "Brand A2",
        "Brand A",
    ]
    # net sentiment: Aardvark and Brand A2 have none (no positive or negative): last either way
    assert _rows(client, NOVEMBER + "&sort=net_sentiment&order=asc").names[0] == "Brand A"
    assert _rows(client, NOVEMBER + "&sort=name&order=desc").names == [
        "Brand A2",
        "Brand A",
        "Aardvark",
    ]
    # the CSV follows the same order
    assert [r["Workspace"] for r in _csv(client, NOVEMBER + "&sort=mentions&order=desc")] == [
        "Brand A",
        "Brand A2",
        "Aardvark",
    ]


def test_a_role_sees_only_the_cells_it_may_open(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    Membership.objects.filter(workspace=personas.workspace_a, user=personas.alice).update(
        role=Role.APPROVER
    )
    Alert.objects.create(
        workspace=personas.workspace_a, title="Spike", severity="high", dedup_key="spike"
    )
    client.force_login(personas.alice)
    page = _rows(client)
    assert reverse("crisis:alerts", args=[personas.workspace_a.slug]) not in page.links
    rows = {row["Workspace"]: row for row in _csv(client)}
    assert rows["Brand A"]["Open alerts"] == ""
    assert rows["Brand A2"]["Open alerts"] == "0"


def test_it_links_each_workspace_to_its_client_report(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    report = Report.objects.create(
        workspace=personas.workspace_a,
        name="Monthly for the client",
        template=ReportTemplate.CLIENT,
    )
    client.force_login(personas.alice)
    page = _rows(client)
    assert reverse("analytics:report", args=[personas.workspace_a.slug, report.pk]) in page.links
    second = agency["second"].slug
    assert reverse("analytics:report_create", args=[second]) + "?template=client" in page.links


def test_bad_dates_say_which_and_nothing_breaks(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("analytics:agency") + "?start=2026-11-30&end=2026-11-01")
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()
    response = client.get(reverse("analytics:agency") + "?start=yesterday")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "error" in response.content.decode()
    response = client.get(reverse("analytics:agency_csv") + "?sort=nonsense&start=x")
    assert response.status_code == 200


def test_the_list_of_workspaces_links_to_the_agency_view(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("home"))
    assert reverse("analytics:agency") in response.content.decode()


def test_it_is_in_french(personas: Personas, client: Any, agency: dict[str, Any]) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("analytics:agency") + NOVEMBER, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert "Vue agence" in html
    assert "Sentiment net" in html


def test_it_keeps_the_figures_a_while_and_computes_them_again_on_demand(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    client.force_login(personas.alice)
    assert {r["Workspace"]: r["Mentions"] for r in _csv(client)}["Brand A2"] == "1"
    data = agency["a2"]
    data.mention(at(2026, 11, 4, 12), "neutral", [data.brand])
    # sorting and the CSV read the figures just computed…
    assert {r["Workspace"]: r["Mentions"] for r in _csv(client)}["Brand A2"] == "1"
    page = client.get(reverse("analytics:agency") + NOVEMBER).content.decode()
    assert "Figures computed at" in page and "fresh=1" in page
    # …until asked to compute them again
    client.get(reverse("analytics:agency") + NOVEMBER + "&fresh=1")
    assert {r["Workspace"]: r["Mentions"] for r in _csv(client)}["Brand A2"] == "2"


def _own_account(
    workspace: Any, snapshots: list[tuple[Any, int]], posts: list[tuple[Any, ...]]
) -> Any:
    """An own account of ``workspace`` read at ``snapshots`` (moment, followers), with ``posts``
    (moment, engagements, impressions, followers), and a competitor's post that never counts."""
    from ambassade.analytics.models import AccountSnapshot, PostResult, TrackedAccount

    own = TrackedAccount.objects.create(workspace=workspace, role="own", network="youtube")
    rival = TrackedAccount.objects.create(
        workspace=workspace, role="competitor", network="youtube", handle="rival"
    )
    for taken_at, followers in snapshots:
        AccountSnapshot.objects.create(
            account=own, day=taken_at.date(), taken_at=taken_at, followers=followers
        )
    for n, (published_at, engagements, impressions, followers) in enumerate(posts):
        for account in (own, rival):
            PostResult.objects.create(
                workspace=workspace,
                account=account,
                external_id=f"p{n}",
                published_at=published_at,
                engagements=engagements,
                impressions=impressions,
                followers=followers,
                read_at=published_at,
            )
    return own


def test_computed_for_all_workspaces_at_once_the_figures_are_the_readers_own(
    personas: Personas, client: Any, agency: dict[str, Any]
) -> None:
    """The agency view reads its workspaces' figures together (a grouped query per time zone):
    each equals the catalogue's reader asked for that workspace alone, workspaces in two time
    zones, with running KPIs, an alert, answered conversations and own accounts read on the edges
    of the periods; and the number of queries does not grow with the number of workspaces for
    what is read together (mentions, conversations, the audience's snapshots and posts)."""
    from ambassade.analytics import agency as agency_module
    from ambassade.analytics import services as analytics_services
    from ambassade.analytics.agency import COLUMNS

    second = agency["second"]
    second.time_zone = "America/New_York"
    second.save(update_fields=["time_zone"])
    # 03:30 UTC on 1 November: 23:30 on 31 October in New York (summer time until 06:00 UTC).
    agency["a2"].mention(at(2026, 11, 1, 3, 30), "positive", [agency["a2"].brand])
    agency["a2"].conversation(at(2026, 11, 1, 3, 30), at(2026, 11, 1, 3, 45))  # October there
    agency["a"].conversation(at(2026, 11, 5, 9), at(2026, 11, 5, 9, 20))
    agency["a"].conversation(at(2026, 11, 6, 9), at(2026, 11, 6, 9, 40))
    Alert.objects.create(workspace=second, title="Spike", severity="high", dedup_key="s")
    # Brand A (Paris): read on 15 October, first in November at 00:30 on the 1st (23:30 UTC on
    # 31 October), last on the 20th; the reading of 1 December (Paris) is not November's. Posts:
    # one on 1 November in Paris, one with no impressions, one of December in Paris.
    _own_account(
        personas.workspace_a,
        [
            (at(2026, 10, 15, 12), 1_000),
            (at(2026, 10, 31, 23, 30), 1_050),
            (at(2026, 11, 20, 12), 1_200),
            (at(2026, 11, 30, 23, 30), 5_000),
        ],
        [
            (at(2026, 10, 31, 23, 30), 10, 100, 1_000),
            (at(2026, 11, 15, 12), 5, None, 1_100),
            (at(2026, 11, 30, 23, 30), 99, 100, 1_200),
            (at(2026, 10, 10, 12), 3, 200, None),
        ],
    )
    # Brand A2 (New York): its reading of 03:30 UTC on 1 November is October's there, that of
    # 03:00 UTC on 1 December still November's; so is the post.
    _own_account(
        second,
        [
            (at(2026, 11, 1, 3, 30), 300),
            (at(2026, 11, 10, 12), 320),
            (at(2026, 12, 1, 3, 0), 360),
        ],
        [(at(2026, 11, 1, 3, 30), 7, 70, 300), (at(2026, 12, 1, 3, 0), 6, 40, None)],
    )
    objective = analytics_services.create_objective(
        second, personas.alice, name="Visibility", type="visibility"
    )
    for metric in (
        "mention_volume",
        "share_of_voice",
        "follower_growth",
        "engagement_rate",
        "engagement_rate_per_follower",
    ):
        analytics_services.add_kpi(
            objective,
            personas.alice,
            metric=metric,
            target=1,
            period_start=date(2026, 1, 1),
            period_end=date(2027, 12, 31),
        )
    # Brand A's listening figures from its rollup of distinct mentions (built, in Paris), Brand
    # A2's from its mentions (no rollup): both as the readers read them.
    from ambassade.listening import rollup

    assert rollup.rebuild(personas.workspace_a).state == "ready"
    assert not rollup.usable(second)
    now = at(2026, 12, 7, 12)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as built:
        groups = agency_module.build(
            personas.alice, date(2026, 11, 1), date(2026, 11, 30), now, fresh=True
        )
    assert any('"listening_mentionrollup"' in q["sql"] for q in built.captured_queries)
    rows = {row.workspace.name: row for group in groups for row in group.rows}
    assert set(rows) == {"Brand A", "Brand A2"}
    for row in rows.values():
        for column in COLUMNS:
            if not column.metric:
                continue
            reader = kpis.READERS[column.metric]
            cell = row.cells[column.code]
            assert cell.value == reader(row.workspace, row.period), (row.workspace, column)
            assert cell.before == reader(row.workspace, row.previous), (row.workspace, column)
    assert (
        rows["Brand A2"].cells["mentions"].value == 1.0
    )  # the one of 1 November (UTC) is October's
    assert rows["Brand A2"].cells["mentions"].before == 1.0
    assert rows["Brand A2"].cells["alerts"].value == 1.0
    assert rows["Brand A"].cells["first_response_time"].value == 30.0  # median of 20 and 40
    assert rows["Brand A2"].cells["first_response_time"].value is None
    assert rows["Brand A2"].cells["first_response_time"].before == 15.0
    assert rows["Brand A"].cells["alerts"].value == 0.0
    # By hand: in November Brand A grew from its last reading before (15 October: 1,000) to its
    # last in November (1,200); in October from its first reading there (1,000) to its last.
    assert rows["Brand A"].cells["follower_growth"].value == 200.0
    assert rows["Brand A"].cells["follower_growth"].before == 0.0
    assert rows["Brand A"].cells["engagement_rate"].value == 10.0  # 10 / 100
    assert rows["Brand A"].cells["engagement_rate"].before == 1.5  # 3 / 200
    assert rows["Brand A2"].cells["follower_growth"].value == 60.0  # 300 → 360
    assert rows["Brand A2"].cells["follower_growth"].before == 0.0  # one reading in October
    assert rows["Brand A2"].cells["engagement_rate"].value == 15.0  # 6 / 40
    assert rows["Brand A2"].cells["engagement_rate"].before == 10.0  # 7 / 70
    # The running KPIs as the objectives page measures them: the mention volume meets its target,
    # and so does the share of voice (counted from the matches, Brand A2 having no rollup: all
    # its brand's, no competitor's).
    running = [kpis.measure(kpi, now) for kpi in objective.kpis.order_by("pk")]
    assert [m.on_track for m in running][:2] == [True, True]
    assert running[1].value == 100.0
    assert rows["Brand A2"].cells["on_track"].value == sum(m.on_track is True for m in running)
    assert rows["Brand A2"].cells["behind"].value == sum(m.on_track is False for m in running)
    # By hand: Brand A's November in Paris, from its rollup: three brand mentions (the one of
    # 23:30 UTC on 31 October is November's, that of 23:00 UTC on 30 November December's).
    assert rows["Brand A"].cells["mentions"].value == 3.0
    assert rows["Brand A"].cells["mentions"].before == 1.0

    tables = (
        "listening_mention",
        "inbox_conversation",
        "analytics_trackedaccount",
        "analytics_accountsnapshot",
        "analytics_postresult",
    )

    def mention_reads() -> int:
        with CaptureQueriesContext(connection) as read:
            agency_module.build(
                personas.alice, date(2026, 11, 1), date(2026, 11, 30), now, fresh=True
            )
        return sum(
            1 for q in read.captured_queries if any(f'FROM "{t}"' in q["sql"] for t in tables)
        )

    two = mention_reads()
    third = services.create_workspace(
        organisation=personas.workspace_a.organisation, name="Brand A3", owner=personas.alice
    )
    third.time_zone = "Europe/Paris"
    third.save(update_fields=["time_zone"])
    _own_account(third, [(at(2026, 11, 2, 12), 10), (at(2026, 11, 3, 12), 12)], [])
    assert mention_reads() == two
