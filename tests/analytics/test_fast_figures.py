"""The fast forms of the inbox and community figures (docs/analytics.md, "Performance") against a
straightforward computation in Python on a small fixture: local days and response times worked
out by the database across summer-time changes and half-hour zones, the inbox page's groups, and
the community's active members, with filters and an empty period."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ambassade.analytics import area_inbox, kpis, localtime
from ambassade.analytics.kpis import Scope
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.inbox.models import Conversation, Label
from ambassade.inbox.targets.report import percentile
from ambassade.listening.models import Mention
from tests.analytics.fixtures import Data, at
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

ZONES = ("Europe/Paris", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe", "UTC")


@pytest.fixture
def data(personas: Personas) -> Data:
    return Data(personas.workspace_a, personas.connection)


def test_offsets_cut_a_period_where_the_zone_changes_its_offset() -> None:
    first, after = at(2026, 1, 1), at(2027, 1, 1)
    spans = localtime.offsets("Europe/Paris", first, after)
    assert spans == (
        (at(2026, 3, 29, 1), 3600),
        (at(2026, 10, 25, 1), 7200),
        (after, 3600),
    )
    assert localtime.offsets("UTC", first, after) == ((after, 0),)
    # Lord Howe moves by half an hour.
    halves = localtime.offsets("Australia/Lord_Howe", first, after)
    assert [offset for _until, offset in halves] == [39600, 37800, 39600]
    zone = ZoneInfo("America/St_Johns")
    for until, offset in localtime.offsets("America/St_Johns", first, after)[:-1]:
        assert until.astimezone(zone).utcoffset() != timedelta(seconds=offset)
        before = (until - timedelta(seconds=1)).astimezone(zone).utcoffset()
        assert before == timedelta(seconds=offset)


def _moments() -> list[tuple[datetime, datetime | None]]:
    """Arrivals around every change of 2026 in the zones tested, and answers after them (to the
    microsecond, whole seconds, or none)."""
    chosen = random.Random(15)
    moments = []
    for centre in (at(2026, 3, 29, 1), at(2026, 10, 25, 1), at(2026, 4, 4, 15, 30)):
        for minutes in (-61, -31, -30, -1, 0, 1, 29, 30, 59, 60, 61, 600):
            arrived = centre + timedelta(minutes=minutes, microseconds=chosen.randrange(10**6))
            answer = chosen.choice(
                [None, timedelta(seconds=chosen.randrange(1, 10**5)), timedelta(microseconds=7)]
            )
            moments.append((arrived, None if answer is None else arrived + answer))
    moments.append((at(2026, 6, 1, 12), at(2026, 6, 1, 12, 30)))  # no fraction at all
    moments.append((at(2026, 6, 1, 12, 0, 0) + timedelta(microseconds=999_999), at(2026, 6, 1, 13)))
    return moments


@pytest.mark.parametrize("zone", ZONES)
def test_local_day_hour_and_response_time_are_python_s(zone: str, data: Data) -> None:
    moments = _moments()
    for arrived, answered in moments:
        data.conversation(arrived, answered)
    first, after = at(2026, 1, 1), at(2027, 1, 1)
    rows = Conversation.objects.filter(workspace=data.workspace).values_list(
        "first_inbound_at",
        "first_response_at",
        localtime.LocalDay("first_inbound_at", zone, first, after),
        localtime.LocalWeekHour("first_inbound_at", zone, first, after),
        localtime.Micros("first_response_at", "first_inbound_at"),
    )
    tz = ZoneInfo(zone)
    seen = 0
    for arrived, answered, day, hour, micros in rows:
        local = arrived.astimezone(tz)
        assert localtime.day_of(day) == local.date(), (arrived, zone)
        assert hour == local.weekday() * 24 + local.hour, (arrived, zone)
        if answered is None:
            assert micros is None
        else:
            assert localtime.minutes(micros) == kpis.response_minutes(arrived, answered)
        seen += 1
    assert seen == len(moments)


def _expected(workspace: Any, period: Period, scope: Scope) -> dict[str, Any]:
    """The inbox page's groups counted row by row in Python, as the page did before."""
    now = timezone.now()
    zone = ZoneInfo(workspace.time_zone)
    first, after = period.bounds()
    groups: dict[tuple[str, Any], dict[str, Any]] = defaultdict(
        lambda: {"received": 0, "answered": 0, "minutes": [], "met": 0, "missed": 0, "scores": []}
    )
    kept = []
    for conversation in Conversation.objects.filter(workspace=workspace).prefetch_related("labels"):
        arrived = conversation.first_inbound_at
        if arrived is None or not first <= arrived < after:
            continue
        labels = [label.pk for label in conversation.labels.all()]
        if scope.network and conversation.network != scope.network:
            continue
        if scope.label and scope.label not in labels:
            continue
        kept.append(conversation.pk)
        keys = [
            ("total", None),
            ("day", arrived.astimezone(zone).date()),
            ("network", conversation.network),
            ("assignee", conversation.assignee_id),
            *(("label", label) for label in labels or [None]),
        ]
        answered, due = conversation.first_response_at, conversation.first_response_due_at
        for key in keys:
            group = groups[key]
            group["received"] += 1
            if answered is not None:
                group["answered"] += 1
                group["minutes"].append(kpis.response_minutes(arrived, answered))
            if due is not None:
                if answered is not None:
                    group["met" if answered <= due else "missed"] += 1
                elif due < now:
                    group["missed"] += 1
    return {"groups": groups, "kept": kept}


