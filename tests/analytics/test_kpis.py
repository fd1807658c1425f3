"""Each KPI of the catalogue against data small enough to count by hand, over December 2026 in
Europe/Paris (30 November 23:00 UTC to 31 December 23:00 UTC), with the edges of the period and
empty periods."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ambassade.analytics import kpis
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.engine.measures import Period
from tests.analytics.fixtures import Data, at
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris")
EMPTY = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")


@pytest.fixture
def data(personas: Personas) -> Data:
    return Data(personas.workspace_a, personas.connection)


def value(data: Data, code: str, period: Period = DECEMBER) -> Any:
    return kpis.READERS[code](data.workspace, period)


def test_every_metric_of_the_catalogue_has_a_reader() -> None:
    assert set(kpis.READERS) == set(CATALOGUE)


def test_it_counts_brand_mentions_once_in_the_workspace_s_days(data: Data) -> None:
    # 30 Nov 23:30 UTC is 1 Dec 00:30 in Paris: in. 31 Dec 23:00 UTC is 1 Jan in Paris: out.
    data.mention(at(2026, 11, 30, 23, 30), "positive", [data.brand, data.brand2], followers=100)
    data.mention(at(2026, 12, 15, 12), "negative", [data.brand], followers=50)
    data.mention(at(2026, 12, 20, 12), "positive", [data.brand])  # followers unknown
    data.mention(at(2026, 12, 31, 23, 0), "positive", [data.brand], followers=1000)
    data.mention(at(2026, 11, 30, 22, 59), "positive", [data.brand], followers=1000)
    data.mention(at(2026, 12, 10), "negative", [data.rival], followers=7)  # a competitor's
    assert value(data, "mention_volume") == 3.0
    assert value(data, "potential_reach") == 150.0
    # 2 positive, 1 negative: (2 − 1) / 3 × 100.
    assert value(data, "net_sentiment") == pytest.approx(33.333, abs=0.001)


def test_an_empty_period_counts_zero_and_has_no_ratio(data: Data) -> None:
    assert value(data, "mention_volume", EMPTY) == 0.0
    assert value(data, "potential_reach", EMPTY) == 0.0
    for code in ("net_sentiment", "share_of_voice", "response_rate", "csat"):
        assert value(data, code, EMPTY) is None, code
    assert value(data, "first_response_time", EMPTY) is None
    assert value(data, "posts_published", EMPTY) == 0.0
    assert value(data, "link_clicks", EMPTY) == 0.0
    assert value(data, "active_members", EMPTY) == 0.0


def test_it_computes_share_of_voice_from_the_local_days_of_the_rollups(data: Data) -> None:
    data.rollup(data.brand, date(2026, 12, 1), 30)
    data.rollup(data.brand2, date(2026, 12, 31), 10, "positive")
    data.rollup(data.rival, date(2026, 12, 5), 60)
    data.rollup(data.brand, date(2026, 11, 30), 500)  # before the period
    data.rollup(data.rival, date(2027, 1, 1), 500)  # after it
    # 40 of the brand's against 60 of the rival's.
    assert value(data, "share_of_voice") == 40.0


def test_it_computes_response_rate_and_median_first_response(data: Data) -> None:
    data.conversation(at(2026, 12, 1, 9), at(2026, 12, 1, 9, 10))  # 10 min
    data.conversation(at(2026, 12, 2, 9), at(2026, 12, 2, 10))  # 60 min
    data.conversation(at(2026, 12, 3, 9), at(2026, 12, 3, 9, 30))  # 30 min
    data.conversation(at(2026, 12, 4, 9), at(2026, 12, 6, 9))  # 2,880 min
    data.conversation(at(2026, 12, 5, 9), None)  # not answered
    data.conversation(at(2026, 11, 30, 22, 0), at(2026, 11, 30, 22, 1))  # 23:00 Paris: November
    assert value(data, "response_rate") == 80.0  # 4 of 5
    assert value(data, "first_response_time") == 45.0  # median of 10, 30, 60, 2880


def test_it_computes_csat_from_the_answers_of_the_period(data: Data) -> None:
    for score in (5, 4, 3, 1):
        data.survey(score, at(2026, 12, 10))
    data.survey(5, at(2026, 11, 30, 22, 30))  # 23:30 in Paris: still November
    data.survey(None, None)  # asked, never answered
    assert value(data, "csat") == 50.0


def test_it_counts_published_posts_and_their_clicks(data: Data) -> None:
    data.post(at(2026, 12, 3), [5, 7])
    data.post(at(2026, 12, 31, 22, 59), [])  # 23:59 in Paris
    data.post(at(2026, 11, 30, 12), [100])  # published in November: its clicks are not December's
    data.post(None, [0])  # a draft
    assert value(data, "posts_published") == 2.0
    assert value(data, "link_clicks") == 12.0


def test_it_counts_members_active_on_any_of_their_identities(data: Data) -> None:
    data.member("ana", "ana_alt")
    data.member("ben")
    data.member("cleo")
    data.mention(at(2026, 12, 2), "neutral", [data.brand], handle="ana")
    data.mention(at(2026, 12, 3), "neutral", [], handle="ana_alt")  # same member: once
    data.mention(at(2026, 12, 4), "neutral", [], handle="ben")
    data.mention(at(2026, 11, 2), "neutral", [], handle="cleo")  # active in November only
    data.mention(at(2026, 12, 5), "neutral", [], handle="ben", network="mastodon")  # other network
    assert value(data, "active_members") == 2.0


def test_it_counts_referral_sign_ups_of_the_period_once_each(
    data: Data, personas: Personas
) -> None:
    from ambassade.community import activities
    from ambassade.referrals import recording, review, services

    programme = services.programme_of(data.workspace)
    services.save_programme(
        programme, personas.alice, enabled=True, landing_url="https://x.example/"
    )
    identity = activities.identity_for(data.workspace, "mastodon", "ambre", name="Ambre")
    assert identity is not None
    code = services.give_code(identity.member, personas.alice).code

    def signup(email: str, when: Any) -> Any:
        return recording.record_signup(
            programme, code=code, email=email, name="", customer="", address="", at=when
        ).referral

    signup("a@example.org", at(2026, 11, 30, 23, 30))  # 1 December in Paris: in
    signup("a@example.org", at(2026, 12, 3))  # the same person again: the same referral
    signup("b@example.org", at(2026, 12, 10))
    rejected = signup("c@example.org", at(2026, 12, 11))
    signup("d@example.org", at(2026, 12, 31, 23))  # 1 January in Paris: out
    review.decide_referral(rejected, personas.alice, approve=False)
    assert value(data, "referral_signups") == 2.0
    assert value(data, "referral_signups", EMPTY) == 0.0


def test_measure_gives_progress_and_pace(data: Data, personas: Personas) -> None:
    from ambassade.analytics import services

    for day in (2, 3, 4):
        data.mention(at(2026, 12, day, 12), "positive", [data.brand])
    objective = services.create_objective(
        data.workspace, personas.alice, name="Be heard", type="visibility"
    )
    kpi = services.add_kpi(
        objective,
        personas.alice,
        metric="mention_volume",
        target=12,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    # 3 of 12 is 25 %; on 16 December at 23:00 UTC (17 Dec, 00:00 Paris), half the month is gone.
    measured = kpis.measure(kpi, now=at(2026, 12, 16, 23))
    assert measured.value == 3.0 and measured.progress == 25.0
    assert measured.elapsed == pytest.approx(100 * 16 / 31)
    assert measured.on_track is False
    assert kpis.measure(kpi, now=at(2026, 12, 1, 0)).on_track is True
    fast = services.add_kpi(
        objective,
        personas.alice,
        metric="first_response_time",
        target=30,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    assert kpis.measure(fast).progress is None and kpis.measure(fast).on_track is None
    data.conversation(at(2026, 12, 2, 9), at(2026, 12, 2, 10))  # 60 minutes against 30
    answered = kpis.measure(fast, now=at(2026, 12, 2, 12))
    assert answered.progress == 50.0 and answered.on_track is False


def test_it_computes_retention_from_the_members_active_in_the_period_before(
    data: Data,
) -> None:
    # December in Paris; the period before is the 31 days just before: 31 October – 30 November.
    data.member("ana", "ana_alt")
    data.member("ben")
    data.member("cleo")
    data.member("dan")
    staff = data.member("eve")
    staff.staff = True
    staff.save(update_fields=["staff"])
    data.mention(at(2026, 11, 2), "neutral", [], handle="ana")
    data.mention(at(2026, 12, 2), "neutral", [], handle="ana_alt")  # back, on another identity
    data.mention(at(2026, 11, 30, 22, 30), "neutral", [], handle="ben")  # 23:30 Paris: before
    data.mention(at(2026, 11, 30, 23, 30), "neutral", [], handle="ben")  # 00:30 Paris: December
    data.mention(at(2026, 10, 30, 22, 59), "neutral", [], handle="cleo")  # 30 Oct in Paris: out
    data.mention(at(2026, 12, 3), "neutral", [], handle="cleo")  # new in December: not counted
    data.mention(at(2026, 11, 10), "neutral", [], handle="dan")  # gone
    data.mention(at(2026, 11, 10), "neutral", [], handle="eve")  # staff
    data.mention(at(2026, 12, 10), "neutral", [], handle="eve")
    # Active before: ana, ben, dan; again in December: ana, ben.
    assert value(data, "retention") == pytest.approx(200 / 3)
    assert kpis.loyalty.retention(data.workspace, DECEMBER, kpis.Scope(network="mastodon")) is None
    assert value(data, "retention", EMPTY) is None


def test_it_reads_the_ambassadors_of_the_last_day_counted(data: Data) -> None:
    from ambassade.community.models import ClassCount

    for day, count in ((date(2026, 11, 30), 50), (date(2026, 12, 5), 7), (date(2026, 12, 20), 9)):
        ClassCount.objects.create(workspace=data.workspace, day=day, members=100, ambassadors=count)
    ClassCount.objects.create(workspace=data.workspace, day=date(2027, 1, 1), ambassadors=70)
    assert value(data, "ambassadors") == 9.0
    assert value(data, "ambassadors", EMPTY) is None  # never counted: nothing to measure


def test_it_computes_event_attendance_over_the_events_already_started(data: Data) -> None:
    from ambassade.events.models import Event, Rsvp

    def event(starts: Any, confirmed: int, checked: int, **others: int) -> None:
        made = Event.objects.create(
            workspace=data.workspace,
            token=f"t{starts.isoformat()}",
            title_en="Tasting",
            title_fr="Dégustation",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            time_zone="Europe/Paris",
        )
        statuses = [Rsvp.Status.CONFIRMED] * confirmed + [
            Rsvp.Status(status) for status, n in others.items() for _ in range(n)
        ]
        for n, status in enumerate(statuses):
            Rsvp.objects.create(
                workspace=data.workspace,
                event=made,
                name=f"p{n}",
                email=f"p{n}@example.org",
                status=status,
                code=f"c{n}",
                registered_at=at(2026, 11, 1),
                checked_in_at=at(2026, 12, 1) if n < checked else None,
            )

    event(at(2026, 11, 30, 23, 30), 4, 3, waitlisted=5)  # 00:30 Paris on 1 December: in
    event(at(2026, 12, 10, 18), 6, 3, cancelled=2)
    event(at(2026, 12, 31, 23, 0), 10, 0)  # 1 January in Paris: out
    event(at(2026, 12, 20, 18), 8, 0)  # still to come on 15 December
    # On 15 December: (3 + 3) of (4 + 6) confirmed places.
    reader = kpis.loyalty.event_attendance
    assert reader(data.workspace, DECEMBER, now=at(2026, 12, 15)) == 60.0
    # Once the whole month is past, the event of the 20th counts, nobody checked in: 6 of 18.
    assert reader(data.workspace, DECEMBER, now=at(2027, 2, 1)) == pytest.approx(100 * 6 / 18)
    assert reader(data.workspace, DECEMBER, now=at(2026, 11, 1)) is None  # none started yet
    assert value(data, "event_attendance", EMPTY) is None
