"""The audience and competitors pages: numbers shown with their previous period, charts with their
tables, filters that refuse bad input without failing, competitors followed and removed by the
roles that manage analytics, and the tables as CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.analytics.models import AccountSnapshot, PostResult, TrackedAccount
from ambassade.workspaces.models import AuditEntry
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def filled(personas: Personas) -> TrackedAccount:
    """Workspace A's Mastodon account read for a few days, with twelve posts."""
    own = TrackedAccount.objects.create(
        workspace=personas.workspace_a,
        role="own",
        network="mastodon",
        connection=personas.connection,
        followers=1200,
        status="ok",
        hidden=["impressions", "clicks"],
    )
    now = timezone.now()
    for days, followers in ((40, 1000), (10, 1100), (1, 1200)):
        taken = now - timedelta(days=days)
        AccountSnapshot.objects.create(
            account=own, day=taken.date(), taken_at=taken, followers=followers
        )
    for n in range(12):
        published = now - timedelta(days=2, hours=n)
        PostResult.objects.create(
            workspace=personas.workspace_a,
            account=own,
            external_id=f"uri:{n}",
            url=f"https://mastodon.social/@brand_a/{n}",
            text=f"Post <b>{n}</b>",
            published_at=published,
            metrics={"likes": n, "reposts": 1},
            engagements=n + 1,
            followers=1000,
            read_at=now,
        )
    return own


def url(personas: Personas, name: str, **kwargs: Any) -> str:
    return reverse(
        f"analytics:{name}", kwargs={"workspace_slug": personas.workspace_a.slug, **kwargs}
    )


def test_the_audience_page_shows_growth_rates_best_time_and_top_posts(
    client: Any, personas: Personas, filled: TrackedAccount
) -> None:
    personas.client_for(client, personas.alice)
    response = client.get(url(personas, "audience"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "+200" in page  # 1,200 − 1,000 (the last count before the last 30 days)
    assert "Best time to post" in page and "Top posts" in page
    assert (
        "Post &lt;b&gt;11&lt;/b&gt;" in page and "<b>11</b>" not in page
    )  # untrusted text escaped
    assert "Not given by Mastodon: impressions, link clicks." in page
    specs = [
        json.loads(value.replace("&quot;", '"').replace("&amp;", "&"))
        for value in re.findall(r'data-chart="([^"]*)"', page)
    ]
    assert [spec["mark"]["type"] for spec in specs] == ["line", "rect"]
    # Engagements per follower: (1 + 2 + … + 12) ÷ (12 × 1,000) = 6.5 ‰.
    assert "0.7 %" in page
    # The network filter keeps the accounts of that network only.
    assert (
        "No account of the brand is connected"
        in client.get(url(personas, "audience") + "?network=youtube").content.decode()
    )
    french = client.get(url(personas, "audience"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Meilleur moment pour publier" in french


def test_bad_filters_are_refused_without_failing(
    client: Any, personas: Personas, filled: TrackedAccount
) -> None:
    personas.client_for(client, personas.alice)
    for query in (
        "start=2026-13-01",
        "start=2026-12-10&end=2026-12-01",
        "network=myspace",
        "start=0001-01-01&end=9999-12-31",
    ):
        response = client.get(url(personas, "audience") + "?" + query)
        assert response.status_code == 200, query
        assert (
            'class="errors"' in response.content.decode()
            or "errorlist" in response.content.decode()
        ), query


def test_competitors_are_followed_and_removed_by_managers_only(
    client: Any, personas: Personas, filled: TrackedAccount
) -> None:
    personas.client_for(client, personas.bob)  # an editor may look, not change
    assert client.get(url(personas, "competitors")).status_code == 200
    assert (
        client.post(
            url(personas, "competitors"), {"network": "bluesky", "handle": "rival.bsky.social"}
        ).status_code
        == 403
    )
    personas.client_for(client, personas.alice)
    response = client.post(
        url(personas, "competitors"),
        {"network": "bluesky", "handle": "rival.bsky.social", "label": "Rival"},
    )
    assert response.status_code == 302
    rival = TrackedAccount.objects.get(role="competitor")
    assert (rival.network, rival.handle, rival.label, rival.workspace) == (
        "bluesky",
        "rival.bsky.social",
        "Rival",
        personas.workspace_a,
    )
    assert AuditEntry.objects.filter(action="analytics.competitor.added").count() == 1
    again = client.post(
        url(personas, "competitors"), {"network": "bluesky", "handle": "rival.bsky.social"}
    )
    assert again.status_code == 400 and "already followed" in again.content.decode()
    refused = client.post(url(personas, "competitors"), {"network": "facebook", "handle": "x"})
    assert refused.status_code == 400  # Facebook shows no competitor's numbers
    page = client.get(url(personas, "competitors")).content.decode()
    assert "Rival" in page and "Not read yet" in page
    assert (
        client.post(url(personas, "competitor_delete", account_id=filled.pk)).status_code == 404
    )  # own: not here
    assert client.post(url(personas, "competitor_delete", account_id=rival.pk)).status_code == 302
    assert not TrackedAccount.objects.filter(role="competitor").exists()


def test_the_tables_download_as_csv(
    client: Any, personas: Personas, filled: TrackedAccount
) -> None:
    personas.client_for(client, personas.alice)
    accounts = list(
        csv.reader(
            io.StringIO(client.get(url(personas, "accounts_csv")).getvalue().decode("utf-8-sig"))
        )
    )
    assert accounts[0][:4] == ["Account", "Role", "Network", "Followers"]
    assert accounts[1][:5] == [
        "'@brand_a@mastodon.social",
        "Own account",
        "Mastodon",
        "1200",
        "200",
    ]
    posts = list(
        csv.reader(
            io.StringIO(client.get(url(personas, "posts_csv")).getvalue().decode("utf-8-sig"))
        )
    )
    assert len(posts) == 13 and posts[0][0] == "Published"


def test_the_tables_behind_the_followers_and_best_time_charts_download_as_csv(
    client: Any, personas: Personas, filled: TrackedAccount
) -> None:
    personas.client_for(client, personas.alice)

    def rows(name: str, query: str = "") -> list[list[str]]:
        response = client.get(url(personas, name) + query)
        assert response.status_code == 200, name
        return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))

    followers = rows("followers_csv")
    snapshots = AccountSnapshot.objects.filter(account=filled).order_by("-day")
    # The last 30 days: the readings of 10 days and 1 day ago, newest first (not the 40th).
    assert followers == [
        ["Day", "Account", "Followers"],
        [snapshots[0].day.isoformat(), "'@brand_a@mastodon.social", "1200"],
        [snapshots[1].day.isoformat(), "'@brand_a@mastodon.social", "1100"],
    ]
    assert rows("followers_csv", "?role=competitor") == [["Day", "Account", "Followers"]]
    assert client.get(url(personas, "followers_csv") + "?role=boss").status_code == 400
    best = rows("best_time_csv")
    # Twelve posts, each in its own hour: twelve hours of the week, the best first (12 engagements).
    assert best[0] == ["Day", "Hour", "Engagements per post", "Posts"]
    assert len(best) == 13 and best[1][2:] == ["12.0", "1"]
    page = client.get(url(personas, "audience")).content.decode()
    assert url(personas, "followers_csv") + "?start=" in page
    assert url(personas, "best_time_csv") + "?start=" in page
    rivals = client.get(url(personas, "competitors")).content.decode()
    assert url(personas, "followers_csv") + "?role=competitor&amp;start=" in rivals
