"""Training of the accurate tier's heads (``models/heads.npz``) over the sentence encoder.

Each head is a logistic regression over the 512-dimension sentence vector; its logits are then stacked
with the fast model's (``fast_weight * fast + encoder_weight * encoder + shift``). Every constant below
was chosen by repeated stratified 5-fold cross-validation on train+dev pooled (docs/text-analysis.md
has the table); a choice that gained less than one standard deviation of the CV was not adopted.
The heads learn from the train splits only, so that the dev figures of ``ambassade bench text`` stay
out of sample.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from ambassade.engine.text._e5 import ENCODER_NAME as E5_NAME
from ambassade.engine.text._encoder import ENCODER_NAME
from ambassade.engine.text._heads import ENCODERS, TASKS, Head, Heads
from ambassade.engine.text._model import SENTIMENT_CLASSES, TextModel
from ambassade.engine.text._normalize import normalize
from ambassade.engine.text.training._data import Example, load
from ambassade.engine.text.training._embeddings import EmbeddingCache
from ambassade.engine.text.training._train import _ordinary_french

__all__ = [
    "HeadsConfig",
    "MoreData",
    "binary_sets",
    "centre",
    "fit_encoder_part",
    "lexical_rows",
    "ordinary_rows",
    "ordinary_texts",
    "sentiment_set",
    "served_languages",
    "train_heads",
]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class HeadsConfig:
    seed: int = 20240607
    # Inverse regularisation of each head's logistic regression (grid 0.01 … 100, CV).
    # By "task", or "task:route" for one head.
    c: dict[str, float] = field(
        default_factory=lambda: {
            "sentiment": 1.0,
            "sentiment:fr": 10.0,
            "sentiment:en": 1.0,
            "offensive": 1.0,
            "hateful": 1.0,
            "offensive:fr": 0.3,
            "hateful:fr": 3.0,
            "spam": 10.0,
        }
    )
    # The TF-IDF part of each head (the fast model's vocabulary), likewise.
    lexical_c: dict[str, float] = field(
        default_factory=lambda: {"sentiment": 3.0, "offensive": 1.0, "hateful": 0.3, "spam": 10.0}
    )
    # Added to a head's stacked score (log-odds), by "task:route": the calibration to ordinary
    # traffic, chosen with ``ordinary`` below by training/_calibration.py (docs/text-analysis.md,
    # "Calibration on ordinary messages").
    shift: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: {
            "offensive:*": (-0.25,),
            "hateful:*": (-0.25,),
            "hateful:en": (-0.75,),
            # Spam: -1.0 with the ordinary negatives below (2026-12-07, fifth session).
            "spam:*": (-1.0,),
        }
    )
    # Ordinary messages (the UMSAB train tweets labelled neutral or positive, in the languages the
    # head serves: :func:`ordinary_texts`) added as negatives of a head's encoder part at this
    # weight, by "task:route"; its TF-IDF part, shared by every route, is unchanged.
    # Chosen together with ``shift`` (2026-12-07, 2 × 5 folds): the lowest share of ordinary UMSAB
    # train tweets flagged, out of fold, among the settings that cost each served CV group less
    # than one standard deviation; settings within one standard deviation of that share are
    # level, and the simplest wins. Flagged before → after: offensive in other languages 1.7 →
    # 0.3 %, English offensive 2.9 → 1.2 %, hateful in other languages 0.3 → 0.03 %, English
    # hateful 3.5 → 0.3 %, spam 3.5 → 0.2 %. The French heads already learn from ordinary French.
    ordinary: dict[str, float] = field(
        default_factory=lambda: {
            "offensive:*": 1.0,
            "offensive:en": 1.0,
            "hateful:*": 0.3,
            "hateful:en": 0.3,
            "spam:*": 1.0,
        }
    )
    # More ordinary English tweets (TweetEval sentiment *train* tweets, a seeded sample of this
    # many; -1 for all) as negatives of a head's encoder part, at this weight, by "task:route".
    # Spam (2026-12-07, fifth session): it flagged 4.8 % of the airline customers' neutral and
    # positive tweets, mostly through its encoder part (plain thanks and requests for help: a
    # register the 1,226 English UMSAB tweets above barely hold). Chosen by the rule above on two
    # out-of-fold proxies of ordinary traffic, UMSAB train tweets and TweetEval sentiment train
    # tweets (never the airline tweets): 10,000 tweets at 0.3, the UMSAB ordinary in the TF-IDF
    # part at 0.3 and a shift of -1.0 (CV, 5 x 2: YouTube 95.2 +- 1.4 -> 94.0 +- 1.3, SMS 95.5 ->
    # 95.2; ordinary flagged 0.17 -> 0.04 % of UMSAB's, 0.28 -> 0.13 % of TweetEval's).
    ordinary_tweets: dict[str, tuple[int, float]] = field(
        default_factory=lambda: {"spam:*": (10000, 0.3)}
    )
    # Ordinary *negative* French text (XED's negative subtitle lines, train split: anger, disgust,
    # sadness, fear, in everyday words; CC BY 4.0) as negatives of a French head's encoder part, at
    # this weight, by "task:route": the ordinary French above holds complaints only as UMSAB's few
    # negative tweets, and "… m'a débité DEUX FOIS … Remboursez-moi" scored hateful 0.50.
    # Not used (2026-12-07, sixth session): CV on MLMA French and the flag rates chose weight 1
    # with the French hate head stacked 0.5 / 0.5 (MLMA French 57.7 +- 2.1 -> 57.0 +- 1.3; XED's
    # negative lines flagged out of fold 9.4 -> 0.3 %), but that head caught 6 % of our French hate
    # suite's hateful statements instead of 65 %: MLMA's keyword-collected tweets do not hold plain
    # statements, so the CV could not see it (docs/text-analysis.md).
    ordinary_negative: dict[str, float] = field(default_factory=dict)
    # Angry everyday English (the TweetEval sentiment *train* tweets labelled negative: complaints,
    # anger, sarcasm, no offensive label) as negatives of a head's encoder part, at this weight, by
    # "task:route". For "offensive:en" at 1, CV (2026-12-07, seventh session, 5 x 2) cost TweetEval
    # offensive 0.5 (76.0 +- 0.8 -> 75.6 +- 0.9, under one sd) and flagged 8.0 % of those tweets out
    # of fold instead of 18.3 %; shipped in the eighth session (docs/text-analysis.md).
    negative_tweets: dict[str, float] = field(default_factory=lambda: {"offensive:en": 1.0})
    # The ordinary messages of ``ordinary`` also in a task's TF-IDF part, at this weight, by task
    # (only for a task whose TF-IDF part serves one route).
    ordinary_lexical: dict[str, float] = field(default_factory=lambda: {"spam": 0.3})
    # Stacking weights (TF-IDF part, encoder part) per task, chosen by CV on out-of-fold scores.
    stacking: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "sentiment": (0.5, 0.5),
            "sentiment:fr": (0.3, 0.7),
            "sentiment:en": (0.3, 0.7),
            "offensive": (0.4, 0.6),
            "offensive:fr": (0.7, 0.3),
            "offensive:en": (0.5, 0.5),
            "hateful:en": (0.6, 0.4),
            "hateful": (0.4, 0.6),
            "hateful:fr": (0.3, 0.7),
            "spam": (0.4, 0.6),
        }
    )
    # Tasks whose encoder part has one head per language (trained on that language's rows), the
    # other languages getting the head trained on every row; the TF-IDF part is one for all.
    per_language: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "sentiment": ("fr", "en"),
            "offensive": ("fr", "en"),
            "hateful": ("fr", "en"),
        }
    )
    # The encoders a head reads, by "task:route" or "task" (the default: USE v3 alone).
    # French sentiment: multilingual-e5-small, stacked with a TF-IDF part of its own, learnt from
    # the French tweets alone (CV, UMSAB French: 72.4 ± 1.2 against 68.3 ± 1.9 with USE v3 in the
    # same set-up, and 64.4 ± 0.8 for the previous all-language head).
    encoders: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "sentiment:fr": (E5_NAME,),
            # English sentiment likewise, from every row (CV: UMSAB English 72.8 ± 2.2 against
            # 69.9 ± 2.9, TweetEval 70.9 ± 0.5 against 67.9 ± 0.9), once e5-small's int8 graph
            # made it fast enough (docs/text-analysis.md, "Speed of e5-small").
            "sentiment:en": (E5_NAME,),
            "offensive:fr": (E5_NAME,),
            # English offensive: both encoders side by side (2026-12-07, fifth session; every
            # English text already goes through e5-small for sentiment, so it costs no encoding):
            # CV, 5 x 2, TweetEval offensive 75.9 +- 0.8 against 74.9 +- 0.7 for USE v3 alone,
            # MLMA English 56.3 +- 2.1 against 55.8 +- 2.3; stacked 0.5 / 0.5, C = 1.
            "offensive:en": (ENCODER_NAME, E5_NAME),
            # English hate likewise: CV, TweetEval hate 77.7 +- 1.1 against 76.3 +- 1.0 (both
            # encoders, C = 1, stacked 0.6 / 0.4; the calibration shift of -0.75 kept).
            "hateful:en": (ENCODER_NAME, E5_NAME),
            "hateful:fr": (E5_NAME,),
        }
    )
    # A per-language head also learns from the other languages' rows at this weight, by
    # "task:route" (cross-lingual transfer through the encoder).
    # French hate: multilingual-e5-small, English hate rows at weight 0.3, vectors centred per
    # language (below), stacked 0.3 / 0.7 with the shared TF-IDF part (CV, MLMA French: 57.8 ± 2.4
    # against 56.7 ± 2.2 for the USE v3 head; our French hate suite: 65 % of the hateful caught
    # instead of 6 %; docs/text-analysis.md). French offensive likewise, C = 0.3, stacked 0.7 / 0.3
    # (CV: MLMA French 61.2 ± 1.7 against 60.4 ± 2.2, FTR 73.3 ± 1.7 against 74.5 ± 1.7; our French
    # offensive suite: 35 % of the insults, threats and profanity caught instead of 5 %).
    cross_lingual: dict[str, float] = field(
        default_factory=lambda: {"offensive:fr": 0.3, "hateful:fr": 0.3, "sentiment:en": 1.0}
    )
    # Heads ("task:route") whose encoder part learns from sentence vectors centred per language:
    # each language's mean vector (over the rows the head learns from) is taken away, so that what
    # the head learns from English rows is not "being English". Without it, English hate rows
    # taught the French head nothing (it caught under 1 % of our French hate suite's hateful
    # statements with them, 5 % without). The route's own mean is folded into the intercept, so the
    # head file is unchanged.
    centred: tuple[str, ...] = ("offensive:fr", "hateful:fr")
    # Heads ("task:route") whose TF-IDF part also learns from the route's rows alone, instead of
    # sharing the task's TF-IDF part trained on every language.
    own_lexical: tuple[str, ...] = ("sentiment:fr",)
    # Ordinary French text (UMSAB French tweets without their placeholders, Allociné reviews, positive
    # XED lines) added as neither offensive nor hateful at this weight, as for the fast tier: the
    # French toxicity sets were collected on hate keywords and hold no ordinary message, so without it
    # "Encore un retard de deux heures, c'est scandaleux" scored 0.86 offensive.
    ordinary_fr_weight: float = 0.3
    # Weight of the Davidson et al. (2017) tweets, when their file is in the extra data folder.
    davidson_weight: float = 0.0
    # Weight of HateXplain's posts (Mathew et al., 2021; Twitter and Gab, English), by task, when
    # they are in the extra data folder: hateful = its "hatespeech" majority label, offensive =
    # "hatespeech" or "offensive". Each head learns from them as English rows (the French heads
    # through ``cross_lingual``). Not used: docs/text-analysis.md, seventh session.
    hatexplain: dict[str, float] = field(default_factory=dict)
    # Ordinary tweets added as ham to the spam head (as for the fast model), at this weight.
    spam_tweets: int = 6000
    spam_tweet_weight: float = 0.2
    spam_sms_weight: float = 0.5
    max_iter: int = 3000


@dataclass(frozen=True)
class MoreData:
    """Public data sets brought beside ../shared/data (docs/text-analysis.md says how)."""

    folder: Path

    def davidson(self) -> list[tuple[str, bool, bool]]:
        """(text, offensive?, hateful?) of Davidson et al. (2017), or nothing when absent."""
        path = self.folder / "davidson" / "labeled_data.csv"
        if not path.is_file():
            return []
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                (row["tweet"], row["class"] in ("0", "1"), row["class"] == "0")
                for row in csv.DictReader(handle)
            ]

    def hatexplain(self) -> list[tuple[str, bool, bool]]:
        """(text, offensive?, hateful?) of HateXplain, or nothing when absent: its three files of
        majority labels (``hatespeech``, ``offensive``, ``normal``), tab-separated, lower-cased, with
        ``<user>`` and ``<number>`` placeholders (written as TweetEval writes a user: ``@user``).
        A text met twice keeps its first label."""
        rows: dict[str, tuple[str, bool, bool]] = {}
        for split in ("train", "valid", "test"):
            path = self.folder / "hatexplain" / f"{split}.csv"
            if not path.is_file():
                continue
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    text = " ".join(
                        row["text"].replace("<user>", "@user").replace("<number>", "0").split()
                    )
                    label = row["label"]
                    if text and text not in rows:
                        rows[text] = (
                            text,
                            label in ("hatespeech", "offensive"),
                            label == "hatespeech",
                        )
        return list(rows.values())


OTHER_LANGUAGES = ("de", "es", "it", "pt", "ar")
"""UMSAB's languages besides French and English (Hindi, romanised, is left out everywhere)."""


