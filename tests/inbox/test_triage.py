"""Triage: the intent of French and English messages (the engine's head, its rules when the model is
missing), the priority and its one-line explanation in the reader's language, and priorities rising
with waiting time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from ambassade.inbox import services, triage
from ambassade.inbox.models import Conversation

CASES = [
    ("L'appli plante dès que j'ouvre l'onglet commandes (Android 14)", "bug"),
    ("The app crashes when I open the orders tab", "bug"),
    ("Impossible de me connecter à l'application depuis la mise à jour", "bug"),
    ("30 minutes d'attente pour un latte tiède. Décevant.", "complaint"),
    ("Your app charged me TWICE! Refund me", "complaint"),
    ("Ma commande n'est jamais arrivée, toujours aucune réponse", "complaint"),
    ("Est-ce que vous avez des options sans lactose ?", "question"),
    ("Does the cold brew contain nuts", "question"),
    ("Où acheter les grains en ligne", "purchase"),
    ("I want to buy the new chai latte gift box", "purchase"),
    ("Merci à l'équipe, service au top !", "praise"),
    ("Thank you, I love this place", "praise"),
    ("Rendez-vous demain matin", "other"),
]


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_it_reads_the_intent_of_french_and_english_messages(text: str, intent: str) -> None:
    assert triage.classify_intents([text]) == [intent]


def test_the_engines_head_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    # "Love this place": the head reads it as other (a known miss), the rules as praise.
    assert triage.classify_intents(["Love this place"]) == ["other"]


def test_without_the_model_the_rules_decide_with_the_sentiment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ambassade.engine.text import _intent

    def missing() -> None:
        raise FileNotFoundError("intent.npz")

    monkeypatch.setattr(_intent, "default_intent_head", missing)
    assert triage.classify_intents(
        ["Bof", "Yes", "Love this place"], ["negative", "positive", ""]
    ) == [
        "complaint",
        "praise",
        "praise",
    ]


def test_it_explains_the_priority_in_the_readers_language() -> None:
    now = timezone.now()
    conversation = Conversation(
        intent="complaint",
        sentiment="negative",
        contact_followers=12400,
        contact_history=0,
        waiting_since=now - timedelta(hours=3, minutes=10),
        status="open",
    )
    with translation.override("en"):
        assert triage.explain(conversation, now) == (
            "complaint · negative · 12,400 followers · waiting 3 h"
        )
    with translation.override("fr"):
        assert triage.explain(conversation, now) == (
            "réclamation · négatif · 12\xa0400 abonnés · attend depuis 3 h"
        )
    score = triage.priority(
        intent="complaint", sentiment="negative", followers=12400, history=0,
        waiting_since=conversation.waiting_since, now=now,
    )  # fmt: skip
    assert score == 30 + 20 + 18 + 6 and triage.level(score) == "urgent"
    assert triage.level(triage.priority(
        intent="praise", sentiment="positive", followers=10, history=0, waiting_since=None,
    )) == "low"  # fmt: skip


def test_waiting_raises_the_priority_over_time(personas: Any) -> None:
    now = timezone.now()
    conversation = Conversation.objects.create(
        workspace=personas.workspace_a,
        network="mastodon",
        channel="mention",
        thread_key="1",
        intent="question",
        sentiment="neutral",
        waiting_since=now - timedelta(minutes=10),
        status="open",
    )
    assert services.refresh_priorities(now) == 1  # 25 before any refresh: 0 stored
    conversation.refresh_from_db()
    assert conversation.priority == 25
    assert services.refresh_priorities(now + timedelta(hours=5)) == 1
    conversation.refresh_from_db()
    assert conversation.priority == 25 + 12
    assert services.refresh_priorities(now + timedelta(hours=5)) == 0
