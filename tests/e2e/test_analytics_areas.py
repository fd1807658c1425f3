"""The area pages in Chromium: from the menu to the listening page, a period and a comparison
chosen, a filter applied, then the inbox, publishing and community pages through their tabs, the
period kept; each chart drawn by Vega with its table behind it.

With ``AMBASSADE_SCREENSHOTS=<directory>``, the pages are also saved as images (English and
French, desktop and phone width) to be looked at."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.analytics.fixtures import Data, at
from tests.conftest import PASSWORD, Personas

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, email_address: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email_address)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def _fill(personas: Personas) -> None:
    data = Data(personas.workspace_a, personas.connection)
    for day, sentiment in ((1, "positive"), (2, "negative"), (3, "positive"), (4, "neutral")):
        data.mention(
            at(2026, 12, day, 10), sentiment, [data.brand], followers=day * 10, network="rss"
        )
        data.rollup(data.brand, at(2026, 12, day).date(), day * 3, sentiment)
    data.rollup(data.rival, at(2026, 12, 2).date(), 4)
    data.rollup(data.brand, at(2025, 12, 2).date(), 2)  # a year before
    for day in (1, 2, 3):
        data.conversation(at(2026, 12, day, 9), at(2026, 12, day, 9, 20))
    data.conversation(at(2026, 12, 4, 9), None)
    data.conversation(at(2025, 12, 3, 9), at(2025, 12, 3, 10))  # a year before
    data.post(at(2026, 12, 2, 8), [5])
    member = data.member("ana")
    member.ambassador = True
    member.first_seen_at = at(2026, 12, 2)
    member.save()


def _shoot(page: Any, name: str) -> None:
    folder = os.environ.get("AMBASSADE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _charts_drawn(page: Any) -> None:
    page.locator(".chart-canvas svg, .chart-canvas canvas").first.wait_for()


def test_it_opens_each_area_with_a_period_a_comparison_and_a_filter(
    page: Any, live_server: Any, personas: Personas, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    _fill(personas)
    base, slug = live_server.url, personas.workspace_a.slug
    page.set_default_timeout(60_000)
    _log_in(page, base, "alice@example.com")
    page.goto(f"{base}/w/{slug}/")
    page.locator("nav.sidebar").get_by_role("link", name="Analytics", exact=True).click()
    page.wait_for_url(re.compile(r"/analytics/areas/listening/"))
    expect(page.get_by_role("heading", name="Listening", level=1)).to_be_visible()

    page.locator("#id_start").fill("2026-12-01")
    page.locator("#id_end").fill("2026-12-31")
    page.locator("#id_compare").select_option("year")
    page.locator("#id_network").select_option("rss")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"start=2026-12-01.*compare=year.*network=rss"))
    expect(page.get_by_text("compared with 1 December 2025 – 31 December 2025")).to_be_visible()
    mentions = page.locator('[data-figure="mention_volume"]')
    # The four mentions above and the 3 + 6 + 9 + 12 that the brand's rollup rows stand for
    # (tests/analytics/fixtures.py makes them as mentions since DailyRollup went).
    assert mentions.locator(".stat-value").inner_text() == "34"
    _charts_drawn(page)
    page.locator("#trend summary").click()
    expect(page.locator("#trend table")).to_be_visible()
    _shoot(page, "listening-en")

    for area, heading, figure in (
        ("inbox", "Inbox", "received"),
        ("publishing", "Publishing", "posts_published"),
        ("community", "Community", "members"),
    ):
        page.locator("nav.analytics-tabs").get_by_role("link", name=heading, exact=True).click()
        page.wait_for_url(re.compile(rf"/analytics/areas/{area}/\?start=2026-12-01"))
        page.get_by_role("heading", name=heading, level=1).wait_for()
        expect(page.locator(f'[data-figure="{figure}"]')).to_be_visible()
        expect(page.get_by_text("compared with 1 December 2025")).to_be_visible()
        _charts_drawn(page)
        _shoot(page, f"{area}-en")
    page.goto(
        f"{base}/w/{slug}/analytics/areas/inbox/?start=2026-12-01&end=2026-12-31&compare=year"
    )
    inbox_received = page.locator('[data-figure="received"]').inner_text()
    assert "+3 (+300.0 %)" in inbox_received  # 4 against 1, a year before

    if os.environ.get("AMBASSADE_SCREENSHOTS"):
        for area in ("listening", "inbox", "publishing", "community"):
            page.set_extra_http_headers({"Accept-Language": "fr"})
            page.context.add_cookies([{"name": "django_language", "value": "fr", "url": base}])
            page.goto(f"{base}/w/{slug}/analytics/areas/{area}/?start=2026-12-01&end=2026-12-31")
            _charts_drawn(page)
            _shoot(page, f"{area}-fr")
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            _charts_drawn(page)
            _shoot(page, f"{area}-fr-390")
            page.set_viewport_size({"width": 1280, "height": 900})
