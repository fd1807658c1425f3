"""A contest as its organiser and an entrant click through it in Chromium: entries in, the close
frozen, the winners drawn, and the published draw file checked on the public verification page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_contest_is_drawn_and_its_draw_verified(
    page: Any, live_server: Any, personas: Personas, tmp_path: Any
) -> None:
    from ambassade.contests import entries, services
    from ambassade.contests.models import Contest

    now = timezone.now()
    contest = services.create_contest(
        personas.workspace_a,
        personas.alice,
        name="Win a mug",
        organiser="Café Lumière SAS",
        prize="a mug",
        starts_at=now - timedelta(days=3),
        closes_at=now - timedelta(minutes=1),
        winners=2,
        reserves=1,
        form_entry=True,
    )
    for n in range(6):
        entries.enter_by_form(
            contest,
            name=f"Person {n}",
            email=f"p{n}@example.com",
            lang="en",
            now=now - timedelta(days=2),
        )
    _log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/contests/")
    page.get_by_role("link", name="Win a mug").click()
    commitment = page.locator("[data-commitment]").inner_text()
    assert commitment == contest.commitment
    page.get_by_role("button", name="Freeze the entries now").click()
    page.get_by_text("The entries are frozen.").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Draw the winners").click()
    page.get_by_text("The winners are drawn and the seed is published.").wait_for()
    drawn = Contest.objects.get(pk=contest.pk)
    assert len(drawn.results) == 3
    expect(page.get_by_text("Winner 1", exact=True)).to_be_visible()

    # The public page, as anyone sees it: the same commitment, the seed, the winning codes.
    public = page.context.new_page()
    public.goto(f"{live_server.url}/contests/{contest.token}/")
    assert public.locator("[data-commitment]").inner_text() == commitment
    assert public.locator("[data-seed]").inner_text() == drawn.seed_hex
    for code in drawn.results:
        expect(public.get_by_text(code, exact=True)).to_be_visible()
    with public.expect_download() as download:
        public.get_by_role("link", name="Download the draw file").click()
    path = tmp_path / "draw.json"
    download.value.save_as(path)
    public.get_by_role("link", name="Check it").click()
    public.get_by_label("Draw file (draw.json)").set_input_files(str(path))
    public.get_by_role("button", name="Check the draw").click()
    verdict = public.locator("[data-verified]")
    assert verdict.get_attribute("data-verified") == "yes"
    assert "The draw is verified" in verdict.inner_text()