def served_languages(task: str, route: str, cfg: HeadsConfig) -> tuple[str, ...]:
    """The languages (among UMSAB's) whose messages a head scores in the product."""
    if route != "*":
        return (route,)
    own = cfg.per_language.get(task, ())
    return tuple(code for code in ("fr", "en", *OTHER_LANGUAGES) if code not in own)


def ordinary_rows(data: Path, task: str, cfg: HeadsConfig) -> list[tuple[str, str]]:
    """(text, language) of the UMSAB *train* tweets labelled neutral or positive: ordinary messages
    (the dev tweets are kept for ``ambassade bench text``'s calibration rows).

    For offensive and hateful the French ones are left out: the French heads already learn from
    them as harmless (``ordinary_fr_weight``)."""
    skip = {"hi"} | ({"fr"} if task != "spam" and cfg.ordinary_fr_weight else set())
    return [
        (e.text, e.lang)
        for e in load(data, "umsab-sentiment", "train")
        if e.label != "negative" and e.lang not in skip
    ]


def ordinary_texts(
    data: Path, task: str, route: str, cfg: HeadsConfig
) -> tuple[list[tuple[str, str]], npt.NDArray[np.float64]]:
    """The ordinary messages (text, language) a head's encoder part learns from as negatives, and
    their weights: the UMSAB tweets at ``HeadsConfig.ordinary``, XED's negative French lines at
    ``HeadsConfig.ordinary_negative``, then the TweetEval tweets of
    ``HeadsConfig.ordinary_tweets`` (none when the head has no weight there)."""
    rows: list[tuple[str, str]] = []
    weights: list[float] = []
    weight = float(cfg.ordinary.get(f"{task}:{route}", 0.0))
    if weight:
        served = served_languages(task, route, cfg)
        rows = [row for row in ordinary_rows(data, task, cfg) if row[1] in served]
        weights = [weight] * len(rows)
    negative = float(cfg.ordinary_negative.get(f"{task}:{route}", 0.0))
    if negative:
        lines = dict.fromkeys(
            e.text for e in load(data, "xed-fr-sentiment", "train") if e.label == "negative"
        )
        rows += [(text, "fr") for text in lines]
        weights += [negative] * len(lines)
    angry = float(cfg.negative_tweets.get(f"{task}:{route}", 0.0))
    if angry:
        lines = dict.fromkeys(
            e.text for e in load(data, "tweeteval-sentiment", "train") if e.label == "negative"
        )
        rows += [(text, "en") for text in lines]
        weights += [angry] * len(lines)
    count, tweet_weight = cfg.ordinary_tweets.get(f"{task}:{route}", (0, 0.0))
    if count and tweet_weight:
        tweets = list(dict.fromkeys(e.text for e in load(data, "tweeteval-sentiment", "train")))
        if 0 < count < len(tweets):
            rng = np.random.default_rng(cfg.seed + 1)
            tweets = [tweets[int(i)] for i in sorted(rng.choice(len(tweets), count, replace=False))]
        rows += [(text, "en") for text in tweets]
        weights += [tweet_weight] * len(tweets)
    return rows, np.asarray(weights, dtype=np.float64)


