"""The batch entry point: every analysis of every message in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ambassade.engine.text._accurate import accurate_backend
from ambassade.engine.text._fingerprint import fingerprint
from ambassade.engine.text._heads import default_heads
from ambassade.engine.text._keywords import keywords_for
from ambassade.engine.text._language import detect_languages
from ambassade.engine.text._model import SENTIMENT_CLASSES, Scores, default_model
from ambassade.engine.text._normalize import bound, normalize

__all__ = ["ACCURATE", "FAST", "TIERS", "UNSUPPORTED", "Analysis", "analyze", "keywords"]

UNSUPPORTED = "unsupported"
FAST = "fast"
ACCURATE = "accurate"
TIERS = (ACCURATE, FAST)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the engine says about one message.

    - ``lang``: ISO 639-1 code among the configured languages, or ``und``; ``lang_confidence`` in [0, 1].
    - ``sentiment``: ``negative``, ``neutral``, ``positive``, or ``unsupported`` when no model covers the
      language; ``sentiment_score`` = P(positive) − P(negative), in [-1, 1] (0 when unsupported).
    - ``offensive``, ``hateful``, ``spam``: probabilities in [0, 1], 0.5 being the decision threshold.
    - ``fingerprint``: 64-bit SimHash for near-duplicate grouping (0 without words).
    - ``keywords``: the message's rarest words, rarest first.
    - ``analysed_as``: for a message whose language is undetermined between French and English
      (``lang`` stays ``und``): ``("fr", "en")``, its scores being both languages' heads' weighted by
      how likely each language is (:func:`analyze`); empty when the heads of ``lang`` analysed it.
    - ``tier``: ``accurate`` or ``fast``, the tier that scored it (empty when nothing did: an
      analysis built without the models).
    """

    lang: str
    lang_confidence: float
    sentiment: str
    sentiment_score: float
    offensive: float
    hateful: float
    spam: float
    fingerprint: int = 0
    keywords: tuple[str, ...] = ()
    analysed_as: tuple[str, ...] = ()
    tier: str = ""


def analyze(
    texts: Sequence[str],
    *,
    languages: Sequence[str] | None = None,
    with_fingerprint: bool = True,
    keyword_limit: int = 5,
    tier: str = ACCURATE,
) -> list[Analysis]:
    """Analyse a batch of messages (batches of hundreds to thousands are the fast path).

    ``tier`` is ``"accurate"`` (the default: a multilingual sentence encoder whose heads are stacked
    with the TF-IDF models, about 200 messages a second on one core) or ``"fast"`` (the TF-IDF models
    alone, thousands a second, for a first pass over everything ingested). See docs/text-analysis.md.

    When ``AMBASSADE_TEXT_MODEL`` names a local ONNX transformer, it gives the sentiment (slower, more
    accurate; see docs/text-analysis.md); the rest stays with the packaged models.

    ``languages`` restricts language identification (default: ``AMBASSADE_TEXT_LANGUAGES`` or
    fr, en, de, es, it, pt, nl, ar). Fingerprints and keywords can be skipped when not needed.

    Every step reads at most the first 10,000 characters of a message (``MAX_TEXT_CHARS``), language
    identification at most 1,000 of them: a message's cost is bounded whatever its length.

    A message whose language stays undetermined between French and English (short, informal,
    code-switched: :func:`~ambassade.engine.text.detect_languages` gives both as alternatives) is
    analysed by the French heads and by the English heads; each score is the mixture
    ``P(fr) · score_fr + P(en) · score_en`` (the law of total probability over the two languages,
    ``P`` from the French-or-English letter model), and ``analysed_as`` says so while ``lang`` stays
    ``und``.
    """
    if isinstance(texts, str):
        raise TypeError("analyze() takes a sequence of texts, not one string")
    if tier not in TIERS:
        raise ValueError(f"unknown analysis tier {tier!r}: expected one of {', '.join(TIERS)}")
    if not texts:
        return []
    texts = [bound(text) for text in texts]
    model = default_model()
    guesses = detect_languages(texts, languages)
    # Texts undetermined between French and English are scored twice: once as French (in place),
    # once as English (a copy at the end of the batch); the two are mixed below.
    both = [i for i, guess in enumerate(guesses) if guess.alternatives]
    codes = ["fr" if guess.alternatives else guess.code for guess in guesses]
    batch = [*texts, *(texts[i] for i in both)]
    codes += ["en"] * len(both)
    normalized = [normalize(text) for text in batch]
    features = model.featurizer.transform(normalized)
    scores = model.predict(normalized, codes, features)
    if tier == ACCURATE:
        heads = default_heads()
        vectors = heads.vectors(batch, codes)
        if heads.vocabulary_size != len(model.featurizer.vocabulary):
            raise RuntimeError(
                "the accurate tier's heads were trained for another fast model: "
                "run `ambassade train-text` to rebuild both"
            )
        scores = heads.predict(vectors, features, codes, scores.sentiment_supported)
    if both:
        scores = _mixed(
            scores, [dict(guesses[i].alternatives)["fr"] for i in both], both, len(texts)
        )
    sentiment, supported = scores.sentiment, scores.sentiment_supported
    accurate = accurate_backend()
    if accurate is not None:
        # The user's transformer decides sentiment for every language it is given.
        sentiment, supported = accurate.predict(texts), np.ones(len(texts), dtype=bool)
    results = []
    for i, text in enumerate(texts):
        if supported[i]:
            probabilities = sentiment[i]
            label = SENTIMENT_CLASSES[int(probabilities.argmax())]
            score = float(probabilities[2] - probabilities[0])
        else:
            label, score = UNSUPPORTED, 0.0
        results.append(
            Analysis(
                lang=guesses[i].code,
                lang_confidence=guesses[i].confidence,
                sentiment=label,
                sentiment_score=min(1.0, max(-1.0, score)),
                offensive=float(scores.offensive[i]),
                hateful=float(scores.hateful[i]),
                spam=float(scores.spam[i]),
                fingerprint=fingerprint(text) if with_fingerprint else 0,
                keywords=tuple(keywords_for(model.featurizer, text, keyword_limit)),
                analysed_as=tuple(code for code, _ in guesses[i].alternatives),
                tier=tier,
            )
        )
    return results


def _mixed(scores: Scores, french: Sequence[float], rows: Sequence[int], n: int) -> Scores:
    """The first ``n`` rows of ``scores``, where each of ``rows`` (scored as French) is mixed with
    its copy scored as English (rows ``n``, ``n + 1``…): ``P(fr) · French + (1 - P(fr)) · English``
    for every probability, ``french`` giving each one's P(fr)."""
    where = np.asarray(rows, dtype=np.int64)
    p = np.asarray(french, dtype=np.float32)

    def mix(values: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        out = values[:n].copy()
        weight = p.reshape((-1,) + (1,) * (values.ndim - 1))
        out[where] = weight * values[where] + (1 - weight) * values[n:]
        return out

    return Scores(
        sentiment=mix(scores.sentiment),
        sentiment_supported=scores.sentiment_supported[:n].copy(),
        offensive=mix(scores.offensive),
        hateful=mix(scores.hateful),
        spam=mix(scores.spam),
    )


def keywords(text: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` keywords of one message: its rarest words, normalised, rarest first."""
    return keywords_for(default_model().featurizer, text, limit)
