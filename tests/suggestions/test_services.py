"""Suggested replies from the workspace's own inbox: exchanges, the index per workspace, filling."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.inbox.models import Message
from ambassade.suggestions import services
from tests.suggestions.helpers import conversation


@pytest.fixture(autouse=True)
def fresh_indexes() -> Any:
    services.forget()
    yield
    services.forget()


def history(personas: Any) -> None:
    a = personas.workspace_a
    conversation(
        a,
        "t1",
        [
            ("in", "Where is my order? It has not arrived"),
            ("out", "Hi Ana, please DM us your order number. ^Bob"),
        ],
        contact_name="Ana Lopez",
        sender=personas.bob,
    )
    conversation(
        a,
        "t2",
        [
            ("in", "my order never came"),
            ("in", "still waiting for it!!"),
            ("note", "internal: check the carrier"),
            ("out", "Sorry! Please DM us your order number."),
        ],
        sender=personas.bob,
    )
    conversation(
        a,
        "t3",
        [("in", "love the new latte"), ("out", "Thank you so much, enjoy it! -Bob")],
        sender=personas.bob,
    )
    # Workspace B's answers are never suggested to A.
    conversation(
        personas.workspace_b,
        "b1",
        [("in", "where is my order"), ("out", "B's secret answer about orders")],
    )


def test_it_pairs_each_answer_with_what_the_person_said_since_the_last_one(personas: Any) -> None:
    history(personas)
    rows = (
        services._answers(personas.workspace_a)
        .order_by("conversation_id", "created_at", "id")
        .values(*services._FIELDS)
    )
    found = [(inbound, reply) for _, inbound, reply, _, _ in services.exchanges(rows)]
    assert found == [
        ("Where is my order? It has not arrived", "Hi Ana, please DM us your order number. ^Bob"),
        ("my order never came\nstill waiting for it!!", "Sorry! Please DM us your order number."),
        ("love the new latte", "Thank you so much, enjoy it! -Bob"),
    ]


def test_it_suggests_the_workspaces_own_answers_with_known_names_filled(personas: Any) -> None:
    history(personas)
    asking = conversation(
        personas.workspace_a, "new", [("in", "where is my order??")], contact_name="Zoé Martin"
    )
    shown = services.suggest_for(asking, personas.alice)
    texts = [s.text for s in shown]
    assert texts[0] in (
        "Hi Zoé, please DM us your order number. Alice",
        "Sorry! Please DM us your order number.",
    )
    assert all("B's secret" not in text for text in texts)
    assert all("Ana" not in text and "Bob" not in text for text in texts)
    # The two "DM us your order number" answers are one suggestion; the latte one completes.
    assert len(shown) == 2 and texts[1] == "Thank you so much, enjoy it! Alice"


def test_it_leaves_unknown_placeholders_for_the_agent(personas: Any) -> None:
    conversation(
        personas.workspace_a,
        "t1",
        [
            ("in", "refund for order 123456789?"),
            ("out", "Refund for order 123456789 is on its way"),
        ],
    )
    asking = conversation(personas.workspace_a, "new", [("in", "my refund please")])
    (shown,) = services.suggest_for(asking, personas.alice)
    assert shown.text == "Refund for order {ticket} is on its way"
    assert shown.missing == ("ticket",)


def test_it_learns_an_answer_sent_since_without_rebuilding(personas: Any) -> None:
    history(personas)
    asking = conversation(personas.workspace_a, "new", [("in", "do you sell gift cards?")])
    services.suggest_for(asking, personas.alice)
    builds = services._ENTRIES[personas.workspace_a.pk].built_at
    conversation(
        personas.workspace_a,
        "t4",
        [("in", "gift cards available?"), ("out", "Yes, gift cards are sold in every café.")],
    )
    shown = services.suggest_for(asking, personas.alice)
    assert shown[0].text == "Yes, gift cards are sold in every café."
    assert services._ENTRIES[personas.workspace_a.pk].built_at == builds


def test_it_leaves_out_deleted_answers_and_the_satisfaction_question(personas: Any) -> None:
    from ambassade.satisfaction import services as satisfaction

    made = conversation(
        personas.workspace_a,
        "t1",
        [("in", "thanks, all good"), ("out", "Glad to hear it!")],
    )
    made.status = "resolved"
    made.save()
    asked = satisfaction.ask(made)
    assert asked is not None
    # Sent by the reply mechanism: an outbound message that must not become a suggestion.
    question = Message.objects.create(
        workspace=made.workspace,
        conversation=made,
        direction=Message.Direction.OUTBOUND,
        origin=Message.Origin.AMBASSADE,
        text=asked.text,
    )
    satisfaction.mark_sent(asked.survey, message=question)
    deleted = conversation(
        personas.workspace_a, "t2", [("in", "thanks"), ("out", "A reply deleted upstream")]
    )
    Message.objects.filter(conversation=deleted, direction="outbound").update(
        deleted_at=deleted.created_at
    )
    asking = conversation(personas.workspace_a, "new", [("in", "thanks!")])
    texts = [s.text for s in services.suggest_for(asking, personas.alice)]
    assert texts == ["Glad to hear it!"]


def test_it_suggests_in_the_conversations_language(personas: Any) -> None:
    a = personas.workspace_a
    conversation(a, "en", [("in", "order late"), ("out", "Sorry, DM us.")], lang="en")
    conversation(
        a, "fr", [("in", "commande en retard"), ("out", "Désolés, écrivez-nous.")], lang="fr"
    )
    asking = conversation(a, "new", [("in", "ma commande est en retard")], lang="fr")
    assert [s.text for s in services.suggest_for(asking, personas.alice)] == [
        "Désolés, écrivez-nous."
    ]


def test_it_fills_what_it_knows() -> None:
    assert services.fill(
        "Hi {first_name}, {agent} here about {ticket}", {"first_name": "Zoé", "agent": ""}
    ) == (
        "Hi Zoé, {agent} here about {ticket}",
        ("agent", "ticket"),
    )