def _compare(group: Any, expected: dict[str, Any]) -> None:
    assert group.received == expected["received"]
    assert group.answered == expected["answered"]
    assert (group.met, group.missed) == (expected["met"], expected["missed"])
    assert group.median == measures.median(expected["minutes"])
    assert group.p90 == percentile(expected["minutes"], 0.9)


def test_the_inbox_page_groups_as_a_row_by_row_count(data: Data, personas: Personas) -> None:
    ws = data.workspace  # Europe/Paris
    urgent = Label.objects.create(workspace=ws, name="urgent")
    billing = Label.objects.create(workspace=ws, name="billing")
    chosen = random.Random(7)
    now = timezone.now()
    start = at(2026, 10, 20)
    for n in range(60):
        arrived = start + timedelta(minutes=chosen.randrange(14 * 24 * 60), microseconds=n)
        answered = None if n % 4 == 0 else arrived + timedelta(seconds=chosen.randrange(9000))
        conversation = data.conversation(arrived, answered)
        Conversation.objects.filter(pk=conversation.pk).update(
            network=("mastodon", "bluesky")[n % 2],
            assignee=(None, personas.alice, personas.bob)[n % 3],
            first_response_due_at=None if n % 5 == 0 else arrived + timedelta(minutes=60),
        )
        if n % 3 == 0:
            conversation.labels.add(urgent)
        if n % 7 == 0:
            conversation.labels.add(billing)
    # One whose due time is still ahead: no decision yet.
    late = data.conversation(now - timedelta(minutes=5), None)
    Conversation.objects.filter(pk=late.pk).update(first_response_due_at=now + timedelta(hours=1))
    # Around the change of 25 October (Paris), with a day cut at local midnight.
    around = Period(date(2026, 10, 21), date(2026, 11, 2), "Europe/Paris")
    empty = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")
    today = timezone.localdate(now, ZoneInfo("Europe/Paris"))
    recent = Period(today - timedelta(days=2), today, "Europe/Paris")
    for period in (around, empty, recent):
        for scope in (Scope(), Scope(network="bluesky"), Scope(label=urgent.pk)):
            cohort = area_inbox._cohort(ws, period, scope)
            expected = _expected(ws, period, scope)
            groups = expected["groups"]
            if not expected["kept"]:
                assert cohort.total.received == 0 and not cohort.days, (period, scope)
                continue
            _compare(cohort.total, groups[("total", None)])
            for kind, found in (
                ("day", cohort.days),
                ("network", cohort.networks),
                ("assignee", cohort.assignees),
                ("label", cohort.labels),
            ):
                keys = {key for group_kind, key in groups if group_kind == kind}
                assert set(found) == keys, (kind, period, scope)
                for key in keys:
                    _compare(found[key], groups[(kind, key)])
            assert kpis.first_response_time(ws, period, scope) == cohort.total.median


