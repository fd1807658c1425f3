"""The area pages (listening, publishing, inbox, community): the catalogue's readers narrowed by
the pages' filters, against data counted by hand over December 2026 in Europe/Paris (an empty
period and the period's edges included); the comparison periods; the pages, their CSVs and their
refusals."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from ambassade.analytics import area_community, area_inbox, kpis
from ambassade.analytics.areas import comparison_period, relative_change
from ambassade.analytics.kpis import Scope
from ambassade.engine.measures import Period
from ambassade.inbox.models import Label
from ambassade.listening.models import Mention
from tests.analytics.fixtures import Data, at
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris")
EMPTY = Period(date(2025, 1, 1), date(2025, 1, 31), "Europe/Paris")


@pytest.fixture
def data(personas: Personas) -> Data:
    return Data(personas.workspace_a, personas.connection)


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_comparison_period_is_the_one_before_a_year_before_or_none() -> None:
    before = comparison_period(DECEMBER, "previous")
    assert (before.start, before.end) == (date(2026, 10, 31), date(2026, 11, 30))
    leap = Period(date(2028, 2, 29), date(2028, 3, 1), "Europe/Paris")
    year = comparison_period(leap, "year")
    assert (year.start, year.end) == (date(2027, 2, 28), date(2027, 3, 1))
    assert comparison_period(DECEMBER, "none") is None
    assert relative_change(110.0, 100.0) == pytest.approx(10.0)
    assert relative_change(5.0, 0.0) is None and relative_change(None, 3.0) is None
    assert relative_change(-30.0, -20.0) == pytest.approx(-50.0)


def test_listening_readers_follow_network_language_label_and_query(data: Data) -> None:
    # In December (Paris): the first at 00:30 on 1 December; the last one is 1 January in Paris.
    one = data.mention(
        at(2026, 11, 30, 23, 30), "positive", [data.brand], followers=10, network="mastodon"
    )
    Mention.objects.filter(pk=one.pk).update(lang="fr", tags=["Bug", "prix"])
    two = data.mention(at(2026, 12, 10), "negative", [data.brand2], followers=20, network="rss")
    Mention.objects.filter(pk=two.pk).update(lang="en", tags=["prix"])
    data.mention(at(2026, 12, 12), "negative", [data.brand], followers=40, network="mastodon")
    data.mention(
        at(2026, 12, 31, 23, 0), "positive", [data.brand], followers=99, network="mastodon"
    )
    ws = data.workspace
    assert kpis.mention_volume(ws, DECEMBER) == 3.0
    assert kpis.mention_volume(ws, DECEMBER, Scope(network="mastodon")) == 2.0
    assert kpis.potential_reach(ws, DECEMBER, Scope(network="mastodon")) == 50.0
    assert kpis.mention_volume(ws, DECEMBER, Scope(language="en")) == 1.0
    assert kpis.mention_volume(ws, DECEMBER, Scope(tag="prix")) == 2.0
    assert kpis.mention_volume(ws, DECEMBER, Scope(tag="bug")) in (0.0, 1.0)  # case: see docs
    assert kpis.mention_volume(ws, DECEMBER, Scope(tag="pri")) == 0.0  # a whole label only
    assert kpis.mention_volume(ws, DECEMBER, Scope(query=data.brand2.pk)) == 1.0
    # Network mastodon: one positive, one negative.
    assert kpis.net_sentiment(ws, DECEMBER, Scope(network="mastodon")) == 0.0
    assert kpis.net_sentiment(ws, DECEMBER, Scope(tag="prix")) == 0.0
    assert kpis.mention_volume(ws, EMPTY, Scope(network="mastodon")) == 0.0
    # The area page reads the three in one query: the same numbers as the catalogue's readers.
    for scope in (Scope(), Scope(network="mastodon"), Scope(tag="prix"), Scope(language="en")):
        counts = kpis.brand_mention_counts(ws, DECEMBER, scope)
        assert counts.count == kpis.mention_volume(ws, DECEMBER, scope)
        assert counts.reach == kpis.potential_reach(ws, DECEMBER, scope)
    assert kpis.net_sentiment(ws, EMPTY, Scope(tag="prix")) is None


def test_share_of_voice_by_language_from_rollups_and_by_label_from_matches(data: Data) -> None:
    data.rollup(data.brand, date(2026, 12, 1), 30)
    data.rollup(data.rival, date(2026, 12, 2), 10)
    ws = data.workspace
    assert kpis.share_of_voice(ws, DECEMBER, Scope(language="fr")) == 75.0
    assert kpis.share_of_voice(ws, DECEMBER, Scope(language="de")) is None
    # A label is not in the rollups: the matches of labelled mentions are counted.
    mine = data.mention(at(2026, 12, 3), "neutral", [data.brand])
    theirs = data.mention(at(2026, 12, 4), "neutral", [data.rival])
    other = data.mention(at(2026, 12, 5), "neutral", [data.rival])
    Mention.objects.filter(pk__in=[mine.pk, theirs.pk]).update(tags=["promo"])
    assert other.pk
    assert kpis.share_of_voice(ws, DECEMBER, Scope(tag="promo")) == 50.0


def due(conversation: Any, **values: Any) -> None:
    type(conversation).objects.filter(pk=conversation.pk).update(**values)


def test_inbox_readers_and_table_follow_network_label_and_assignee(
    data: Data, personas: Personas
) -> None:
    ws = data.workspace
    urgent = Label.objects.create(workspace=ws, name="urgent")
    first = data.conversation(at(2026, 11, 30, 23, 30), at(2026, 11, 30, 23, 40))  # 10 min
    first.labels.add(urgent)
    # Answered late: a breach.
    due(first, first_response_due_at=at(2026, 11, 30, 23, 35), assignee=personas.bob)
    second = data.conversation(at(2026, 12, 2, 9), at(2026, 12, 2, 10))  # 60 min, on time
    due(second, first_response_due_at=at(2026, 12, 2, 11), network="bluesky")
    third = data.conversation(at(2026, 12, 3, 9), None)  # unanswered, past due: a breach
    due(third, first_response_due_at=at(2026, 12, 3, 10))
    data.conversation(at(2026, 11, 30, 22, 59), at(2026, 11, 30, 23, 0))  # November in Paris
    assert kpis.response_rate(ws, DECEMBER) == pytest.approx(200 / 3)
    assert kpis.response_rate(ws, DECEMBER, Scope(network="mastodon")) == 50.0
    assert kpis.first_response_time(ws, DECEMBER, Scope(label=urgent.pk)) == 10.0
    assert kpis.first_response_time(ws, DECEMBER, Scope(assignee=personas.bob.pk)) == 10.0
    assert kpis.response_rate(ws, EMPTY, Scope(network="mastodon")) is None
    with translation.override("en"):
        built = area_inbox.build(ws, DECEMBER, None, Scope())
    figures = {figure.code: figure for figure in built.figures}
    assert figures["received"].now == 3.0 and figures["answered"].now == 2.0
    assert figures["breaches"].now == 2.0
    assert figures["within_target"].now == pytest.approx(100 / 3)
    assert figures["first_response_time"].now == 35.0  # median of 10 and 60
    assert figures["first_response_p90"].now == pytest.approx(55.0)  # 10 + 0.9 × 50
    # The page's indicators are the catalogue's readers' numbers, whatever the filter.
    data.survey(5, at(2026, 12, 10))
    data.survey(2, at(2026, 12, 11))
    for scope in (Scope(), Scope(network="mastodon"), Scope(label=urgent.pk)):
        shown = {f.code: f.now for f in area_inbox.build(ws, DECEMBER, None, scope).figures}
        for code in ("response_rate", "first_response_time", "csat"):
            assert shown[code] == getattr(kpis, code)(ws, DECEMBER, scope), (code, scope)
    networks = {row[0]: row for row in built.section("networks").table.rows}
    assert networks["Bluesky"][1:4] == [1, 1, 100.0]
    labels = {row[0]: row for row in built.section("labels").table.rows}
    assert labels["urgent"][1] == 1 and labels["No label"][1] == 2, labels


def test_publishing_readers_follow_network_and_campaign(data: Data) -> None:
    ws = data.workspace
    spring = data.post(at(2026, 12, 1, 8), [3, 4])
    spring.utm_campaign = "spring"
    spring.save()
    data.post(at(2026, 12, 2, 8), [10])
    data.post(at(2026, 11, 30, 22, 0), [100])  # 23:00 on 30 November in Paris: out
    assert kpis.posts_published(ws, DECEMBER) == 2.0
    assert kpis.posts_published(ws, DECEMBER, Scope(campaign="spring")) == 1.0
    assert kpis.link_clicks(ws, DECEMBER, Scope(campaign="spring")) == 7.0
    assert kpis.link_clicks(ws, DECEMBER, Scope(network="mastodon")) == 17.0
    assert kpis.posts_published(ws, DECEMBER, Scope(network="bluesky")) == 0.0
    assert kpis.link_clicks(ws, EMPTY, Scope(campaign="spring")) == 0.0


def test_community_counts_leave_staff_out(data: Data) -> None:
    ws = data.workspace
    ana = data.member("ana")
    ana.ambassador = True
    ana.first_seen_at = at(2026, 12, 5)
    ana.save()
    staff = data.member("boss")
    staff.staff = True
    staff.ambassador = True
    staff.save()
    old = data.member("old")
    old.first_seen_at = at(2026, 11, 30, 22, 59)  # November in Paris
    old.save()
    data.mention(at(2026, 12, 3), "neutral", [], handle="ana")
    data.mention(at(2026, 12, 3), "neutral", [], handle="boss")
    assert kpis.active_members(ws, DECEMBER) == 1.0
    built = area_community.build(ws, DECEMBER, comparison_period(DECEMBER, "previous"), Scope())
    figures = {figure.code: figure for figure in built.figures}
    assert figures["ambassador"].now == 1.0 and figures["ambassador"].before is None
    assert figures["new_members"].now == 1.0 and figures["new_members"].before == 1.0
    assert figures["members"].now == 2.0 and figures["members"].before == 1.0
    # Ana wrote in November and again in December: every member active before came back.
    assert figures["retention"].now is None  # nobody was active in November yet
    data.mention(at(2026, 11, 20), "neutral", [], handle="ana")
    data.mention(at(2026, 11, 20), "neutral", [], handle="boss")  # staff: not counted
    built = area_community.build(ws, DECEMBER, comparison_period(DECEMBER, "previous"), Scope())
    figures = {figure.code: figure for figure in built.figures}
    assert figures["retention"].now == 100.0 and figures["retention"].before is None
    assert figures["event_attendance"].now is None  # no event


def test_an_event_is_named_in_the_reader_s_language(data: Data) -> None:
    from ambassade.events.models import Event

    Event.objects.create(
        workspace=data.workspace,
        token="e" * 43,
        title_en="Meetup",
        title_fr="Rencontre",
        organiser="Brand",
        starts_at=at(2026, 12, 5, 18),
        ends_at=at(2026, 12, 5, 20),
        time_zone="Europe/Paris",
    )
    for language, title in (("fr", "Rencontre"), ("en", "Meetup")):
        with translation.override(language):
            built = area_community.build(data.workspace, DECEMBER, None, Scope())
        assert built.section("events").table.rows[0][0] == title


def area_url(personas: Personas, area: str, table: str = "") -> str:
    slug = personas.workspace_a.slug
    if table:
        return reverse("analytics:area_csv", args=[slug, area, table])
    return reverse("analytics:area", args=[slug, area])


@pytest.mark.parametrize("area", ["listening", "publishing", "inbox", "community"])
def test_each_area_page_shows_its_figures_and_comparison(
    area: str, client: Any, personas: Personas, data: Data
) -> None:
    data.mention(at(2026, 12, 3), "positive", [data.brand], handle="<b>ana</b>")
    data.conversation(at(2026, 12, 1, 9), at(2026, 12, 1, 9, 10))
    data.post(at(2026, 12, 1, 8), [3])
    personas.client_for(client, personas.alice)
    response = client.get(area_url(personas, area) + "?start=2026-12-01&end=2026-12-31")
    assert response.status_code == 200
    page = response.content.decode()
    assert "compared with" in page and 'data-chart="' in page
    assert "Download (CSV)" in page
    assert "<b>ana</b>" not in page


def test_a_bad_period_is_refused_with_its_reason(client: Any, personas: Personas) -> None:
    personas.client_for(client, personas.alice)
    response = client.get(area_url(personas, "listening") + "?start=2026-12-31&end=2026-12-01")
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()
    response = client.get(area_url(personas, "inbox", "networks") + "?start=nonsense")
    assert response.status_code == 400
    assert client.get(area_url(personas, "nowhere")).status_code == 404
    assert client.get(area_url(personas, "inbox", "nowhere")).status_code == 404


def test_every_table_downloads_as_csv(client: Any, personas: Personas, data: Data) -> None:
    data.conversation(at(2026, 12, 1, 9), at(2026, 12, 1, 9, 10))
    personas.client_for(client, personas.alice)
    response = client.get(area_url(personas, "inbox", "days") + "?start=2026-12-01&end=2026-12-03")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Day", "Received", "Answered"]
    assert rows[1:] == [
        ["2026-12-03", "0", "0", "", "", "0"],
        ["2026-12-02", "0", "0", "", "", "0"],
        ["2026-12-01", "1", "1", "100.0", "10.0", "0"],
    ]


def test_an_area_needs_its_app_s_permission(client: Any, personas: Personas) -> None:
    from ambassade.workspaces.permissions import can_role

    personas.client_for(client, personas.bob)  # an editor
    role = personas.bob_membership.role
    for area, action in (("inbox", "inbox.view"), ("community", "community.view")):
        expected = 200 if can_role(role, action) else 403
        assert client.get(area_url(personas, area)).status_code == expected
    outsider = personas.charlie
    personas.client_for(client, outsider)
    assert client.get(area_url(personas, "listening")).status_code in (403, 404)


def test_the_comparison_is_shown_with_sign_and_percent(
    client: Any, personas: Personas, data: Data
) -> None:
    for day in (1, 2, 3):
        data.conversation(at(2026, 12, day, 9), at(2026, 12, day, 9, 10))
    data.conversation(at(2026, 11, 20, 9), at(2026, 11, 20, 9, 5))
    data.conversation(at(2026, 11, 21, 9), None)
    personas.client_for(client, personas.alice)
    page = client.get(
        area_url(personas, "inbox") + "?start=2026-12-01&end=2026-12-31"
    ).content.decode()
    # 3 received against 2: +1 (+50 %); response rate 100 % against 50 %: +50 pt (+100 %).
    stats = re.sub(r"[ \n]+", " ", page[page.index("area-figures") : page.index("definitions-box")])
    assert "▲</span> +1 (+50.0 %) vs 2" in stats
    assert "+50.0\u00a0pt (+100.0 %) vs 50.0 %" in stats
    assert "+5 min (+100.0 %) vs 5 min" in stats  # 10 min against 5: worse
    page = client.get(
        area_url(personas, "inbox") + "?start=2026-12-01&end=2026-12-31&compare=none"
    ).content.decode()
    assert "compared with nothing" in page and "+1 (+50.0 %)" not in page
    assert timedelta(days=1)


def test_the_language_filter_names_languages_in_the_reader_s_language(
    client: Any, personas: Personas, data: Data
) -> None:
    from ambassade.listening import rollup

    data.rollup(data.brand, date(2026, 12, 1), 2)  # mentions in French ("fr")
    rollup.rebuild(data.workspace)  # the filter's languages are the rollup's
    personas.client_for(client, personas.alice)
    url = area_url(personas, "listening") + "?start=2026-12-01&end=2026-12-31"
    page = client.get(url).content.decode()
    assert re.search(r'<option value="fr">\s*French\s*</option>', page)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r'<option value="fr">\s*Français\s*</option>', page)
