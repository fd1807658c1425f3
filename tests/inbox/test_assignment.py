"""Automatic assignment: round-robin and least loaded, among the available members who may reply,
in the conversation's team; turns claimed so that no two assignments take the same one."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.inbox import services
from ambassade.inbox.models import Conversation, InboxSettings, RoutingRule, Status, Team
from tests.inbox.conftest import item


@pytest.fixture
def mode(personas: Any) -> Any:
    def set_mode(value: str, team: Team | None = None) -> None:
        config = services.settings_for(personas.workspace_a)
        config.auto_assign = value
        config.default_team = team
        config.save()

    return set_mode


def assignees(personas: Any) -> list[str]:
    return [
        c.assignee.email if c.assignee else ""
        for c in Conversation.objects.order_by("first_inbound_at", "id").select_related("assignee")
    ]


def test_it_leaves_conversations_unassigned_when_off(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [item("1", "@brand_a hi?", handle="ana")])
    assert assignees(personas) == [""]


def test_it_assigns_in_turn(personas: Any, source: Any, ingest: Any, mode: Any) -> None:
    mode(InboxSettings.AutoAssign.ROUND_ROBIN)
    for i in range(4):
        ingest(source, [item(f"{i}", f"@brand_a question {i}?", handle=f"p{i}")])
    found = assignees(personas)
    assert found[0] != found[1] and found[0] == found[2] and found[1] == found[3]
    assert set(found) == {"alice@example.com", "bob@example.com"}


def test_it_skips_people_who_are_away_or_cannot_reply(
    personas: Any, source: Any, ingest: Any, mode: Any, people: dict[str, Any]
) -> None:
    mode(InboxSettings.AutoAssign.ROUND_ROBIN)
    for role in ("owner", "manager", "moderator"):
        services.set_available(personas.workspace_a, people[role], False)
    for i in range(3):
        ingest(source, [item(f"{i}", f"@brand_a question {i}?", handle=f"p{i}")])
    # Bob (editor) is the only one available who may reply; the analyst and approver may not.
    assert assignees(personas) == ["bob@example.com"] * 3


def test_it_assigns_to_the_least_loaded(personas: Any, source: Any, ingest: Any, mode: Any) -> None:
    ingest(source, [item(f"old{i}", f"@brand_a q{i}?", handle=f"o{i}") for i in range(3)])
    for conversation in Conversation.objects.all():
        services.assign(conversation, user=personas.alice, actor=personas.alice)
    mode(InboxSettings.AutoAssign.LEAST_LOADED)
    ingest(
        source, [item("n1", "@brand_a new?", handle="n1"), item("n2", "@brand_a new?", handle="n2")]
    )
    new = Conversation.objects.filter(thread_key__in=["n1", "n2"])
    assert {c.assignee for c in new} == {personas.bob}
    # Alice's are resolved: now she is the least loaded.
    Conversation.objects.filter(assignee=personas.alice).update(status=Status.RESOLVED)
    ingest(source, [item("n3", "@brand_a again?", handle="n3")])
    assert Conversation.objects.get(thread_key="n3").assignee == personas.alice


def test_it_assigns_within_the_rules_team(
    personas: Any, source: Any, ingest: Any, mode: Any, brand_query: Any
) -> None:
    team = Team.objects.create(workspace=personas.workspace_a, name="Care")
    team.members.add(personas.bob)
    RoutingRule.objects.create(
        workspace=personas.workspace_a, name="Brand", query=brand_query, team=team
    )
    mode(InboxSettings.AutoAssign.ROUND_ROBIN)
    for i in range(3):
        ingest(source, [item(f"{i}", f"lumiere {i}", handle=f"p{i}")])
    assert assignees(personas) == ["bob@example.com"] * 3
    assert set(Conversation.objects.values_list("team", flat=True)) == {team.pk}


def test_a_taken_turn_is_not_taken_twice(
    personas: Any, source: Any, ingest: Any, mode: Any
) -> None:
    from ambassade.inbox.models import Agent

    mode(InboxSettings.AutoAssign.ROUND_ROBIN)
    ingest(source, [item("1", "@brand_a hi?", handle="ana")])
    first = Conversation.objects.get().assignee
    # Another process takes the next turn between the read and the claim: the claim (a conditional
    # UPDATE on the turn's time) must fail, and the next person in line be tried.
    original = Agent.objects.filter
    calls = {"n": 0}

    def racing_filter(*args: Any, **kwargs: Any) -> Any:
        if "last_assigned_at" in kwargs and calls["n"] == 0:
            calls["n"] += 1
            original(workspace=kwargs["workspace"], user_id=kwargs["user_id"]).update(
                last_assigned_at=kwargs["last_assigned_at"] or first.date_joined
            )
        return original(*args, **kwargs)

    import unittest.mock

    with unittest.mock.patch.object(Agent.objects, "filter", side_effect=racing_filter):
        ingest(source, [item("2", "@brand_a hello?", handle="bob")])
    # The other person's turn was taken by the other process: this one goes to the next in line.
    assert calls["n"] == 1
    assert Conversation.objects.get(thread_key="2").assignee == first