def test_active_members_are_those_whose_identity_wrote_in_the_period(data: Data) -> None:
    ws = data.workspace
    data.member("ana", network="rss")
    data.member("bob", network="mastodon")
    two = data.member("cleo", network="rss")
    data.member("dan", network="rss").identities.update(handle="")
    staff = data.member("boss", network="rss")
    staff.staff = True
    staff.save()
    from ambassade.community.models import Identity

    Identity.objects.create(workspace=ws, member=two, network="mastodon", handle="cleo_m")
    data.mention(at(2026, 12, 3), "neutral", [], handle="ana", network="rss")
    data.mention(at(2026, 12, 4), "neutral", [], handle="ana", network="rss")
    data.mention(at(2026, 12, 4), "neutral", [], handle="bob", network="rss")  # not bob's network
    data.mention(at(2026, 12, 5), "neutral", [], handle="cleo_m", network="mastodon")
    data.mention(at(2026, 12, 5), "neutral", [], handle="cleo", network="rss")
    data.mention(at(2026, 12, 6), "neutral", [], handle="", network="rss")  # no author
    data.mention(at(2026, 12, 6), "neutral", [], handle="boss", network="rss")
    data.mention(at(2026, 11, 30, 22, 59), "neutral", [], handle="bob", network="mastodon")
    december = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris")
    november = Period(date(2026, 11, 1), date(2026, 11, 30), "Europe/Paris")
    empty = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")

    def straightforward(period: Period, network: str) -> float:
        first, after = period.bounds()
        authors = {
            (mention.network, mention.author_handle)
            for mention in Mention.objects.filter(workspace=ws)
            if first <= mention.created_at < after and mention.author_handle
        }
        return float(
            len(
                {
                    identity.member_id
                    for identity in Identity.objects.filter(workspace=ws).select_related("member")
                    if (identity.network, identity.handle) in authors
                    and not identity.member.staff
                    and (not network or identity.network == network)
                }
            )
        )

    for period in (december, november, empty):
        for network in ("", "rss", "mastodon"):
            found = kpis.active_members(ws, period, Scope(network=network))
            assert found == straightforward(period, network), (period, network)
    # ana, and cleo (on two networks: counted once); not bob (his handle on another network),
    # nor dan (no handle), nor the staff.
    assert kpis.active_members(ws, december) == 2.0
    assert kpis.active_members(ws, december, Scope(network="rss")) == 2.0


def test_rows_written_once_per_value_are_escaped_and_in_the_reader_s_locale() -> None:
    from django.utils import translation

    from ambassade.analytics.areas import COUNT, DAY, TEXT, rows_html
    from ambassade.analytics.templatetags.analytics import kpi_value

    columns = [("Day", DAY), ("Network", TEXT), ("Visits", COUNT)]
    rows = [(date(2026, 12, 1), "<b>x</b>", 1234), (date(2026, 12, 1), "<b>x</b>", 1234)]
    with translation.override("fr"):
        html = str(rows_html(rows, columns, labels=False))
        count = kpi_value(1234, COUNT)
    assert count != "1234"  # grouped in French
    row = (
        '<tr><th scope="row">01/12/2026</th><td>&lt;b&gt;x&lt;/b&gt;</td>'
        f'<td class="num">{count}</td></tr>'
    )
    assert html == row * 2, html
    with translation.override("en"):
        html = str(rows_html(rows[:1], columns))
    assert '<td class="num"><span class="cell-label">Visits</span>1,234</td>' in html, html
    # Whole numbers are written without the template filter: the same text as the filter's.
    numbers = [0, 7, -7, 999, 1000, -1234, 99_999, 1_000_000, -12_345_678]
    for language in ("fr", "en"):
        with translation.override(language):
            html = str(rows_html([(n, "", n) for n in numbers], columns))
            for n in numbers:
                assert f"</span>{kpi_value(n, COUNT)}</td>" in html, (language, n, html)


