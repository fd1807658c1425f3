"""The audience's numbers against data counted by hand: December 2026 in Europe/Paris runs from
30 November 23:00 UTC to 31 December 23:00 UTC; empty periods have no rate and no growth."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ambassade.analytics import audience, kpis
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.models import AccountSnapshot, PostResult, TrackedAccount
from ambassade.engine.measures import Period
from ambassade.workspaces import services
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris")
EMPTY = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


class Audience:
    def __init__(self, personas: Personas) -> None:
        self.workspace = personas.workspace_a
        self.workspace.time_zone = "Europe/Paris"
        self.workspace.save(update_fields=["time_zone"])
        youtube = services.connect_account(
            self.workspace,
            network="youtube",
            account_name="Brand A TV",
            secret={"access_token": "ya29"},
            actor=personas.alice,
        )
        self.masto = TrackedAccount.objects.create(
            workspace=self.workspace, role="own", network="mastodon", connection=personas.connection
        )
        self.tube = TrackedAccount.objects.create(
            workspace=self.workspace, role="own", network="youtube", connection=youtube
        )
        self.rival = TrackedAccount.objects.create(
            workspace=self.workspace,
            role="competitor",
            network="mastodon",
            handle="rival@m.social",
            label="Rival",
        )
        self._n = 0

    def snapshot(self, account: TrackedAccount, taken_at: datetime, followers: int) -> None:
        AccountSnapshot.objects.create(
            account=account, day=taken_at.date(), taken_at=taken_at, followers=followers
        )

    def post(
        self,
        account: TrackedAccount,
        published_at: datetime,
        engagements: int,
        impressions: int | None = None,
        followers: int | None = None,
    ) -> None:
        self._n += 1
        PostResult.objects.create(
            workspace=self.workspace,
            account=account,
            external_id=f"p{self._n}",
            published_at=published_at,
            engagements=engagements,
            impressions=impressions,
            followers=followers,
            read_at=published_at,
        )


@pytest.fixture
def data(personas: Personas) -> Audience:
    return Audience(personas)


def value(data: Audience, code: str, period: Period = DECEMBER) -> Any:
    return kpis.READERS[code](data.workspace, period)


def test_the_new_indicators_are_in_the_catalogue_with_their_definitions() -> None:
    for code in ("follower_growth", "engagement_rate", "engagement_rate_per_follower"):
        assert code in kpis.READERS and str(CATALOGUE[code].definition)
    assert "Buffer" in str(CATALOGUE["engagement_rate"].definition)


def test_follower_growth_from_the_last_count_before_the_period(data: Audience) -> None:
    data.snapshot(data.masto, at(2026, 11, 29, 22, 30), 1000)  # 23:30 in Paris, 29 Nov: before
    data.snapshot(data.masto, at(2026, 11, 30, 23, 30), 1005)  # 00:30 in Paris, 1 Dec: in
    data.snapshot(data.masto, at(2026, 12, 15, 12), 1100)
    data.snapshot(data.masto, at(2026, 12, 31, 23, 30), 1500)  # 1 Jan in Paris: after
    data.snapshot(data.tube, at(2026, 12, 10), 200)  # first read during the period
    data.snapshot(data.tube, at(2026, 12, 20), 230)
    data.snapshot(data.rival, at(2026, 12, 20), 99999)  # a competitor's: not the brand's
    # (1100 − 1000) + (230 − 200)
    assert value(data, "follower_growth") == 130.0
    assert audience.follower_growth(data.workspace, DECEMBER, network="youtube") == 30.0
    assert value(data, "follower_growth", EMPTY) is None
    # January: Mastodon read once, at 1,500, after 1,100 in December.
    january = Period(date(2027, 1, 1), date(2027, 1, 31), "Europe/Paris")
    assert value(data, "follower_growth", january) == 400.0


def test_engagement_rates_over_the_own_posts_of_the_period(data: Audience) -> None:
    data.post(data.masto, at(2026, 11, 30, 23, 30), 10, followers=1000)  # 1 Dec in Paris: in
    data.post(data.masto, at(2026, 12, 31, 23, 0), 99, followers=1000)  # 1 Jan in Paris: out
    data.post(data.tube, at(2026, 12, 5), 30, impressions=1000, followers=200)
    data.post(data.tube, at(2026, 12, 6), 20, impressions=1500, followers=200)
    data.post(data.rival, at(2026, 12, 6), 500, impressions=600, followers=10)  # a competitor's
    # Buffer: (30 + 20) ÷ (1,000 + 1,500): Mastodon counts no impressions.
    assert value(data, "engagement_rate") == pytest.approx(2.0)
    # Per follower: (10 + 30 + 20) ÷ (1,000 + 200 + 200).
    assert value(data, "engagement_rate_per_follower") == pytest.approx(100 * 60 / 1400)
    assert audience.engagement_rate_per_follower(
        data.workspace, DECEMBER, "youtube"
    ) == pytest.approx(12.5)
    assert audience.engagement_rate(data.workspace, DECEMBER, "mastodon") is None
    assert value(data, "engagement_rate", EMPTY) is None
    assert value(data, "engagement_rate_per_follower", EMPTY) is None


def test_best_time_to_post_in_the_workspace_s_hours(data: Audience) -> None:
    for day in range(6):  # Mondays and others at 08:00 UTC = 09:00 in Paris
        data.post(data.masto, at(2026, 12, 7, 8, day), 10)
    for minute in range(3):  # Tuesday 17:00 UTC = 18:00 in Paris
        data.post(data.masto, at(2026, 12, 8, 17, minute), 20)
    slots, measured = audience.best_times(data.workspace, DECEMBER)
    assert (slots, measured) == ([], 9)  # too few posts to say
    data.post(data.masto, at(2026, 12, 8, 17, 30), 40)
    slots, measured = audience.best_times(data.workspace, DECEMBER)
    assert measured == 10
    assert [(s.weekday, s.hour, s.mean, s.posts) for s in slots] == [
        (1, 18, 25.0, 4),
        (0, 9, 10.0, 6),
    ]


def test_accounts_side_by_side_with_the_previous_period(data: Audience) -> None:
    assert audience.previous_period(DECEMBER) == Period(
        date(2026, 10, 31), date(2026, 11, 30), "Europe/Paris"
    )
    data.snapshot(data.rival, at(2026, 11, 1, 12), 500)
    data.snapshot(data.rival, at(2026, 11, 29, 12), 520)
    data.snapshot(data.rival, at(2026, 12, 30, 12), 600)
    TrackedAccount.objects.filter(id=data.rival.id).update(followers=600)
    for day in (1, 8, 15):
        data.post(data.rival, at(2026, 12, day, 12), 12, followers=600)
    [line] = audience.compare(data.workspace, "competitor", DECEMBER)
    assert (line.followers, line.growth, line.growth_before) == (600, 80, 20)
    assert line.posts == 3 and line.posts_per_week == pytest.approx(3 / (31 / 7))
    assert (line.engagements, line.per_post) == (36, 12.0)
    assert line.rate is None and line.rate_per_follower == pytest.approx(2.0)
    series = audience.follower_series(
        data.workspace, "competitor", date(2026, 11, 1), date(2026, 11, 30)
    )
    assert series == [(date(2026, 11, 1), "Rival", 500), (date(2026, 11, 29), "Rival", 520)]
