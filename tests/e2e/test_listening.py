"""Listening as a person clicks through it in Chromium: write a query and watch its preview, filter
the stream, correct a mention's sentiment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, Personas
from tests.listening.conftest import days_ago, fake_analyse, item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def test_it_writes_a_query_filters_the_stream_and_corrects_a_sentiment(
    page: Any, live_server: Any, personas: Personas, monkeypatch: Any
) -> None:
    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Feedback, ListeningQuery, Mention, Source

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    pipeline.forget_caches()
    source = Source.objects.create(workspace=personas.workspace_a, name="Feed", kind="mastodon")
    services.ingest(
        source,
        [
            item("1", "I love the Lumière latte", handle="ana", at=days_ago(1)),
            item("2", "Lumière service was terrible today", handle="bob", at=days_ago(2)),
            item("3", "Unrelated message about tea", handle="carl", at=days_ago(3)),
        ],
    )
    slug = personas.workspace_a.slug
    _log_in(page, live_server.url, "bob@example.com")

    # A query: a syntax error is pointed at while typing, then the preview counts the matches.
    page.goto(f"{live_server.url}/w/{slug}/listening/queries/new/")
    page.get_by_label("Name").fill("Brand")
    query_field = page.get_by_label("Query", exact=True)
    query_field.fill("lumiere AND (")
    preview = page.locator("#query-preview")
    preview.get_by_text(re.compile("Column 14")).wait_for()
    query_field.fill("lumiere")
    preview.get_by_text("Would have matched 2 mentions in the last 30 days.").wait_for()
    assert "I love the Lumière latte" in preview.inner_text()
    page.get_by_role("button", name="Create the query").click()
    page.wait_for_url(re.compile("/listening/queries/$"))
    assert ListeningQuery.objects.filter(workspace=personas.workspace_a, text="lumiere").exists()

    # The stream, filtered by sentiment.
    page.goto(f"{live_server.url}/w/{slug}/listening/")
    assert page.locator(".mention").count() == 3
    page.get_by_label("Sentiment").select_option("negative")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile("sentiment=negative"))
    assert page.locator(".mention").count() == 1

    # Open it and correct its sentiment.
    page.get_by_role("link", name=re.compile("service was terrible")).click()
    page.get_by_role("button", name="Neutral").click()
    page.get_by_text("The sentiment was corrected. Thank you.").wait_for()
    mention = Mention.objects.get(external_id="2")
    assert mention.sentiment == "neutral" and mention.sentiment_corrected
    assert Feedback.objects.get().value == "neutral"


def test_an_owner_corrects_offensive_and_hateful_and_downloads_the_corrections(
    page: Any, live_server: Any, personas: Personas, monkeypatch: Any, tmp_path: Any
) -> None:
    import json

    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Feedback, Mention, Source

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    pipeline.forget_caches()
    source = Source.objects.create(workspace=personas.workspace_a, name="Feed", kind="mastodon")
    services.ingest(source, [item("1", "Lumière, bunch of clowns", handle="ana", at=days_ago(1))])
    mention = Mention.objects.get(external_id="1")
    Mention.objects.filter(pk=mention.pk).update(offensive=0.2, hateful=0.1)
    _log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/listening/mentions/{mention.pk}/")
    offensive = page.locator("fieldset", has_text="Is it offensive")
    offensive.get_by_role("button", name="Offensive", exact=True).click()
    page.get_by_text("The analysis was corrected. Thank you.").wait_for()
    expect(page.get_by_text("not offensive → offensive")).to_be_visible()
    pressed = page.locator("fieldset", has_text="Is it offensive").get_by_role(
        "button", name="Offensive", exact=True
    )
    assert pressed.get_attribute("aria-pressed") == "true"
    assert Mention.objects.get(pk=mention.pk).offensive == 1.0
    assert Feedback.objects.get().kind == "offensive"

    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/listening/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download corrections").click()
    target = tmp_path / "corrections.jsonl"
    download.value.save_as(target)
    (line,) = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["label"] == "offensive"
