"""The results page, the settings, and the conversation's satisfaction panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ambassade.satisfaction import services
from ambassade.satisfaction.models import SatisfactionSettings, Survey
from tests.satisfaction.test_services import resolved


def test_the_results_show_per_person_and_the_latest_comments_escaped(
    personas: Any, client: Any
) -> None:
    for key, score, comment in (("a", 5, "Great <b>help</b>"), ("b", 3, "")):
        asked = services.ask(resolved(personas, key))
        assert asked is not None
        services.answer(asked.survey, score=score, comment=comment)
    client.force_login(personas.bob)
    url = reverse("satisfaction:results", args=[personas.workspace_a.slug])
    html = client.get(url).content.decode()
    assert "Bob Durand" in html and "4.00" in html and "50 %" in html
    assert "Great &lt;b&gt;help&lt;/b&gt;" in html and "<b>help" not in html
    html = client.get(url, {"by": "network"}).content.decode()
    assert "Mastodon" in html
    html = client.get(url, {"start": "2999-01-01"}).content.decode()
    assert "No survey in this period." in html


def test_only_managers_change_the_setting(personas: Any, client: Any) -> None:
    url = reverse("satisfaction:settings", args=[personas.workspace_a.slug])
    client.force_login(personas.bob)
    assert client.post(url, {"enabled": "on", "delay_minutes": "10"}).status_code == 403
    client.force_login(personas.alice)
    client.post(url, {"enabled": "on", "delay_minutes": "10"})
    found = SatisfactionSettings.objects.get(workspace=personas.workspace_a)
    assert found.enabled and found.delay_minutes == 10 and found.enabled_at is not None
    client.post(url, {"enabled": "on", "delay_minutes": "-5"})
    found.refresh_from_db()
    assert found.delay_minutes == 10


def test_a_resolved_conversation_can_be_asked_by_hand_and_the_question_prepared(
    personas: Any, client: Any
) -> None:
    made = resolved(personas, "a")
    slug = personas.workspace_a.slug
    client.force_login(personas.bob)
    page = client.get(reverse("inbox:conversation", args=[slug, made.pk])).content.decode()
    assert "Ask for satisfaction" in page
    client.post(reverse("satisfaction:ask", args=[slug, made.pk]))
    survey = Survey.objects.get(conversation=made)
    first_hash = survey.token_hash
    html = client.post(reverse("satisfaction:prepare", args=[slug, made.pk])).content.decode()
    assert "How satisfied are you with our answer?" in html and "data-suggestion-insert" in html
    survey.refresh_from_db()
    assert survey.token_hash != first_hash  # a new link: only the one sent works
    client.post(reverse("satisfaction:sent", args=[slug, made.pk]))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.SENT and survey.sent_at is not None
    assert client.post(reverse("satisfaction:prepare", args=[slug, made.pk])).status_code == 409


def test_an_open_conversation_is_not_asked(personas: Any, client: Any) -> None:
    from tests.suggestions.helpers import conversation

    made = conversation(personas.workspace_a, "open", [("in", "hello")])
    client.force_login(personas.bob)
    client.post(reverse("satisfaction:ask", args=[personas.workspace_a.slug, made.pk]))
    assert not Survey.objects.exists()


def test_the_panel_shows_the_answer(personas: Any, client: Any, people: Any) -> None:
    made = resolved(personas, "a")
    asked = services.ask(made)
    assert asked is not None
    services.answer(asked.survey, score=2, comment="Too slow <script>")
    client.force_login(people["analyst"])
    page = client.get(
        reverse("inbox:conversation", args=[personas.workspace_a.slug, made.pk])
    ).content.decode()
    assert "2 out of 5" in page and "Too slow &lt;script&gt;" in page
    assert "Ask for satisfaction" not in page
