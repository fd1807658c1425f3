"""The team report against a fixture whose every figure was worked out by hand (in the comments),
time zones and empty periods included, on the page and in the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from ambassade.inbox.models import Conversation, Status
from ambassade.inbox.targets.report import (
    Period,
    build_report,
    percentile,
    register_csat_reader,
)
from tests.conftest import Personas
from tests.inbox.targets.conftest import PARIS, conversation, inbound, paris, reply, target
from tests.workspaces.html import parse

pytestmark = pytest.mark.django_db

# Two weeks, Monday 2 to Sunday 15 November 2026, in Paris (CET, +01:00 all along).
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 15), ZoneInfo("Europe/Paris"))
NOW = paris(2026, 11, 16, 12, 0)
MIN = 60.0


def resolve(c: Any, at: datetime) -> None:
    Conversation.objects.filter(pk=c.pk).update(status=Status.RESOLVED, resolved_at=at)


def assign(c: Any, user: Any) -> None:
    Conversation.objects.filter(pk=c.pk).update(assignee=user)


@pytest.fixture
def fixture(personas: Personas, office: Any) -> dict[str, Any]:
    """Business hours Monday–Friday 09:00–18:00 in Paris; first response within 1 h, resolution
    within 8 h.

    A  Mastodon, Alice: in Mon 2 Nov 10:00, Alice answers 10:30 (30 min, due 11:00: met),
       resolved 15:00 (5 h = 300 min, due 18:00: met).
    B  Mastodon, Bob: in Fri 6 Nov 17:30, Bob answers Mon 9 Nov 09:45 (30 + 45 = 75 min, due
       Mon 09:30: missed), resolved Tue 10 Nov 10:00 (30 min + 9 h + 1 h = 630 min, due Mon
       16:30: missed).
    C  Bluesky, nobody: in Sat 7 Nov 12:00 (closed), answered natively Mon 9 Nov 09:20 (20 min,
       due 10:00: met).
    D  Bluesky, Alice: in Sun 15 Nov 23:30 Paris (22:30 UTC: in the period), no answer; due Mon
       16 Nov 10:00, past at the report's time (Mon 16 Nov 12:00): missed.
    E  Mastodon: in Sun 1 Nov 23:30 Paris (before the period), Alice answers Mon 2 Nov 09:10:
       only that answer counts (out, week of 2 Nov).
    F  Mastodon: in Sun 15 Nov 23:30 UTC = Mon 16 Nov 00:30 Paris: after the period.
    """
    workspace = personas.workspace_a
    target(workspace, first_response_minutes=60, resolution_minutes=8 * 60)
    alice, bob = personas.alice, personas.bob
    made = {}
    a = made["A"] = conversation(workspace, key="A", network="mastodon")
    inbound(a, paris(2026, 11, 2, 10, 0))
    reply(a, paris(2026, 11, 2, 10, 30), sender=alice)
    assign(a, alice)
    resolve(a, paris(2026, 11, 2, 15, 0))
    b = made["B"] = conversation(workspace, key="B", network="mastodon")
    inbound(b, paris(2026, 11, 6, 17, 30))
    reply(b, paris(2026, 11, 9, 9, 45), sender=bob)
    assign(b, bob)
    resolve(b, paris(2026, 11, 10, 10, 0))
    c = made["C"] = conversation(workspace, key="C", network="bluesky")
    inbound(c, paris(2026, 11, 7, 12, 0))
    reply(c, paris(2026, 11, 9, 9, 20))
    d = made["D"] = conversation(workspace, key="D", network="bluesky")
    inbound(d, paris(2026, 11, 15, 23, 30))
    assign(d, alice)
    e = made["E"] = conversation(workspace, key="E", network="mastodon")
    inbound(e, paris(2026, 11, 1, 23, 30))
    reply(e, paris(2026, 11, 2, 9, 10), sender=alice)
    f = made["F"] = conversation(workspace, key="F", network="mastodon")
    inbound(f, datetime(2026, 11, 15, 23, 30, tzinfo=UTC))
    return made


def test_it_interpolates_percentiles_like_a_spreadsheet() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([20, 30, 75], 0.5) == 30
    assert percentile([75, 20, 30], 0.9) == pytest.approx(66)  # 30 + 0.8 × 45
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_it_counts_the_totals_by_hand(personas: Personas, fixture: Any) -> None:
    report = build_report(personas.workspace_a, PERIOD, now=NOW)
    t = report.total
    assert report.business_hours
    assert (t.inbound, t.outbound) == (4, 4)  # A B C D in; A B C E answers out
    assert t.conversations == 4  # A B C D
    assert sorted(t.first_response) == [20 * MIN, 30 * MIN, 75 * MIN]
    assert t.first_p50 == 30 * MIN
    assert t.first_p90 == pytest.approx(66 * MIN)
    assert (t.first_met, t.first_missed) == (2, 2)  # A C met; B late, D unanswered past due
    assert t.first_within == 0.5
    assert t.resolved == 2  # A B
    assert t.resolution_p50 == 465 * MIN  # (300 + 630) / 2
    assert t.resolution_p90 == pytest.approx(597 * MIN)  # 300 + 0.9 × 330
    assert t.resolution_within == 0.5
    # The satisfaction app is installed: surveys can exist, none was answered.
    assert t.csat is None and t.csat_count == 0 and report.csat_available


def test_it_counts_satisfaction_answers_of_the_period(personas: Personas, fixture: Any) -> None:
    asked: list[Any] = []

    def reader(workspace: Any, since: datetime, until: datetime, conversations: Any) -> Any:
        asked.append((workspace, since, until))
        ids = set(conversations.values_list("pk", flat=True))
        answers = [
            (fixture["A"].pk, paris(2026, 11, 3, 9, 0), 5.0),  # Alice, Mastodon, week of 2 Nov
            (fixture["B"].pk, paris(2026, 11, 11, 9, 0), 2.0),  # Bob, Mastodon, week of 9 Nov
            (fixture["C"].pk, paris(2026, 11, 12, 9, 0), 4.0),  # nobody, Bluesky
        ]
        return [answer for answer in answers if answer[0] in ids]

    register_csat_reader(reader)
    try:
        report = build_report(personas.workspace_a, PERIOD, now=NOW)
        on_bluesky = build_report(personas.workspace_a, PERIOD, network="bluesky", now=NOW)
    finally:
        register_csat_reader(None)
    assert asked[0] == (personas.workspace_a, PERIOD.since, PERIOD.until)
    assert report.csat_available
    assert (report.total.csat, report.total.csat_count) == (pytest.approx(11 / 3), 3)
    people = {(u.email if u else None): f for u, f in report.people}
    assert people["alice@example.com"].csat == 5 and people["bob@example.com"].csat == 2
    assert people[None].csat == 4
    assert dict(report.networks)["mastodon"].csat == 3.5
    weeks = dict(report.weeks)
    assert weeks[date(2026, 11, 2)].csat_count == 1 and weeks[date(2026, 11, 9)].csat_count == 2
    assert (on_bluesky.total.csat, on_bluesky.total.csat_count) == (4, 1)


def test_it_splits_by_person_network_and_week(personas: Personas, fixture: Any) -> None:
    report = build_report(personas.workspace_a, PERIOD, now=NOW)
    people = {(u.email if u else None): f for u, f in report.people}
    alice, bob, nobody = people["alice@example.com"], people["bob@example.com"], people[None]
    # Alice: A and D are hers; she sent the answers of A and E.
    assert (alice.inbound, alice.outbound, alice.conversations) == (2, 2, 2)
    assert alice.first_response == [30 * MIN]
    assert (alice.first_met, alice.first_missed) == (1, 1)
    assert alice.resolution == [300 * MIN]
    assert (bob.inbound, bob.outbound, bob.conversations) == (1, 1, 1)
    assert bob.first_response == [75 * MIN] and bob.first_within == 0
    assert bob.resolution == [630 * MIN] and bob.resolution_within == 0
    # Nobody: C is unassigned, and its answer was native.
    assert (nobody.inbound, nobody.outbound, nobody.conversations) == (1, 1, 1)
    assert nobody.first_within == 1
    assert [u.email if u else None for u, _f in report.people][-1] is None  # nobody last

    networks = dict(report.networks)
    mastodon, bluesky = networks["mastodon"], networks["bluesky"]
    assert (mastodon.inbound, mastodon.outbound, mastodon.conversations) == (2, 3, 2)
    assert mastodon.first_p50 == 52.5 * MIN
    assert mastodon.first_p90 == pytest.approx(70.5 * MIN)
    assert mastodon.resolution_within == 0.5
    assert (bluesky.inbound, bluesky.outbound, bluesky.conversations) == (2, 1, 2)
    assert bluesky.first_within == 0.5
    assert bluesky.resolved == 0 and bluesky.resolution_p50 is None

    weeks = dict(report.weeks)
    assert list(weeks) == [date(2026, 11, 2), date(2026, 11, 9)]
    first, second = weeks[date(2026, 11, 2)], weeks[date(2026, 11, 9)]
    assert (first.inbound, first.outbound, first.conversations) == (3, 2, 3)  # A B C; A E
    assert (second.inbound, second.outbound, second.conversations) == (1, 2, 1)  # D; B C
    assert first.resolved == 1 and second.resolved == 1  # A on the 2nd, B on the 10th


def test_it_filters_by_network_and_team(personas: Personas, fixture: Any) -> None:
    from ambassade.inbox.models import Team

    report = build_report(personas.workspace_a, PERIOD, network="bluesky", now=NOW)
    assert (report.total.inbound, report.total.outbound, report.total.conversations) == (2, 1, 2)
    team = Team.objects.create(workspace=personas.workspace_a, name="Support")
    team.members.add(personas.bob)
    report = build_report(personas.workspace_a, PERIOD, team=team, now=NOW)
    assert (report.total.inbound, report.total.outbound, report.total.conversations) == (1, 1, 1)


def test_it_shows_an_empty_period_as_nothing_measured(personas: Personas, fixture: Any) -> None:
    quiet = Period(date(2026, 10, 5), date(2026, 10, 11), ZoneInfo("Europe/Paris"))
    report = build_report(personas.workspace_a, quiet, now=NOW)
    t = report.total
    assert (t.inbound, t.outbound, t.conversations, t.resolved) == (0, 0, 0, 0)
    assert (t.first_p50, t.first_p90, t.first_within, t.resolution_within) == (None,) * 4
    assert [week for week, _f in report.weeks] == [date(2026, 10, 5)]
    assert report.people == [] and report.networks == []


def test_it_counts_the_week_in_the_workspaces_time_zone(personas: Personas, fixture: Any) -> None:
    # In UTC, D's message (22:30 UTC on Sunday 15) is still in the period, but F's (23:30 UTC)
    # too; E's (22:30 UTC on Sunday 1) is not.
    utc = Period(date(2026, 11, 2), date(2026, 11, 15), ZoneInfo("UTC"))
    report = build_report(personas.workspace_a, utc, now=NOW)
    assert report.total.inbound == 5  # A B C D F
    assert report.total.conversations == 5


def test_it_shows_the_report_page_in_both_languages(
    personas: Personas, fixture: Any, client: Any
) -> None:
    client.force_login(personas.bob)
    url = reverse("inbox_targets:report", args=[personas.workspace_a.slug])
    page = client.get(url, {"start": "2026-11-02", "end": "2026-11-15"})
    assert page.status_code == 200
    html = parse(page.content.decode())
    stats = [s.text for s in html.find_all("div", class_="stat")]
    assert stats[0] == "4 messages in"
    assert "50%" in stats[3]
    assert stats[6].startswith("—")  # no satisfaction survey yet
    assert "30 min" in stats[2] and "1 h 06 min" in stats[2]
    with translation.override("fr"):
        client.cookies["django_language"] = "fr"
        page = client.get(
            url, {"start": "2026-11-02", "end": "2026-11-15"}, HTTP_ACCEPT_LANGUAGE="fr"
        )
    text = parse(page.content.decode()).text
    assert "Rapport d'équipe" in text
    assert "50 %" in text
    assert "2 novembre 2026" in text


def test_it_refuses_a_period_that_ends_before_it_starts(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = reverse("inbox_targets:report", args=[personas.workspace_a.slug])
    page = client.get(url, {"start": "2026-11-15", "end": "2026-11-02"})
    assert page.status_code == 400
    assert "The end comes before the start." in page.content.decode()
    page = client.get(url, {"start": "15/11/2026"})
    assert page.status_code == 400


def test_it_downloads_the_csv_through_the_shared_writer(
    personas: Personas, fixture: Any, client: Any
) -> None:
    client.force_login(personas.alice)
    url = reverse("inbox_targets:report_csv", args=[personas.workspace_a.slug])
    response = client.get(url, {"start": "2026-11-02", "end": "2026-11-15"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="team-report-2026-11-02-2026-11-15.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header, total = rows[0], rows[1]
    assert header[:5] == ["Group", "Name", "Messages in", "Messages out", "New conversations"]
    assert total == [
        "Total", "", "4", "4", "4", "30.0", "66.0", "50.0", "2", "465.0", "597.0", "50.0", "", "0",
    ]  # fmt: skip
    weeks = [row for row in rows if row[0] == "Week"]
    assert [row[1] for row in weeks] == ["2026-11-02", "2026-11-09"]
    _ = PARIS