def test_the_publishing_page_reads_the_rates_of_the_catalogue_in_one_grouped_read(
    personas: Personas,
) -> None:
    from ambassade.analytics import area_publishing, audience
    from ambassade.analytics.areas import comparison_period
    from ambassade.publishing.models import Post, Variant
    from ambassade.workspaces.networks import network_label
    from tests.analytics.test_audience import Audience

    data = Audience(personas)
    ws = data.workspace
    # Around the change of 25 October in Paris, the edges included; one post with no counts.
    data.post(data.masto, at(2026, 10, 31, 22, 59), 5, followers=100)  # 31 Oct. in Paris
    data.post(data.masto, at(2026, 10, 31, 23, 0), 7, followers=200)  # 1 November
    data.post(data.masto, at(2026, 11, 10), 1, followers=0)
    data.post(data.tube, at(2026, 11, 11), 30, impressions=600, followers=1000)
    data.post(data.tube, at(2026, 11, 12), 10, impressions=None, followers=None)
    data.post(data.rival, at(2026, 11, 12), 99, impressions=99, followers=99)  # not own
    data.post(data.tube, at(2026, 10, 20), 4, impressions=40, followers=500)  # October
    # A campaign: the results whose network id is that of a post of the campaign.
    spring = Post.objects.create(workspace=ws, text="spring", utm_campaign="spring")
    Variant.objects.create(
        workspace=ws, post=spring, connection=personas.connection, status="published",
        published_at=at(2026, 11, 10), remote_id="p2",
    )  # fmt: skip
    november = Period(date(2026, 11, 1), date(2026, 11, 30), "Europe/Paris")
    empty = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")
    for period in (november, empty):
        for scope in (Scope(), Scope(network="youtube"), Scope(campaign="spring")):
            before = comparison_period(period, "previous")
            built = area_publishing.build(ws, period, before, scope)
            only = area_publishing._only(ws, scope)
            figures = {figure.code: figure for figure in built.figures}
            for code, reader in (
                ("engagement_rate", audience.engagement_rate),
                ("engagement_rate_per_follower", audience.engagement_rate_per_follower),
            ):
                assert figures[code].now == reader(ws, period, scope.network, only), (code, scope)
                assert figures[code].before == reader(ws, before, scope.network, only)
            posts = list(audience._own_posts(ws, period, scope.network, only))
            assert figures["engagements"].now == float(sum(p.engagements for p in posts))
            rows = {row[0]: row for row in built.section("networks").table.rows}
            for network in {p.account.network for p in posts}:
                mine = [p for p in posts if p.account.network == network]
                row = rows[network_label(network)]
                assert row[3:5] == [len(mine), sum(p.engagements for p in mine)]
                assert row[5] == audience.engagement_rate(ws, period, network, only)
                assert row[6] == audience.engagement_rate_per_follower(ws, period, network, only)
    shown = area_publishing.build(ws, november, None, Scope())
    figures = {figure.code: figure for figure in shown.figures}
    assert figures["engagements"].now == 48.0  # 7 + 1 + 30 + 10
    assert figures["engagement_rate"].now == 5.0  # 30 ÷ 600
    assert figures["engagement_rate_per_follower"].now == pytest.approx(100 * 37 / 1200)
    spring_only = area_publishing.build(ws, november, None, Scope(campaign="spring"))
    assert {f.code: f.now for f in spring_only.figures}["engagements"] == 7.0


