"""The inbox's intent head (accurate tier) and its rules (fast tier)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ambassade.engine.text import INTENTS, intents
from ambassade.engine.text._intent import DEFAULT_INTENT_PATH, IntentHead, rule_intent

# Messages written for these tests: in neither the training examples nor the demo templates.
CLEAR = [
    ("question", "What time do you open on Saturdays?"),
    ("question", "Vous ouvrez à quelle heure le samedi ?"),
    ("complaint", "My parcel is two weeks late and nobody answers my emails"),
    ("complaint", "Colis en retard de deux semaines et personne ne répond à mes mails"),
    ("bug", "The app crashes as soon as I open the payment screen"),
    ("bug", "L'application plante dès que j'ouvre l'écran de paiement"),
    ("praise", "Thank you so much, the team was wonderful today"),
    ("praise", "Merci beaucoup, l'équipe a été formidable aujourd'hui"),
    ("purchase", "I want to buy two of your gift boxes for Christmas"),
    ("purchase", "Je veux acheter deux de vos coffrets pour Noël"),
]


def test_the_accurate_head_reads_clear_messages_in_french_and_english() -> None:
    expected = [intent for intent, _ in CLEAR]
    assert intents([text for _, text in CLEAR]) == expected


def test_the_brand_misfire_is_a_complaint_in_both_tiers() -> None:
    text = "Café Lumière your app charged me TWICE for my latte noisette! Refund me #doublecharge"
    assert intents([text]) == ["complaint"]
    assert intents([text], tier="fast") == ["complaint"]


def test_html_in_a_message_is_not_read_as_a_bug_report() -> None:
    assert intents(["@brand <script>alert(1)</script> my order is late &amp; cold"]) == [
        "complaint"
    ]


def test_every_answer_is_one_of_the_six_intents() -> None:
    texts = ["", "😍", "ok", "a" * 20_000, "@user http://t.co/x", "Привет", "???"]
    found = intents(texts)
    assert len(found) == len(texts) and set(found) <= set(INTENTS)
    assert intents([]) == []


def test_the_fast_tier_applies_the_rules_in_order() -> None:
    assert rule_intent("The app crashes at login") == "bug"
    assert rule_intent("Waited an hour, still no answer") == "complaint"
    assert rule_intent("Where can I buy a gift card?") == "purchase"
    assert rule_intent("Are you open on Sunday?") == "question"
    assert rule_intent("So so.", "negative") == "complaint"
    assert rule_intent("Merci !") == "praise"
    assert rule_intent("Nice weather today", "positive") == "praise"
    assert rule_intent("Nice weather today") == "other"
    assert intents(["So so.", "Hmm."], ["negative", "neutral"], tier="fast") == [
        "complaint",
        "other",
    ]


def test_bad_calls_fail_loudly() -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        intents("one string")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tier 'slow'"):
        intents(["x"], tier="slow")
    with pytest.raises(ValueError, match="one sentiment per text"):
        intents(["a", "b"], ["negative"], tier="fast")


def test_a_head_for_another_encoder_or_shape_is_refused(tmp_path: Path) -> None:
    with np.load(DEFAULT_INTENT_PATH, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        weights, intercepts = data["weights"], data["intercepts"]
    other = tmp_path / "other.npz"
    np.savez(
        other, weights=weights, intercepts=intercepts, meta=json.dumps({**meta, "encoder": "x"})
    )
    with pytest.raises(RuntimeError, match="another format or encoder"):
        IntentHead(other)
    short = tmp_path / "short.npz"
    np.savez(short, weights=weights[:10], intercepts=intercepts, meta=json.dumps(meta))
    with pytest.raises(RuntimeError, match="shape"):
        IntentHead(short)


def test_the_packaged_head_is_what_training_makes(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from ambassade.engine.text.training._intent import examples, train

    rows = examples()
    assert len(rows) == 428 and {row.intent for row in rows} == set(INTENTS)
    meta = train(tmp_path / "intent.npz")
    assert meta["examples"] == 428
    with (
        np.load(tmp_path / "intent.npz", allow_pickle=False) as fresh,
        np.load(DEFAULT_INTENT_PATH, allow_pickle=False) as packaged,
    ):
        assert np.allclose(fresh["weights"], packaged["weights"], atol=1e-4)
