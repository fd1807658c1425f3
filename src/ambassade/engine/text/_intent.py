"""A message's intent for the inbox: question, complaint, bug, praise, purchase or other.

No public intent data set with a licence that allows shipping a model was available (docs/
text-analysis.md, "Intent"), so the head is trained on a hand-labelled set written for the project
(``training/intent_examples.jsonl``, 360 messages, French and English) and stands on two things:

- **Rules**: a French and English lexicon over the normalised text (lower case, accents removed),
  first written for the inbox's fallback. Each rule is one feature; together, in order, they also
  give the fast tier's answer: a bug names the app, site or a crash with a failure word; a complaint
  has a failure or grievance word; purchase intent names buying, ordering or a price; a question has
  "?" or opens with a question word; then a negative message is a complaint; praise has a thanks or
  admiration word, or is positive; otherwise "other".
- **Sentence vectors**: the accurate tier's multilingual encoder (:mod:`._encoder`), so that a French
  message and its English translation land together, and words the rules do not list still count.

The accurate head is one multinomial logistic regression over the 512 vector dimensions
(``models/intent.npz``: weights, intercepts and a JSON description; no pickle), chosen by repeated
grouped cross-validation (``ambassade bench intent``): the rule features, tried as extra columns, gained
less than one standard deviation of the folds and were left out; the rules stay the fast tier.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ambassade.engine.text._encoder import DIMENSION, ENCODER_NAME, default_encoder
from ambassade.engine.text._normalize import bound, strip_markup

__all__ = [
    "DEFAULT_INTENT_PATH",
    "INTENTS",
    "RULES",
    "IntentHead",
    "default_intent_head",
    "intents",
    "rule_features",
    "rule_intent",
]

INTENTS = ("question", "complaint", "bug", "praise", "purchase", "other")
DEFAULT_INTENT_PATH = Path(__file__).with_name("models") / "intent.npz"
FORMAT_VERSION = 1
_FAST, _ACCURATE = "fast", "accurate"

FloatArray = npt.NDArray[np.float32]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", bound(text).lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_APP = _words(
    r"app", r"appli", r"application", r"site", r"site web", r"website", r"qr code", r"login",
    r"mise a jour", r"update", r"android", r"ios", r"iphone",
)  # fmt: skip
_FAILURE = _words(
    r"bug\w*", r"plante\w*", r"crash\w*", r"erreur", r"error", r"impossible", r"can'?t", r"cannot",
    r"won'?t", r"ne marche\w*", r"marche pas", r"fonctionne pas", r"doesn'?t work", r"not working",
    r"broken", r"ne s'affiche\w*", r"bloque\w*", r"freez\w*", r"panne",
)  # fmt: skip
_COMPLAINT = _words(
    r"decevant\w*", r"disappoint\w*", r"nul+e?", r"terrible", r"inadmissible", r"unacceptable",
    r"scandal\w*", r"rembours\w*", r"refund\w*", r"arnaque\w*", r"scam\w*", r"deux fois", r"twice",
    r"double (?:paiement|prelevement|charge)\w*", r"debite\w*", r"charged", r"jamais plus",
    r"never again", r"honte", r"shame\w*", r"attente", r"waited", r"aucune reponse",
    r"no answer", r"no reply", r"injoignable", r"unreachable", r"plainte", r"complain\w*",
    r"lent\w*", r"slow", r"tiede", r"lukewarm", r"brule", r"burnt", r"ou est ma", r"where is my",
    r"late", r"en retard", r"retard\w*", r"delay\w*", r"missing", r"manquant\w*", r"wrong",
    r"pas recu\w*", r"never (?:arrived|received)", r"not received", r"jamais recu\w*",
    r"casse\w*", r"abime\w*", r"damaged",
)  # fmt: skip
_QUESTION_START = re.compile(
    r"^(?:@\w+\s+)*(?:est-ce|comment|pourquoi|quand|ou|quel\w*|combien|qui|vous|avez|peut-on|"
    r"puis-je|how|why|when|where|what|which|who|do|does|did|can|could|is|are|will|would)\b"
)
_QUESTION = _words(r"est-ce que", r"savez-vous", r"quelqu'un sait", r"anyone know", r"does anyone")
_PURCHASE = _words(
    r"acheter", r"achete\w*", r"commander", r"buy\w*", r"to order", r"pre-?order\w*", r"prix",
    r"price\w*", r"tarif\w*", r"coffret", r"abonnement", r"subscri\w*", r"envie de tester",
    r"want to try", r"carte cadeau", r"gift card",
)  # fmt: skip
_PRAISE = _words(
    r"merci\w*", r"thanks?", r"thank you", r"bravo", r"top", r"genial\w*", r"great", r"love\w*",
    r"adore\w*", r"parfait\w*", r"perfect", r"amazing", r"meilleur\w*", r"best", r"super",
    r"excellent\w*", r"delicieu\w*", r"delicious",
)  # fmt: skip

RULES = ("app", "failure", "complaint", "purchase", "question", "praise")
"""The rule features, in the order of :func:`rule_features`' columns."""


