"""Every page fits a phone (issue #10, item 23): Chromium at 390 px opens every URL of the product that
answers GET with a page — the URL configuration is walked as tests/test_access.py does, so a page added
later is checked too — in English and in French, on a workspace holding the demo's content (long
account names, notifications, a crisis, posts), and the document may not be wider than the screen."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import PASSWORD, Personas
from tests.test_access import ROUTES, SAMPLES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# The elements sticking out, for the failure message: those wider than the screen whose parent is not
# (the outermost culprits), leaving out what sits in a scrolling or clipping box.
CULPRITS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5 || clipped(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (parent.right > width + 0.5 && el.parentElement !== document.body) continue;
    const label = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    found.push(`${label} (to ${Math.round(box.right)} px): ${el.textContent.trim().slice(0, 40)}`);
  }
  return {width: document.documentElement.scrollWidth, culprits: found.slice(0, 5)};
}"""


def _content(personas: Personas) -> None:
    """Workspace A as the demo brand has it: mentions and queries, alert rules and their alerts with
    notifications, a playbook, statements and contacts, posts in every state, accounts to reconnect."""
    from ambassade.crisis.demo import ensure_demo_alerts
    from ambassade.listening.demo import ensure_demo_stream
    from ambassade.publishing.demo import ensure_demo_posts
    from ambassade.workspaces import services

    out = io.StringIO()
    ensure_demo_stream(personas.workspace_a, out, days=3)
    ensure_demo_alerts(personas.workspace_a, personas.alice, out)
    ensure_demo_posts(personas.workspace_a, personas.alice, personas.bob, out)
    services.connect_account(
        personas.workspace_a,
        network="bluesky",
        account_name="cafelumiere-officiel.bsky.social.example",
        secret={"access_token": "x"},
        actor=personas.alice,
    )


def _pages(personas: Personas) -> list[tuple[str, str]]:
    """(name, path) of every URL with its arguments filled with workspace A's objects."""
    from django.urls import reverse

    pages = []
    for route in ROUTES:
        if not route.name or route.name in {"logout", "set_language"}:
            continue
        if any(argument not in SAMPLES for argument in route.arguments):
            continue  # tests/test_access.py fails for these
        kwargs = {argument: SAMPLES[argument](personas) for argument in route.arguments}
        pages.append((route.name, reverse(route.name, kwargs=kwargs)))
    return pages


def _log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=email]").fill("alice@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_every_page_fits_a_phone_in_english_and_french(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    pages = _pages(personas)  # first: the samples are each model's first object of workspace A
    _content(personas)
    assert len(pages) > 60  # the walk found the product's pages
    too_wide: list[str] = []
    seen = 0
    for language in ("en", "fr"):
        context = browser.new_context(
            locale="en-GB" if language == "en" else "fr-FR", viewport=PHONE
        )
        context.set_default_timeout(15_000)
        tab = context.new_page()
        _log_in(tab, live_server.url)
        tab.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/")
        tab.get_by_role("button", name=language.upper(), exact=True).first.click()
        tab.wait_for_load_state()
        assert tab.locator("html").get_attribute("lang") == language
        for name, path in pages:
            probe = context.request.get(live_server.url + path)
            if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
                continue  # POST only (405), a file (CSV, PDF, image): not a page to look at
            tab.goto(live_server.url + path)
            tab.wait_for_load_state()
            seen += 1
            measured = tab.evaluate(CULPRITS)
            if measured["width"] > PHONE["width"]:
                too_wide.append(
                    f"{language} {name} {path}: {measured['width']} px; "
                    + "; ".join(measured["culprits"])
                )
        context.close()
    assert seen > 80
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)


def test_every_analytics_area_fits_a_phone_in_french(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    # The walk above opens one area (its sample); the others have their own long French words
    # ("Audience : abonnés et meilleur moment pour publier" beside a card's title).
    _content(personas)
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    _log_in(tab, live_server.url)
    tab.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/")
    tab.get_by_role("button", name="FR", exact=True).first.click()
    tab.wait_for_load_state()
    too_wide = []
    for area in ("listening", "publishing", "inbox", "community"):
        tab.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/analytics/areas/{area}/")
        tab.wait_for_load_state()
        assert tab.locator("html").get_attribute("lang") == "fr"
        measured = tab.evaluate(CULPRITS)
        if measured["width"] > PHONE["width"]:
            too_wide.append(f"{area}: {measured['width']} px; " + "; ".join(measured["culprits"]))
    context.close()
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)
