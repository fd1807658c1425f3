"""The trackers' settings pages and reporting from a conversation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ambassade.bugreports.models import BugReport, Tracker
from tests.bugreports.helpers import complaint, tracker


def test_a_manager_adds_a_tracker_and_is_shown_its_webhook_never_its_token(
    personas: Any, client: Any
) -> None:
    slug = personas.workspace_a.slug
    client.force_login(personas.alice)
    url = reverse("bugreports:tracker_create", args=[slug]) + "?kind=github"
    form = client.get(url).content.decode()
    assert 'name="repository"' in form and 'name="project_key"' not in form
    response = client.post(
        url,
        {
            "name": "App",
            "repository": "octocat/Hello-World",
            "token": "github_pat_SECRET",
            "labels": "",
        },
    )
    made = Tracker.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bugreports:tracker_edit", args=[slug, made.pk])
    page = client.get(response["Location"]).content.decode()
    assert str(made.hook_id) in page and "github_pat_SECRET" not in page
    # Saved with the token left empty: the token is kept.
    client.post(response["Location"], {"name": "App 2", "repository": "octocat/Other", "token": ""})
    made.refresh_from_db()
    assert made.name == "App 2" and made.secret().reveal()["token"] == "github_pat_SECRET"


def test_a_bad_setting_is_named_and_nothing_is_saved(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    url = reverse("bugreports:tracker_create", args=[personas.workspace_a.slug]) + "?kind=jira"
    html = client.post(
        url,
        {
            "name": "Jira",
            "site": "http://jira.example.com",
            "project_key": "SUP",
            "issue_type": "Bug",
            "email": "a@example.com",
            "api_token": "t",
        },
    ).content.decode()
    assert "must be an https:// address" in html
    assert not Tracker.objects.exists()


def test_only_managers_set_trackers_up(personas: Any, client: Any) -> None:
    client.force_login(personas.bob)
    url = reverse("bugreports:trackers", args=[personas.workspace_a.slug])
    assert client.get(url).status_code == 403


def test_a_report_is_sent_from_the_conversations_panel(personas: Any, client: Any) -> None:
    made = complaint(personas)
    target = tracker(personas)
    slug = personas.workspace_a.slug
    client.force_login(personas.bob)
    page = client.get(reverse("inbox:conversation", args=[slug, made.pk])).content.decode()
    assert "Report a bug to the technical team" in page and 'value="Charged twice"' in page
    response = client.post(
        reverse("bugreports:report", args=[slug, made.pk]),
        {"tracker": target.pk, "title": "Double charge", "description": "", "include_quote": "on"},
    )
    assert response.status_code == 302
    (found,) = BugReport.objects.all()
    assert found.state == BugReport.State.SENDING and found.created_by == personas.bob
    assert "Order 4412" in found.quote
    panel = client.get(reverse("bugreports:panel", args=[slug, made.pk])).content.decode()
    assert "Being sent" in panel and 'hx-trigger="every 3s"' in panel


def test_a_tracker_of_another_workspace_cannot_be_chosen(personas: Any, client: Any) -> None:
    from ambassade.bugreports import services

    made = complaint(personas)
    tracker(personas)
    other = services.connect(
        personas.workspace_b,
        kind="github",
        name="B",
        config={"repository": "b/app"},
        credentials={"token": "t"},
    )
    client.force_login(personas.bob)
    client.post(
        reverse("bugreports:report", args=[personas.workspace_a.slug, made.pk]),
        {"tracker": other.pk, "title": "x"},
    )
    assert not BugReport.objects.exists()


def test_the_panel_speaks_french(personas: Any, client: Any) -> None:
    made = complaint(personas)
    tracker(personas)
    client.force_login(personas.bob)
    html = client.get(
        reverse("inbox:conversation", args=[personas.workspace_a.slug, made.pk]),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert "Signaler un bug à l'équipe technique" in html and "Envoyer le signalement" in html