def _fired(folded: str) -> tuple[bool, ...]:
    question = (
        "?" in folded
        or bool(_QUESTION_START.search(folded.strip()))
        or bool(_QUESTION.search(folded))
    )
    return (
        bool(_APP.search(folded)),
        bool(_FAILURE.search(folded)),
        bool(_COMPLAINT.search(folded)),
        bool(_PURCHASE.search(folded)),
        question,
        bool(_PRAISE.search(folded)),
    )


def rule_features(texts: Sequence[str]) -> FloatArray:
    """One row per text, one 0/1 column per rule of :data:`RULES`."""
    return np.array([_fired(_fold(text)) for text in texts], dtype=np.float32).reshape(
        len(texts), len(RULES)
    )


def rule_intent(text: str, sentiment: str = "") -> str:
    """The rules alone, in order (the first that fires wins); ``sentiment`` (the engine's, when known)
    settles what the words leave open."""
    app, failure, complaint, purchase, question, praise = _fired(_fold(text))
    if failure and app:
        return "bug"
    if failure or complaint:
        return "complaint"
    if purchase:
        return "purchase"
    if question:
        return "question"
    if sentiment == "negative":
        return "complaint"
    if praise or sentiment == "positive":
        return "praise"
    return "other"


class IntentHead:
    """The accurate tier's intent head: ``softmax(vector @ weights + intercepts)``."""

    def __init__(self, path: Path = DEFAULT_INTENT_PATH) -> None:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            self.weights = data["weights"].astype(np.float32)
            self.intercepts = data["intercepts"].astype(np.float32)
        if meta.get("format") != FORMAT_VERSION or meta.get("encoder") != ENCODER_NAME:
            raise RuntimeError(f"{path} was made for another format or encoder: retrain it")
        if tuple(meta.get("intents", ())) != INTENTS:
            raise RuntimeError(f"{path} names other intents: retrain it")
        if self.weights.shape != (DIMENSION, len(INTENTS)) or self.intercepts.shape != (
            len(INTENTS),
        ):
            raise RuntimeError(f"{path} has weights of shape {self.weights.shape}: retrain it")
        self.meta = meta

    def scores(self, vectors: FloatArray) -> FloatArray:
        """Class probabilities, one row per text, columns in :data:`INTENTS` order."""
        z = vectors @ self.weights + self.intercepts
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        result: FloatArray = z / z.sum(axis=1, keepdims=True)
        return result


_lock = threading.Lock()
_default: IntentHead | None = None


def default_intent_head() -> IntentHead:
    """The packaged head, loaded once per process."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = IntentHead()
    return _default


def intents(
    texts: Sequence[str], sentiments: Sequence[str] | None = None, *, tier: str = _ACCURATE
) -> list[str]:
    """The intent of each message, one of :data:`INTENTS`.

    ``tier="accurate"`` (the default) reads the sentence vector with the trained head;
    ``tier="fast"`` applies the rules alone, in order, where ``sentiments`` (the engine's, when known)
    settle what the words leave open. The accurate head does not use them.
    """
    if isinstance(texts, str):
        raise TypeError("intents() takes a sequence of texts, not one string")
    if tier not in (_ACCURATE, _FAST):
        raise ValueError(f"unknown analysis tier {tier!r}: expected accurate or fast")
    if sentiments is not None and len(sentiments) != len(texts):
        raise ValueError("intents() needs one sentiment per text")
    if not texts:
        return []
    if tier == _FAST:
        moods = list(sentiments) if sentiments is not None else [""] * len(texts)
        return [rule_intent(text, mood) for text, mood in zip(texts, moods, strict=True)]
    # HTML is not what the person wrote: "<script>…</script> my order is late" read as a bug report.
    probabilities = default_intent_head().scores(
        default_encoder().encode([strip_markup(bound(text)) for text in texts])
    )
    return [INTENTS[int(i)] for i in probabilities.argmax(axis=1)]