def lexical_rows(
    data: Path,
    task: str,
    cfg: HeadsConfig,
    texts: Sequence[str],
    labels: npt.NDArray[Any],
    weights: npt.NDArray[np.float64],
) -> tuple[list[str], npt.NDArray[Any], npt.NDArray[np.float64]]:
    """The rows a task's shared TF-IDF part learns from: the task's, then the ordinary messages
    of ``HeadsConfig.ordinary_lexical`` as negatives (binary tasks only)."""
    weight = float(cfg.ordinary_lexical.get(task, 0.0))
    if not weight:
        return list(texts), labels, weights
    ordinary = [text for text, _ in ordinary_rows(data, task, cfg)]
    return (
        [*texts, *ordinary],
        np.concatenate([labels, np.zeros(len(ordinary), dtype=bool)]),
        np.concatenate([weights, np.full(len(ordinary), weight)]),
    )


def setting(table: dict[str, Any], task: str, route: str, default: Any = None) -> Any:
    """A per-head constant: the route's own ("offensive:fr"), else the task's ("offensive")."""
    return table.get(f"{task}:{route}", table.get(task, default))


def head_encoders(cfg: HeadsConfig, task: str, route: str) -> tuple[str, ...]:
    encoders: tuple[str, ...] = setting(cfg.encoders, task, route, (ENCODER_NAME,))
    return encoders


