"""Reports' blocks against figures counted by hand (November 2026 in Paris against October), the
periods, the logo and the recipients' checks."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ambassade.analytics import reports
from ambassade.analytics.reports_forms import parse_recipients
from ambassade.analytics.reports_logo import LogoError, normalise
from ambassade.workspaces.networks import network_label
from tests.analytics.report_data import NOVEMBER, monthly, november
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _sections(personas: Personas, language: str = "en", **fields: Any) -> dict[str, Any]:
    report = monthly(personas, **fields)
    with translation.override(language):
        context = reports.build(report, *NOVEMBER, with_charts=False)
    return {section.code: section for section in context["sections"]}


def _tiles(section: Any) -> dict[str, Any]:
    return {tile["code"]: tile for tile in section.tiles}


def test_periods_are_the_last_complete_week_and_month() -> None:
    # Wednesday 2 December 2026: the week before runs Monday 23 to Sunday 29 November.
    assert reports.last_week(date(2026, 12, 2)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert reports.last_week(date(2026, 11, 30)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert reports.last_month(date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert reports.last_month(date(2024, 3, 15)) == (date(2024, 2, 1), date(2024, 2, 29))
    # The period before a whole month is the month before (not 30 days); else as many days.
    assert reports.previous_period(date(2026, 3, 1), date(2026, 3, 31)) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert reports.previous_period(date(2026, 11, 23), date(2026, 11, 29)) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
    )


def test_key_figures_against_hand_counts(personas: Personas) -> None:
    november(personas)
    tiles = _tiles(_sections(personas)["kpis"])
    # November: 3 brand mentions (the one of 30 Nov 23:00 UTC is 1 December in Paris), the first
    # matched by two brand queries and counted once; October: 1.
    assert tiles["mention_volume"]["value"] == "3"
    assert tiles["mention_volume"]["before"] == "1"
    assert tiles["mention_volume"]["change"] == {"text": "+200 %", "good": True}
    assert tiles["potential_reach"]["value"] == "150"
    # 2 positive, 1 negative: +33; October +100: 67 points down.
    assert tiles["net_sentiment"]["value"] == "+33"
    assert tiles["net_sentiment"]["change"] == {"text": "-66.7 pts", "good": False}
    assert tiles["share_of_voice"]["value"] == "75 %"
    assert tiles["share_of_voice"]["change"] == {"text": "+25 pts", "good": True}
    assert tiles["response_rate"]["value"] == "50 %"
    assert tiles["first_response_time"]["value"] == "30 min"
    # Less is better: 60 → 30 minutes is −50 % and good.
    assert tiles["first_response_time"]["change"] == {"text": "-50 %", "good": True}
    assert tiles["csat"]["value"] == "—" and tiles["csat"]["change"] is None
    assert tiles["posts_published"]["value"] == "2"
    assert tiles["link_clicks"]["value"] == "10"
    assert tiles["active_members"]["value"] == "1"  # @lea wrote in November
    # The audience's and the site's figures: nothing read, nothing to measure (never 0).
    for code in (
        "follower_growth",
        "engagement_rate",
        "engagement_rate_per_follower",
        "site_visits_from_social",
    ):
        assert tiles[code]["value"] == "—", code


def test_the_other_blocks_against_hand_counts(personas: Personas) -> None:
    november(personas)
    sections = _sections(personas)
    mentions = sections["mentions"].tables[0]
    assert len(mentions.rows) == 30  # every day of November, empty ones at 0
    assert sum(row[4] for row in mentions.rows) == 6  # matches: 3 mentions × 2 brand queries
    assert sections["mentions"].chart == ""  # built without charts here
    top = sections["top_mentions"].tables[0].rows
    assert [row[3] for row in top] == [100, 50, ""]  # by reach, unknown last
    share = sections["share_of_voice"].tables[0].rows
    assert share == [["Brand A", 6, 75, 50], ["Rival", 2, 25, 50]]
    posts = sections["top_posts"].tables[0].rows
    # Engagements: 20 + 4 (views are not engagements), then 5 + 2 + 1.
    assert [row[6] for row in posts] == [24, 8]
    inbox = _tiles(sections["inbox"])
    assert (inbox["received"]["value"], inbox["answered"]["value"]) == ("2", "1")
    assert sections["inbox"].tables[0].rows == [["Mastodon", 2, 1, 50]]  # the network's name
    community = _tiles(sections["community"])
    # Joined when first seen (@seen, imported in November, was seen in October); staff left out.
    assert community["at_end"]["value"] == "4" and community["at_end"]["before"] == "2"
    assert community["new"]["value"] == "2" and community["new"]["before"] == "2"
    assert community["active_members"]["value"] == "1"
    # The new members' identities by network: @lea and @new (not @seen, nor the staff).
    with translation.override("en"):
        assert sections["community"].tables[0].rows == [[network_label("rss"), 2]]
    # @old and @lea active in October (2–31, the 30 days before), @lea again in November.
    assert community["retention"]["value"] == "50 %"
    assert community["retention"]["before"] == "—" and community["retention"]["change"] is None
    assert community["ambassadors"]["value"] == "2" and community["ambassadors"]["before"] == "1"
    assert community["ambassadors"]["change"] == {"text": "+100 %", "good": True}
    assert sections["objectives"].empty  # no KPI over November


def test_top_posts_read_the_networks_results_with_the_versions_read_back(
    personas: Personas,
) -> None:
    from ambassade.analytics.audience_models import PostResult, TrackedAccount
    from ambassade.publishing.models import Variant
    from tests.analytics.fixtures import at

    data = november(personas)
    own = TrackedAccount.objects.create(
        workspace=data.workspace,
        role="own",
        network=personas.connection.network,
        connection=personas.connection,
        status="ok",
    )

    def result(external_id: str, when: Any, engaged: int, **metrics: int) -> None:
        PostResult.objects.create(
            workspace=data.workspace,
            account=own,
            external_id=external_id,
            url=f"https://example.social/{external_id}",
            text=f"post {external_id}",
            published_at=when,
            metrics=metrics,
            engagements=engaged,
            read_at=at(2026, 12, 1),
        )

    # Posted on the network itself (not through Ambassade): 30 engagements, first.
    result("elsewhere", at(2026, 11, 15, 9), 30, likes=25, reposts=5)
    # The version of 25 November (24 engagements read back) as the poller read it since: 26.
    Variant.objects.filter(published_at=at(2026, 11, 25, 8)).update(remote_id="ours")
    result("ours", at(2026, 11, 25, 8), 26, likes=22, reposts=0, replies=4)
    result("october", at(2026, 10, 30, 9), 99, likes=99)  # the month before
    posts = _sections(personas)["top_posts"].tables[0].rows
    assert [row[6] for row in posts] == [30, 26, 8]  # 8: read back by its publisher only
    assert [row[2] for row in posts[:2]] == ["post elsewhere", "post ours"]
    assert posts[0][7] == "https://example.social/elsewhere"
    from zoneinfo import ZoneInfo

    from django.utils import formats

    paris = datetime(2026, 11, 15, 10, tzinfo=ZoneInfo("Europe/Paris"))  # 9:00 UTC
    with translation.override("en"):
        assert posts[0][0] == formats.date_format(paris, "SHORT_DATETIME_FORMAT")


def test_a_campaign_report_counts_the_campaign_s_posts_only(personas: Personas) -> None:
    november(personas)
    sections = _sections(personas, campaign="noel", template="campaign")
    assert [row[6] for row in sections["top_posts"].tables[0].rows] == [8]
    tiles = _tiles(sections["kpis"])
    assert tiles["posts_published"]["value"] == "1"
    assert tiles["link_clicks"]["value"] == "10"


def test_an_empty_period_says_so_and_measures_no_ratio(personas: Personas) -> None:
    report = monthly(personas)
    with translation.override("en"):
        context = reports.build(report, date(2025, 1, 1), date(2025, 1, 31), with_charts=False)
    sections = {section.code: section for section in context["sections"]}
    assert sections["mentions"].empty and sections["top_posts"].empty
    tiles = _tiles(sections["kpis"])
    assert tiles["net_sentiment"]["value"] == "—"
    assert tiles["mention_volume"]["value"] == "0" and tiles["mention_volume"]["change"] is None


def test_figures_follow_the_reader_s_language(personas: Personas) -> None:
    november(personas)
    tiles = _tiles(_sections(personas, "fr")["kpis"])
    assert tiles["net_sentiment"]["change"]["text"] == "-66,7 pts"
    assert tiles["mention_volume"]["label"] == "Volume de mentions"
    # Days as the language writes them (never ISO) in the mentions' table, as in the others.
    for language, first in (("fr", "01/11/2026"), ("en", "01/11/2026"), ("en-us", "11/01/2026")):
        rows = _sections(personas, language)["mentions"].tables[0].rows
        assert rows[0][0] == first, language


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_the_logo_is_checked_and_re_encoded() -> None:
    from PIL import Image

    logo = normalise(_png(1200, 300))
    assert (logo.width, logo.height) == (600, 150)  # within 600 × 200, proportions kept
    assert Image.open(io.BytesIO(logo.png)).format == "PNG"
    for data, code in (
        (b"", "empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "unreadable"),
        (b"GIF89a" + b"\0" * 40, "unreadable"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "unreadable"),
        (b"x" * (1024 * 1024 + 1), "too_large"),
    ):
        with pytest.raises(LogoError) as caught:
            normalise(data)
        assert caught.value.code == code
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(LogoError) as caught:
        normalise(gif.getvalue())
    assert caught.value.code == "format"


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    from PIL import Image

    # A 6000 × 6000 image compresses to a few KB: refused from its header.
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG")
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(LogoError) as caught:
        normalise(out.getvalue())
    assert caught.value.code == "dimensions"


def test_recipients_are_checked_one_by_one() -> None:
    assert parse_recipients("a@example.com, B@example.com;\nb@example.com\n") == [
        "a@example.com",
        "B@example.com",
    ]
    with pytest.raises(ValidationError) as caught:
        parse_recipients("a@example.com\nnot-an-address\n")
    assert caught.value.params == {"address": "not-an-address", "position": 2}
    with pytest.raises(ValidationError):
        parse_recipients(" ".join(f"p{n}@example.com" for n in range(21)))


def test_objectives_show_their_progress_over_their_own_period(personas: Personas) -> None:
    from django.template.loader import render_to_string

    from ambassade.analytics import services

    november(personas)
    objective = services.create_objective(
        personas.workspace_a, personas.alice, name="Be heard", type="visibility"
    )
    services.add_kpi(
        objective,
        personas.alice,
        metric="mention_volume",
        target=6,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
    )
    report = monthly(personas, language="en", blocks=["objectives"])
    after = datetime(2026, 12, 7, 9, tzinfo=UTC)
    with translation.override("en"):
        context = reports.build(report, *NOVEMBER, with_charts=False, now=after)
        (tile,) = context["sections"][0].tiles
        html = render_to_string("analytics/report_document.html", context)
    # 3 mentions of a target of 6: half-way, and the target missed once November is over.
    assert (tile["value"], tile["target"], tile["progress"]) == ("3", "6", 50)
    assert tile["on_track"] is False and tile["ended"] is True
    assert '<rect width="50" height="6"' in html and "target missed" in html
    assert "behind" not in html
    assert context["sections"][0].tables[0].rows == [
        ["Be heard", "Mention volume", "2026-11-01 – 2026-11-30", 3, 6, 50]
    ]
