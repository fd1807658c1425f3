"""The public survey page: one click, in the conversation's language, nothing else of the workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.satisfaction import services
from ambassade.satisfaction.models import Survey
from tests.satisfaction.test_services import resolved, token_of


@pytest.fixture
def asked(personas: Any) -> tuple[Survey, str]:
    made = resolved(personas, "a")
    made.contact_name = "Zoé <b>Martin</b>"
    made.save()
    result = services.ask(made)
    assert result is not None
    return result.survey, reverse("satisfaction:survey", args=[token_of(result.text)])


def test_it_asks_with_five_buttons_and_shows_nothing_else_of_the_workspace(
    asked: tuple[Survey, str], client: Any, personas: Any
) -> None:
    _, url = asked
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "How satisfied are you with the answer Brand A gave you?" in html
    assert html.count('name="score"') == 5
    # Not the conversation, the customer, the agent, the workspace's navigation or its slug.
    for secret in ("my order is late", "Sorry, it ships today", "Zoé", "Bob", "Durand"):
        assert secret not in html
    assert personas.workspace_a.slug not in html and "sidebar" not in html
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


def test_one_click_records_the_score_then_a_comment(asked: tuple[Survey, str], client: Any) -> None:
    survey, url = asked
    response = client.post(url, {"score": "4"})
    assert response.status_code == 302 and response["Location"] == url + "?thanks=1"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you! Your answer is recorded." in page and 'aria-pressed="true"' in page
    client.post(url, {"score": "4", "comment": "Fast <i>and</i> kind"})
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "Fast <i>and</i> kind")
    assert "Fast &lt;i&gt;and&lt;/i&gt; kind" in client.get(url).content.decode()


def test_it_speaks_french_to_a_french_conversation(personas: Any, client: Any) -> None:
    result = services.ask(resolved(personas, "fr", lang="fr"))
    assert result is not None
    url = reverse("satisfaction:survey", args=[token_of(result.text)])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in html
    assert "Êtes-vous satisfait de la réponse de Brand A ?" in html


def test_it_refuses_a_bad_score_or_a_bad_address(asked: tuple[Survey, str], client: Any) -> None:
    survey, url = asked
    html = client.post(url, {"score": "9"}).content.decode()
    assert "Choose a score from 1 to 5." in html
    survey.refresh_from_db()
    assert survey.score is None
    assert client.get(url.replace("/s/", "/s/x")).status_code == 404
    assert client.get(reverse("satisfaction:survey", args=["forged.token"])).status_code == 404


def test_an_old_survey_says_it_has_expired(asked: tuple[Survey, str], client: Any) -> None:
    survey, url = asked
    Survey.objects.filter(pk=survey.pk).update(created_at=timezone.now() - timedelta(days=60))
    html = client.get(url).content.decode()
    assert "This survey has expired." in html and 'name="score"' not in html
    client.post(url, {"score": "5"})
    survey.refresh_from_db()
    assert survey.score is None
