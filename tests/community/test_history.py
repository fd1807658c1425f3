"""The history of the stored scores: a compact record per member when their scores change, the
day's class counts; on the member page (chart, table, CSV) and on the community area page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.urls import reverse

from ambassade.community import history, scores
from ambassade.community.models import Activity, ClassCount, Identity, Member, ScoreHistory

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def member(workspace: Any, handle: str) -> Member:
    found = Member.objects.create(workspace=workspace, display_name=handle)
    Identity.objects.create(workspace=workspace, member=found, network="mastodon", handle=handle)
    return found


def active(found: Member, days: int, at: dt.datetime, start: int = 0) -> None:
    identity = found.identities.get()
    for number in range(days):
        Activity.objects.create(
            workspace_id=found.workspace_id,
            identity=identity,
            kind="mention",
            occurred_at=at - dt.timedelta(hours=number),
            source="test.mention",
            source_id=start + number,
            weight=1,
        )


def test_a_record_per_change_one_a_day_and_the_day_s_class_counts(personas: Any) -> None:
    ws = personas.workspace_a  # Europe/Paris
    fan, quiet = member(ws, "fan"), member(ws, "quiet")
    boss = member(ws, "boss")
    Member.objects.filter(pk=boss.pk).update(staff=True, last_seen_at=NOW)
    Member.objects.filter(pk=fan.pk).update(last_seen_at=NOW)
    active(fan, 31, NOW)
    active(boss, 40, NOW, start=100)
    assert scores.store_scores(ws, now=NOW) == 3
    assert ScoreHistory.objects.count() == 3
    [point] = history.member_history(fan)
    assert (point.day, point.love, point.level, point.classes) == (
        dt.date(2026, 12, 7),
        31.0,
        1,
        ("rising",),
    )
    # Nothing changed: nothing written, whatever the day.
    scores.store_scores(ws, now=NOW + dt.timedelta(days=1))
    assert len(history.member_history(quiet)) == 1
    assert all(len(bytes(row.points)) == history.RECORD.size for row in ScoreHistory.objects.all())
    # Fan is active again: a record of that day; again the same day: that day's record replaced.
    active(fan, 5, NOW + dt.timedelta(days=2), start=1000)
    scores.store_scores(ws, [fan.pk], now=NOW + dt.timedelta(days=2))
    active(fan, 2, NOW + dt.timedelta(days=2, hours=1), start=2000)
    scores.store_scores(ws, [fan.pk], now=NOW + dt.timedelta(days=2, hours=1))
    points = history.member_history(fan)
    assert [(p.day, p.love) for p in points] == [
        (dt.date(2026, 12, 7), 31.0),
        (dt.date(2026, 12, 9), 38.0),
    ]
    # The day is the workspace's: 23:30 UTC on 31 December is 1 January in Paris, a new year.
    active(fan, 1, dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), start=3000)
    scores.store_scores(ws, [fan.pk], now=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    assert list(ScoreHistory.objects.filter(member=fan).values_list("year", flat=True)) == [
        2026,
        2027,
    ]
    assert history.member_history(fan)[-1].day == dt.date(2027, 1, 1)
    assert history.member_history(fan, since=dt.date(2026, 12, 8))[0].day == dt.date(2026, 12, 7)
    # One count a day, staff left out; the day's last storing wins.
    counts = list(ClassCount.objects.filter(workspace=ws).values_list("day", "members", "active"))
    assert counts == [
        (dt.date(2026, 12, 7), 2, 1),
        (dt.date(2026, 12, 8), 2, 1),
        (dt.date(2026, 12, 9), 2, 1),
        (dt.date(2027, 1, 1), 2, 1),
    ]
    # Forward-filled day by day for a chart.
    days = history.each_day(points, dt.date(2026, 12, 6), dt.date(2026, 12, 10))
    assert [(day, point.love) for day, point in days] == [
        (dt.date(2026, 12, 7), 31.0),
        (dt.date(2026, 12, 8), 31.0),
        (dt.date(2026, 12, 9), 38.0),
        (dt.date(2026, 12, 10), 38.0),
    ]


def test_records_keep_every_score_and_class() -> None:
    found = Member(love=12345.67, sentiment=-0.456, influence=87.4, level=2)
    found.detractor = found.dormant = True
    blob = struct_record(found)
    [point] = history._unpack(2026, blob)
    assert (point.day, point.love, point.sentiment, point.influence, point.level) == (
        dt.date(2026, 2, 1),
        12345.7,
        -0.46,
        87.0,
        2,
    )
    assert point.classes == ("detractor", "dormant")


def struct_record(found: Member) -> bytes:
    import struct

    return struct.pack("<H", 32) + history._payload(found)


def test_the_member_page_and_its_csv(client: Any, personas: Any) -> None:
    ws = personas.workspace_a
    fan = member(ws, "fan")
    page = reverse("community:member", args=[ws.slug, fan.pk])
    personas.client_for(client, personas.alice)
    assert "Their scores were not stored yet" in client.get(page).content.decode()
    active(fan, 31, dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    scores.store_scores(ws, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    html = client.get(page).content.decode()
    assert 'id="h-score-history"' in html and "data-chart=" in html
    csv_url = reverse("community:member_scores_csv", args=[ws.slug, fan.pk])
    assert csv_url in html
    response = client.get(csv_url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["From", "Engagement", "Level", "Sentiment", "Influence", "Classes"]
    assert rows[1][1:3] == ["31.0", "1"]


def test_the_community_area_draws_the_classes_over_time(personas: Any) -> None:
    from ambassade.analytics import area_community
    from ambassade.analytics.areas import comparison_period
    from ambassade.analytics.kpis import Scope
    from ambassade.engine.measures import Period

    ws = personas.workspace_a
    for day, ambassadors in ((dt.date(2026, 11, 30), 2), (dt.date(2026, 12, 3), 5)):
        ClassCount.objects.create(
            workspace=ws, day=day, members=9, ambassadors=ambassadors, detractors=1, active=4
        )
    december = Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31), ws.time_zone)
    built = area_community.build(ws, december, comparison_period(december, "previous"), Scope())
    figures = {figure.code: figure for figure in built.figures}
    assert (figures["ambassador"].now, figures["ambassador"].before) == (5.0, 2.0)
    section = built.section("classes_history")
    assert section is not None and section.spec
    assert section.table.rows == [[dt.date(2026, 12, 3), 5, 1, 0, 0, 4, 9]]
    # With a network chosen: today's counts of its members, no history per network.
    built = area_community.build(ws, december, None, Scope(network="x"))
    figures = {figure.code: figure for figure in built.figures}
    assert figures["ambassador"].compared is False
