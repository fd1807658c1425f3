"""Plain customer messages, written for these tests (not taken from any data set): harmless praise
and complaints must not be called offensive, and their polarity must be right."""

from __future__ import annotations

import pytest

from ambassade.engine.text import analyze

PRAISE = [
    "Merci pour l'accueil chaleureux, on reviendra avec plaisir",
    "Le nouveau menu est délicieux, bravo à toute l'équipe",
    "Livraison rapide et produit parfait, je suis ravie",
    "Thank you so much, the staff were wonderful and the food was excellent",
    "Great service today, my order arrived early and everything was perfect",
]
COMPLAINTS = [
    "Toujours pas remboursé après trois semaines, c'est inacceptable",
    "Commande arrivée cassée et aucune réponse du service client, très déçu",
    "Encore un retard de deux heures, c'est scandaleux",
    "Still waiting for my refund after three weeks, this is unacceptable",
    "The package arrived broken and nobody answers my emails, very disappointed",
]
# Two messages of the demo stream (src/ambassade/listening/demo.py): the praise used to score 0.79
# offensive, the complaint is read as neutral.
DEMO_PRAISE = "Le bagel de chez Nova Coffee ce matin, un petit bonheur ☕"
DEMO_COMPLAINT = "Café Lumière toujours aucune réponse sur les doubles paiements, inadmissible"


# Known misses of the accurate tier, kept as strict expected failures so that a model that gets them
# right is noticed. The French sentiment heads learn from 1,839 ironic DEFT-2017 tweets (UMSAB French)
# and miss this plain complaint; the French offensive heads learn from hate-keyword sets (MLMA, FTR)
# and read an angry complaint as offensive. See docs/text-analysis.md, "Limits".
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="a known miss (docs/text-analysis.md, Limits)")
ANGRY_COMPLAINT = COMPLAINTS[2]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(text, marks=KNOWN_MISS) if text == ANGRY_COMPLAINT else text
        for text in [*PRAISE, *COMPLAINTS, DEMO_PRAISE, DEMO_COMPLAINT]
    ],
)
def test_plain_customer_messages_are_not_offensive(text: str) -> None:
    (result,) = analyze([text])
    assert result.offensive < 0.5
    assert result.hateful < 0.5
    assert result.spam < 0.5


@pytest.mark.parametrize(
    "text",
    # The French head over e5-small reads the demo's "petit bonheur" as neutral (+0.25).
    [*PRAISE, pytest.param(DEMO_PRAISE, marks=KNOWN_MISS)],
)
def test_praise_is_positive(text: str) -> None:
    (result,) = analyze([text])
    assert result.sentiment == "positive", result


@pytest.mark.parametrize("text", [*COMPLAINTS, DEMO_COMPLAINT])
def test_complaints_are_negative(text: str) -> None:
    (result,) = analyze([text])
    assert result.sentiment == "negative", result


def test_insults_still_count() -> None:
    insult_fr, insult_en = analyze(
        ["Bande d'abrutis, vous êtes des incapables", "You are all useless idiots, pathetic"]
    )
    assert insult_en.offensive > 0.5
    polite_fr, _ = analyze([PRAISE[0], PRAISE[3]])
    assert insult_fr.offensive > polite_fr.offensive


def test_plain_french_hate_statements_are_flagged() -> None:
    """Written for this test (not in the behaviour suites): the French hate head learnt this register
    from English hate rows through e5-small (it scored them 0.17 and 0.32 before)."""
    hateful = ["Les femmes sont inférieures aux hommes.", "Les Noirs sont des sous-hommes."]
    harmless = [
        "J'ai rencontré des musulmans très sympas à la boulangerie.",
        "Les femmes de l'équipe ont fait un travail remarquable.",
        "Merci au magasin de Lille pour l'accueil.",
    ]
    results = analyze([*hateful, *harmless])
    assert [r.hateful > 0.5 for r in results] == [True, True, False, False, False], results


def test_plain_french_insults_are_offensive() -> None:
    """Written for this test (not in the behaviour suites): the French offensive head learnt insults
    from English rows through e5-small (it scored them 0.49 and 0.25 before)."""
    insults = ["Ferme ta gueule, espèce de guignol.", "T'es vraiment un gros naze, toi."]
    harmless = ["Le café était froid et le serveur peu aimable.", "Cette promo est une tuerie."]
    results = analyze([*insults, *harmless])
    assert [r.offensive > 0.5 for r in results] == [True, True, False, False], results
