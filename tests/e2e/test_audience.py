"""The audience, competitors and traffic pages as a person reads them in Chromium: each chart drawn
by the vendored Vega under the Content-Security-Policy (the page fixture fails on any refusal), its
table behind it, a period chosen in the form, and the way from one page to the next."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD, Personas

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def _drawn(page: Any, count: int) -> None:
    """Wait until ``count`` charts are drawn (charts.js marks them), none failed."""
    page.locator(".chart-canvas.chart-drawn").nth(count - 1).wait_for()
    assert page.locator(".chart-failed").count() == 0
    assert page.locator(".chart-canvas.chart-drawn svg").count() >= count


def test_audience_competitors_and_traffic_draw_their_charts_with_their_tables(
    page: Any, live_server: Any, personas: Personas, settings: Any
) -> None:
    from ambassade.analytics.audience_demo import ensure_demo_audience

    settings.LANGUAGE_CODE = "en"
    ensure_demo_audience(personas.workspace_a, personas.alice, io.StringIO())
    base, slug = live_server.url, personas.workspace_a.slug
    page.set_default_timeout(60_000)  # the shared machine can be slow; nothing here waits on time
    _log_in(page, base, "alice@example.com")

    # Audience: followers per day and the best time to post, each with the table of its numbers.
    page.goto(f"{base}/w/{slug}/analytics/audience/")
    _drawn(page, 2)
    followers = page.locator("figure.chart").first
    followers.get_by_text("Show the numbers as a table").click()
    expect(followers.locator("table tbody tr").first).to_be_visible()
    # A period of its own, written as ISO dates.
    today = timezone.localdate()
    start = today - timedelta(days=59)
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"start={start.isoformat()}"))
    _drawn(page, 2)

    # Competitors, keeping the period: the demo's two rivals beside the brand's accounts.
    page.locator(".page-actions").get_by_role("link", name="Competitors").click()
    page.wait_for_url(re.compile(rf"/analytics/competitors/\?start={start.isoformat()}"))
    _drawn(page, 2)
    # On paper: the forms and download links go, the tables behind the charts are printed open.
    page.emulate_media(media="print")
    rival_followers = page.locator("figure.chart").nth(1)
    expect(rival_followers.locator("table tbody tr").first).to_be_visible()
    expect(page.locator(".chart-download").first).to_be_hidden()
    page.emulate_media(media="screen")
    expect(rival_followers.locator("table tbody tr").first).to_be_hidden()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert rival_followers.locator("details.chart-table").get_attribute("open") is not None
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert rival_followers.locator("details.chart-table").get_attribute("open") is None
    expect(page.get_by_text("Brûlerie Martin").first).to_be_visible()
    expect(page.get_by_text("Grains d'Or").first).to_be_visible()

    # The accounts side by side fit a laptop's page (1280 px) without scrolling, in English and
    # in French (longer words), and the page fits a 375 px phone (the rows stacked).
    fits = """() => { const table = document.querySelector('.accounts-table');
      return table.scrollWidth <= table.closest('.table-wrap').clientWidth; }"""
    assert page.evaluate(fits)
    page.get_by_role("button", name="FR", exact=True).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".accounts-table th").nth(2)).to_contain_text("période précédente")
    assert page.evaluate(fits)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("button", name="EN", exact=True).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Traffic: visits from social per day, and the tables by channel, network and campaign.
    page.goto(f"{base}/w/{slug}/analytics/traffic/")
    _drawn(page, 1)
    expect(page.get_by_text("carte-hiver").first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Download")).first).to_be_visible()
    page.wait_for_load_state("networkidle")  # nothing in flight when the live server stops
