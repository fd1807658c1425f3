"""The inbox's settings pages: automatic assignment, teams, labels and routing rules, managers only;
saved views and availability for everyone who works the inbox."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ambassade.inbox.models import InboxSettings, Label, RoutingRule, SavedView, Team
from ambassade.inbox.services import is_available
from ambassade.workspaces.models import AuditEntry


def url(personas: Any, name: str, *args: Any) -> str:
    return reverse(f"inbox:{name}", args=[personas.workspace_a.slug, *args])


def test_a_manager_sets_up_teams_labels_rules_and_assignment(
    personas: Any, client: Any, brand_query: Any
) -> None:
    client.force_login(personas.alice)
    response = client.post(
        url(personas, "team_create"), {"name": "Care", "members": [personas.bob.pk]}
    )
    assert response.status_code == 302
    team = Team.objects.get()
    assert list(team.members.all()) == [personas.bob]
    client.post(url(personas, "label_create"), {"name": "Refund", "color": "#b42318"})
    label = Label.objects.get()
    client.post(
        url(personas, "settings"),
        {"auto_assign": "least_loaded", "default_team": team.pk, "own_mentions": "on"},
    )
    config = InboxSettings.objects.get()
    assert (config.auto_assign, config.default_team, config.own_post_replies) == (
        "least_loaded", team, False,
    )  # fmt: skip
    client.post(
        url(personas, "rule_create"),
        {"name": "Angry", "enabled": "on", "query": brand_query.pk, "sentiment": "negative",
         "team": team.pk, "label": label.pk},
    )  # fmt: skip
    assert RoutingRule.objects.get().sentiment == "negative"
    page = client.get(url(personas, "settings")).content.decode()
    assert "Care" in page and "Refund" in page and "Angry" in page
    assert AuditEntry.objects.filter(action__startswith="inbox.").count() == 4


def test_a_rule_needs_a_condition_and_names_are_unique(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(url(personas, "rule_create"), {"name": "Everything", "enabled": "on"})
    assert response.status_code == 200
    assert "Give at least one condition" in response.content.decode()
    Label.objects.create(workspace=personas.workspace_a, name="VIP")
    response = client.post(url(personas, "label_create"), {"name": "vip", "color": "#000000"})
    assert "A label of this name exists already." in response.content.decode()
    response = client.post(url(personas, "label_create"), {"name": "Bad", "color": "red"})
    assert "Give a colour as #rrggbb." in response.content.decode()
    assert not RoutingRule.objects.exists() and Label.objects.count() == 1


def test_an_editor_cannot_change_the_settings(personas: Any, client: Any) -> None:
    client.force_login(personas.bob)
    assert client.get(url(personas, "settings")).status_code == 403
    assert client.post(url(personas, "team_create"), {"name": "Mine"}).status_code == 403
    assert not Team.objects.exists()


def test_a_person_saves_a_view_and_switches_availability(personas: Any, client: Any) -> None:
    client.force_login(personas.bob)
    client.post(
        url(personas, "view_create"),
        {"name": "My French questions", "filters": "intent=question&lang=fr&evil=1&view=mine",
         "shared": "on"},
    )  # fmt: skip
    view = SavedView.objects.get()
    # Only the known filters are kept; an editor cannot share a view.
    assert view.owner == personas.bob
    assert sorted(view.filters.split("&")) == ["assignee=me", "intent=question", "lang=fr"]
    assert "My French questions" in client.get(url(personas, "list")).content.decode()
    client.force_login(personas.alice)
    assert "My French questions" not in client.get(url(personas, "list")).content.decode()
    client.post(url(personas, "view_delete", view.pk))
    assert SavedView.objects.exists()  # not Alice's
    client.force_login(personas.bob)
    client.post(url(personas, "availability"), {"available": "0"})
    assert not is_available(personas.workspace_a, personas.bob)
    client.post(url(personas, "view_delete", view.pk))
    assert not SavedView.objects.exists()