def test_the_audience_page_s_totals_are_the_catalogue_s_readers(personas: Personas) -> None:
    from ambassade.analytics import audience
    from ambassade.analytics.models import TrackedAccount
    from tests.analytics.test_audience import Audience

    data = Audience(personas)
    ws = data.workspace
    for day, followers in ((1, 100), (15, 130), (30, 90)):
        data.snapshot(data.masto, at(2026, 10, day, 12), followers)
        data.snapshot(data.tube, at(2026, 11, day, 12), followers * 10)
        data.snapshot(data.rival, at(2026, 11, day, 12), followers * 3)
    data.post(data.masto, at(2026, 10, 31, 22, 59), 5, followers=100)  # 31 October in Paris
    data.post(data.masto, at(2026, 10, 31, 23, 0), 7, followers=200)  # 1 November
    data.post(data.tube, at(2026, 11, 11), 30, impressions=600, followers=1000)
    data.post(data.tube, at(2026, 10, 20), 4, impressions=40, followers=500)
    data.post(data.rival, at(2026, 11, 12), 99, impressions=99, followers=99)  # not own
    november = Period(date(2026, 11, 1), date(2026, 11, 30), "Europe/Paris")
    empty = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")
    for period in (november, empty):
        previous = audience.previous_period(period)
        for network in ("", "youtube", "bluesky"):
            lines = audience.compare(ws, TrackedAccount.Role.OWN, period, network)
            found = audience.totals(lines, previous)
            expected = audience.Totals(
                growth=audience.follower_growth(ws, period, network),
                growth_before=audience.follower_growth(ws, previous, network),
                rate=audience.engagement_rate(ws, period, network),
                rate_before=audience.engagement_rate(ws, previous, network),
                rate_per_follower=audience.engagement_rate_per_follower(ws, period, network),
                rate_per_follower_before=audience.engagement_rate_per_follower(
                    ws, previous, network
                ),
                posts=audience.posts_in(ws, period, network),
                posts_before=audience.posts_in(ws, previous, network),
            )
            assert found == expected, (period, network)
    found = audience.totals(
        audience.compare(ws, "own", november), audience.previous_period(november)
    )
    assert (found.posts, found.posts_before, found.rate) == (2, 2, 5.0)
    # Both roles at once: the same lines as asked role by role.
    both = audience.compare(ws, None, november)
    by_role = [
        *audience.compare(ws, TrackedAccount.Role.OWN, november),
        *audience.compare(ws, TrackedAccount.Role.COMPETITOR, november),
    ]
    assert sorted((line.account.pk, line.growth, line.posts, line.rate) for line in both) == sorted(
        (line.account.pk, line.growth, line.posts, line.rate) for line in by_role
    )


def test_the_community_page_s_counts_as_counted_one_member_at_a_time(data: Data) -> None:
    from ambassade.analytics import area_community
    from ambassade.analytics.areas import comparison_period
    from ambassade.community.models import Member

    ws = data.workspace  # Europe/Paris
    chosen = random.Random(3)
    for n in range(40):
        member = data.member(f"m{n}", network=("rss", "mastodon")[n % 2])
        seen = at(2026, 10, 1) + timedelta(hours=chosen.randrange(24 * 60))
        Member.objects.filter(pk=member.pk).update(
            first_seen_at=None if n % 9 == 0 else seen,
            created_at=at(2026, 10, 20) + timedelta(hours=n),
            staff=n % 13 == 0,
            ambassador=n % 4 == 0,
            dormant=n % 5 == 0,
        )
    # Around the change of 25 October (Paris).
    period = Period(date(2026, 10, 21), date(2026, 11, 3), "Europe/Paris")
    empty = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")
    zone = ZoneInfo("Europe/Paris")
    for chosen_period in (period, empty):
        for scope in (Scope(), Scope(network="mastodon")):
            before = comparison_period(chosen_period, "previous")
            kept = [
                member
                for member in Member.objects.filter(workspace=ws, staff=False)
                if not scope.network or member.identities.filter(network=scope.network).exists()
            ]
            joined = {member.pk: member.first_seen_at or member.created_at for member in kept}

            def at_end(p: Period, joined: dict[int, Any] = joined) -> float:
                return float(sum(1 for when in joined.values() if when < p.bounds()[1]))

            def new(p: Period, joined: dict[int, Any] = joined) -> float:
                first, after = p.bounds()
                return float(sum(1 for when in joined.values() if first <= when < after))

            built = area_community.build(ws, chosen_period, before, scope)
            figures = {figure.code: figure for figure in built.figures}
            assert (figures["members"].now, figures["members"].before) == (
                at_end(chosen_period),
                at_end(before),
            )
            assert (figures["new_members"].now, figures["new_members"].before) == (
                new(chosen_period),
                new(before),
            )
            assert figures["ambassador"].now == float(sum(1 for m in kept if m.ambassador))
            first, _after = chosen_period.bounds()
            running = sum(1 for when in joined.values() if when < first)
            rows = {row[0]: row for row in built.section("growth").table.rows}
            for day in chosen_period.each_day():
                that_day = sum(1 for when in joined.values() if when.astimezone(zone).date() == day)
                running += that_day
                assert rows[day][1:] == [that_day, running], (day, scope)