def route_rows(
    cfg: HeadsConfig,
    task: str,
    route: str,
    langs: npt.NDArray[Any],
    candidates: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The rows (among ``candidates``) a head learns from, and a factor on their weights."""
    if route == "*":
        return candidates, np.ones(len(candidates))
    own = langs[candidates] == route
    transfer = float(setting(cfg.cross_lingual, task, route, 0.0))
    if not transfer:
        return candidates[own], np.ones(int(own.sum()))
    return candidates, np.where(own, 1.0, transfer)


def centre(
    vectors: npt.NDArray[np.float32], langs: npt.NDArray[Any], route: str
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """``vectors`` with each language's mean taken away, and the mean of ``route``'s language
    (zeros when no row is in that language)."""
    out = np.array(vectors, dtype=np.float32, copy=True)
    route_mean = np.zeros(out.shape[1], dtype=np.float64)
    for code in np.unique(langs):
        rows = langs == code
        mean = out[rows].astype(np.float64).mean(axis=0)
        out[rows] -= mean.astype(np.float32)
        if code == route:
            route_mean = mean
    return out, route_mean


def fit_encoder_part(
    cfg: HeadsConfig,
    task: str,
    route: str,
    vectors: npt.NDArray[np.float32],
    labels: npt.NDArray[Any],
    weights: npt.NDArray[np.float64],
    langs: npt.NDArray[Any],
    store: Path | None = None,
    *,
    balanced: bool = True,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One head's logistic regression over the sentence vectors of the rows it learns from, centred
    per language when the configuration says so (the route's mean then folded into the intercept:
    ``w · (x - mean) + b = w · x + (b - w · mean)``)."""
    c = setting(cfg.c, task, route)
    if f"{task}:{route}" not in cfg.centred:
        return _fit(vectors, labels, weights, c, cfg, store, balanced=balanced)
    centred, route_mean = centre(vectors, langs, route)
    coef, intercept = _fit(centred, labels, weights, c, cfg, store, balanced=balanced)
    return coef, intercept - coef @ route_mean


def sentiment_set(data: Path, split: str) -> list[Example]:
    """UMSAB tweets (not English nor Hindi: the UMSAB English train tweets are TweetEval dev
    tweets) and the TweetEval sentiment tweets."""
    umsab = [e for e in load(data, "umsab-sentiment", split) if e.lang not in ("en", "hi")]
    return umsab + load(data, "tweeteval-sentiment", split)


def binary_sets(
    data: Path, split: str, cfg: HeadsConfig, more: MoreData | None = None
) -> dict[str, list[tuple[str, bool, float, str]]]:
    """Task -> (text, positive?, weight, language) rows for the binary heads."""
    mlma = load(data, "mlma-hate", split)
    ftr = load(data, "ftr-racism-fr", split)
    offensive = [
        (e.text, e.label == "offensive", 1.0, e.lang)
        for e in load(data, "tweeteval-offensive", split) + mlma + ftr
    ]
    hateful = [
        (e.text, e.label == "hateful", 1.0, e.lang) for e in load(data, "tweeteval-hate", split)
    ]
    hateful += [(e.text, bool(e.extra.get("hateful")), 1.0, e.lang) for e in mlma]
    if more is not None and cfg.davidson_weight:
        for text, is_offensive, is_hateful in more.davidson():
            offensive.append((text, is_offensive, cfg.davidson_weight, "en"))
            hateful.append((text, is_hateful, cfg.davidson_weight, "en"))
    if more is not None and cfg.hatexplain:
        for text, is_offensive, is_hateful in more.hatexplain():
            if cfg.hatexplain.get("offensive"):
                offensive.append((text, is_offensive, cfg.hatexplain["offensive"], "en"))
            if cfg.hatexplain.get("hateful"):
                hateful.append((text, is_hateful, cfg.hatexplain["hateful"], "en"))
    if cfg.ordinary_fr_weight:
        for text in _ordinary_french(data, split):
            offensive.append((text, False, cfg.ordinary_fr_weight, "fr"))
            hateful.append((text, False, cfg.ordinary_fr_weight, "fr"))
    tweets = load(data, "tweeteval-sentiment", split) + [
        e for e in load(data, "umsab-sentiment", split) if e.lang != "en"
    ]
    rng = np.random.default_rng(cfg.seed)
    picked = rng.choice(len(tweets), size=min(cfg.spam_tweets, len(tweets)), replace=False)
    spam = [(e.text, e.label == "spam", 1.0, e.lang) for e in load(data, "youtube-spam", split)]
    spam += [
        (tweets[int(i)].text, False, cfg.spam_tweet_weight, tweets[int(i)].lang)
        for i in sorted(picked)
    ]
    spam += [
        (e.text, e.label == "spam", cfg.spam_sms_weight, e.lang)
        for e in load(data, "sms-spam", split)
    ]
    return {"offensive": offensive, "hateful": hateful, "spam": spam}


def _terms(model: TextModel, texts: Sequence[str]) -> Any:
    """TF-IDF rows over the fast model's vocabulary (its dense block left out), as scipy CSR."""
    import scipy.sparse as sp  # type: ignore[import-untyped]

    features = model.featurizer.transform([normalize(t) for t in texts])
    shape = (features.n_rows, len(model.featurizer.vocabulary))
    return sp.csr_matrix((features.values, features.indices, features.indptr), shape=shape)


def _fit(
    x: Any,
    labels: npt.NDArray[Any],
    weights: npt.NDArray[np.float64],
    c: float,
    cfg: HeadsConfig,
    store: Path | None = None,
    start: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
    *,
    balanced: bool = True,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Coefficients (one row per class, one row for a binary task) and intercepts.

    With ``store``, a fit is kept there under a hash of its inputs and served again (the fits are
    deterministic): a second training run or cross-validation skips the slow TF-IDF fits.
    ``start`` (coefficients and intercepts of a fit of the same shape, e.g. the previous fold's)
    is where the solver starts: the L2-penalised problem has one optimum, so the result is the same
    within the solver's tolerance, in a fraction of the iterations."""
    path = None
    if store is not None:
        digest = hashlib.sha1(usedforsecurity=False)
        parts = [x.data, x.indices, x.indptr] if hasattr(x, "indptr") else [np.asarray(x)]
        for part in [*parts, np.asarray(labels).astype(str), weights]:
            digest.update(np.ascontiguousarray(part).tobytes())
        digest.update(f"{c}:{cfg.max_iter}:{x.shape}".encode())
        if not balanced:
            digest.update(b"unweighted")
        path = store / f"fit-{digest.hexdigest()[:20]}.npz"
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                return data["coef"].astype(np.float64), data["intercept"].astype(np.float64)
    clf = LogisticRegression(
        C=c,
        class_weight="balanced" if balanced else None,
        max_iter=cfg.max_iter,
        warm_start=start is not None,
    )
    if start is not None and start[0].shape == (
        3 if len(set(np.asarray(labels).tolist())) == 3 else 1,
        x.shape[1],
    ):
        clf.coef_, clf.intercept_ = start[0].copy(), start[1].copy()
    clf.fit(x, labels, sample_weight=weights)
    if len(clf.classes_) == 3 and list(clf.classes_) != list(SENTIMENT_CLASSES):
        raise RuntimeError(f"unexpected sentiment classes {clf.classes_}")
    coef = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp.npz")
        np.savez(temporary, coef=coef, intercept=intercept)
        temporary.replace(path)
    return coef, intercept


def train_heads(
    data: Path,
    output: Path,
    fast_model: TextModel,
    cache: EmbeddingCache,
    config: HeadsConfig | None = None,
    more: MoreData | None = None,
    progress: Progress = print,
) -> dict[str, Any]:
    """Fit every head on the train splits and write ``output`` (an ``.npz``)."""
    cfg = config or HeadsConfig()
    started = time.monotonic()

    def say(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.0f}s] heads: {message}")

    sets: dict[str, tuple[list[str], npt.NDArray[Any], npt.NDArray[np.float64], list[str]]] = {}
    sentiment = sentiment_set(data, "train")
    sets["sentiment"] = (
        [e.text for e in sentiment],
        np.array([e.label for e in sentiment]),
        np.ones(len(sentiment)),
        [e.lang for e in sentiment],
    )
    for task, rows in binary_sets(data, "train", cfg, more).items():
        sets[task] = (
            [row[0] for row in rows],
            np.array([row[1] for row in rows], dtype=bool),
            np.array([row[2] for row in rows]),
            [row[3] for row in rows],
        )
    routes = {task: ("*", *cfg.per_language.get(task, ())) for task in TASKS}
    used = sorted(
        {
            name
            for task in TASKS
            for route in routes[task]
            for name in head_encoders(cfg, task, route)
        },
        key=list(ENCODERS).index,
    )
    offsets = dict(
        zip(used, np.cumsum([0, *(ENCODERS[name] for name in used)]).tolist(), strict=False)
    )
    width = sum(ENCODERS[name] for name in used)
    encoder_columns: list[npt.NDArray[np.float64]] = []
    encoder_biases: list[float] = []
    lexical_columns: list[npt.NDArray[np.float64]] = []
    lexical_biases: list[float] = []
    heads: dict[str, dict[str, Any]] = {}
    for task in TASKS:
        texts, labels, weights, langs = sets[task]
        say(f"{task}: fitting over TF-IDF (C={cfg.lexical_c[task]})")
        lexical_texts, lexical_labels, lexical_weights = lexical_rows(
            data, task, cfg, texts, labels, weights
        )
        lex_coef, lex_intercept = _fit(
            _terms(fast_model, lexical_texts),
            lexical_labels,
            lexical_weights,
            cfg.lexical_c[task],
            cfg,
            cache.fits,
        )
        heads[task] = {}
        language = np.asarray(langs)
        for route in routes[task]:
            picked, factor = route_rows(cfg, task, route, language, np.arange(len(texts)))
            encoders = head_encoders(cfg, task, route)
            say(f"{task} ({route}): encoding {len(picked)} texts with {', '.join(encoders)}")
            vectors = cache.embed_with(encoders, [texts[int(i)] for i in picked], progress=say)
            fit_labels, fit_weights = labels[picked], weights[picked] * factor
            fit_langs = language[picked]
            extra, extra_weights = ordinary_texts(data, task, route, cfg)
            if extra:
                say(f"{task} ({route}): {len(extra)} ordinary messages as negatives")
                extra_vectors = cache.embed_with(encoders, [t for t, _ in extra], progress=say)
                vectors = np.vstack([vectors, extra_vectors])
                fit_labels = np.concatenate([fit_labels, np.zeros(len(extra), dtype=bool)])
                fit_weights = np.concatenate([fit_weights, extra_weights])
                fit_langs = np.concatenate([fit_langs, [lang for _, lang in extra]])
            c = setting(cfg.c, task, route)
            say(f"{task} ({route}): fitting over the sentence vectors (C={c})")
            coef, intercept = fit_encoder_part(
                cfg, task, route, vectors, fit_labels, fit_weights, fit_langs, cache.fits
            )
            lexical_weight, encoder_weight = setting(cfg.stacking, task, route)
            route_coef, route_intercept = lex_coef, lex_intercept
            if f"{task}:{route}" in cfg.own_lexical:
                say(f"{task} ({route}): fitting over TF-IDF, {len(picked)} rows")
                route_coef, route_intercept = _fit(
                    _terms(fast_model, [texts[int(i)] for i in picked]),
                    labels[picked],
                    weights[picked] * factor,
                    cfg.lexical_c[task],
                    cfg,
                    cache.fits,
                )
            first = len(encoder_columns)
            for k in range(len(coef)):
                column = np.zeros(width)
                start = 0
                for name in encoders:
                    size = ENCODERS[name]
                    column[offsets[name] : offsets[name] + size] = coef[k][start : start + size]
                    start += size
                encoder_columns.append(column)
                encoder_biases.append(float(intercept[k]))
                lexical_columns.append(route_coef[k])
                lexical_biases.append(float(route_intercept[k]))
            head = Head(
                tuple(range(first, len(encoder_columns))),
                lexical_weight,
                encoder_weight,
                tuple(cfg.shift.get(f"{task}:{route}", (0.0,) * len(coef))),
                encoders,
            )
            heads[task][route] = head.to_meta()
    meta: dict[str, Any] = {
        "encoders": used,
        "heads": heads,
        "trained": {"config": {k: v for k, v in cfg.__dict__.items()}},
    }
    Heads.save(
        output,
        np.stack(encoder_columns, axis=1),
        np.array(encoder_biases),
        np.stack(lexical_columns, axis=1),
        np.array(lexical_biases),
        meta,
    )
    say(f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB)")
    return meta
