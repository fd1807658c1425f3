"""Repeated stratified k-fold cross-validation of the accurate tier's heads on train+dev pooled.

For each task, the train and dev splits of its data sets are pooled; folds are stratified by data set,
language and label. In each fold the TF-IDF part, the encoder part and their stack (the configured
weights) learn from the other folds (plus the rows that are never evaluated: Davidson et al. and the
ordinary tweets of the spam head) and are scored on the held-out fold, per evaluation group (a data
set and language, e.g. UMSAB French). ``ambassade bench text`` runs it and shows the table next to
the dev figures.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import f1_score, recall_score  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from ambassade.engine.text._model import SENTIMENT_CLASSES, TextModel
from ambassade.engine.text.training._data import load
from ambassade.engine.text.training._embeddings import EmbeddingCache
from ambassade.engine.text.training._heads import (
    HeadsConfig,
    MoreData,
    _fit,
    _terms,
    fit_encoder_part,
    head_encoders,
    lexical_rows,
    ordinary_texts,
    route_rows,
    setting,
)
from ambassade.engine.text.training._train import _PLACEHOLDERS, _ordinary_french

__all__ = [
    "GROUPS",
    "ORDINARY_FR",
    "Fold",
    "Row",
    "cross_validate",
    "mean_sd",
    "ordinary_french_apart",
    "pooled_folds",
    "pooled_rows",
]

Progress = Callable[[str], None]
Fit = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
Extra = tuple[npt.NDArray[np.float32], npt.NDArray[Any], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class Row:
    text: str
    label: Any  # a sentiment class, or True/False for a binary task
    group: str  # the evaluation group; "" for rows that only ever train
    weight: float = 1.0
    lang: str = "en"


@dataclass(frozen=True)
class Fold:
    """One held-out fold of :func:`pooled_folds`: row indices into the pooled rows."""

    repeat: int
    index: int
    fit: npt.NDArray[np.intp]  # the other folds' rows and every row that is never evaluated
    held: npt.NDArray[np.intp]  # this fold's evaluated rows


def pooled_folds(
    groups: npt.NDArray[Any], labels: npt.NDArray[Any], folds: int, repeats: int, seed: int
) -> Iterator[Fold]:
    """The folds every sweep shares: the evaluated rows (a group other than "") split by stratified
    k-fold on group and label, ``repeats`` times with seeds ``seed``, ``seed + 1`` …; the rows of no
    group train in every fold and are never held out."""
    evaluated = np.flatnonzero(groups != "")
    always = np.flatnonzero(groups == "")
    strata = np.array([f"{groups[i]}|{labels[i]}" for i in evaluated])
    for repeat in range(repeats):
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed + repeat)
        for index, (fit, held) in enumerate(splitter.split(evaluated, strata)):
            yield Fold(repeat, index, np.concatenate([evaluated[fit], always]), evaluated[held])


def mean_sd(values: Sequence[float], places: int | None = None) -> tuple[float, float]:
    """Mean and sample standard deviation over folds (0 for a single fold), rounded to ``places``
    decimals when given."""
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return (mean, sd) if places is None else (round(mean, places), round(sd, places))


ORDINARY_FR = "ordinary French"


def ordinary_french_apart(data: Path, rows: Sequence[Row]) -> list[Row]:
    """``rows`` with the UMSAB French *train* tweets labelled neutral or positive, among the
    ordinary French rows (group ""), in an evaluation group of their own, :data:`ORDINARY_FR`: split
    into the folds and scored out of fold, a proxy of the ordinary French a head flags."""
    ordinary = {
        _PLACEHOLDERS.sub(" ", e.text)
        for e in load(data, "umsab-sentiment", "train")
        if e.lang == "fr" and e.label != "negative"
    }
    return [
        replace(row, group=ORDINARY_FR)
        if row.group == "" and row.lang == "fr" and row.text in ordinary
        else row
        for row in rows
    ]


# Evaluation groups per task, with their metric, as the targets name them.
GROUPS: dict[str, dict[str, str]] = {
    "sentiment": {
        "UMSAB French": "macro-F1",
        "UMSAB English": "macro-F1",
        "TweetEval": "macro-recall",
        "UMSAB other languages": "macro-F1",
    },
    "offensive": {
        "TweetEval offensive": "macro-F1",
        "MLMA French": "macro-F1",
        "MLMA English": "macro-F1",
        "FTR French": "macro-F1",
    },
    "hateful": {"TweetEval hate": "macro-F1", "MLMA French": "macro-F1"},
    "spam": {"YouTube": "F1 of spam", "SMS": "F1 of spam"},
}


def _both(data: Path, name: str) -> list[Any]:
    return load(data, name, "train") + load(data, name, "dev")


def pooled_rows(data: Path, cfg: HeadsConfig, more: MoreData | None) -> dict[str, list[Row]]:
    """Every task's rows, train and dev pooled."""
    umsab = _both(data, "umsab-sentiment")
    umsab_texts = {e.text for e in umsab}
    names = {"fr": "UMSAB French", "en": "UMSAB English"}
    sentiment = [
        Row(e.text, e.label, names.get(e.lang, "UMSAB other languages"), lang=e.lang) for e in umsab
    ]
    # TweetEval tweets that UMSAB English also holds are left out (UMSAB's English tweets are
    # TweetEval tweets): a tweet must not be in a training fold and a held-out fold at once.
    sentiment += [
        Row(e.text, e.label, "TweetEval")
        for e in _both(data, "tweeteval-sentiment")
        if e.text not in umsab_texts
    ]
    mlma = _both(data, "mlma-hate")
    lang_name = {"fr": "French", "en": "English"}
    offensive = [
        Row(e.text, e.label == "offensive", "TweetEval offensive")
        for e in _both(data, "tweeteval-offensive")
    ]
    offensive += [
        Row(e.text, e.label == "offensive", f"MLMA {lang_name.get(e.lang, e.lang)}", lang=e.lang)
        for e in mlma
    ]
    offensive += [
        Row(e.text, e.label == "offensive", "FTR French", lang="fr")
        for e in _both(data, "ftr-racism-fr")
    ]
    hateful = [
        Row(e.text, e.label == "hateful", "TweetEval hate") for e in _both(data, "tweeteval-hate")
    ]
    hateful += [
        Row(
            e.text,
            bool(e.extra.get("hateful")),
            f"MLMA {lang_name.get(e.lang, e.lang)}",
            lang=e.lang,
        )
        for e in mlma
    ]
    if more is not None and cfg.davidson_weight:
        for text, is_offensive, is_hateful in more.davidson():
            offensive.append(Row(text, is_offensive, "", cfg.davidson_weight))
            hateful.append(Row(text, is_hateful, "", cfg.davidson_weight))
    if more is not None and cfg.hatexplain:
        for text, is_offensive, is_hateful in more.hatexplain():
            if cfg.hatexplain.get("offensive"):
                offensive.append(Row(text, is_offensive, "", cfg.hatexplain["offensive"]))
            if cfg.hatexplain.get("hateful"):
                hateful.append(Row(text, is_hateful, "", cfg.hatexplain["hateful"]))
    if cfg.ordinary_fr_weight:
        for text in _ordinary_french(data, "train") + _ordinary_french(data, "dev"):
            offensive.append(Row(text, False, "", cfg.ordinary_fr_weight, "fr"))
            hateful.append(Row(text, False, "", cfg.ordinary_fr_weight, "fr"))
    spam = [Row(e.text, e.label == "spam", "YouTube") for e in _both(data, "youtube-spam")]
    spam += [
        Row(e.text, e.label == "spam", "SMS", cfg.spam_sms_weight) for e in _both(data, "sms-spam")
    ]
    tweets = load(data, "tweeteval-sentiment", "train")
    rng = np.random.default_rng(cfg.seed)
    picked = rng.choice(len(tweets), size=min(cfg.spam_tweets, len(tweets)), replace=False)
    spam += [Row(tweets[int(i)].text, False, "", cfg.spam_tweet_weight) for i in sorted(picked)]
    return {"sentiment": sentiment, "offensive": offensive, "hateful": hateful, "spam": spam}


def _score(metric: str, truth: npt.NDArray[Any], pred: npt.NDArray[Any]) -> float:
    if metric == "macro-recall":
        return 100 * float(recall_score(truth, pred, average="macro"))
    if metric == "F1 of spam":
        return 100 * float(f1_score(truth, pred))
    return 100 * float(f1_score(truth, pred, average="macro"))


def _log_softmax(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    z = z - z.max(axis=1, keepdims=True)
    result: npt.NDArray[np.float64] = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return result


def _decide(task: str, z: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    if task == "sentiment":
        labels: npt.NDArray[Any] = np.asarray(SENTIMENT_CLASSES)[z.argmax(axis=1)]
        return labels
    return np.asarray(z[:, 0] > 0)


def _logits(coef: Any, intercept: Any, x: Any, task: str) -> npt.NDArray[np.float64]:
    z = np.asarray(x @ coef.T, dtype=np.float64) + intercept
    return _log_softmax(z) if task == "sentiment" else z.reshape(-1, 1)


def _routes(task: str, cfg: HeadsConfig) -> tuple[str, ...]:
    return ("*", *cfg.per_language.get(task, ()))


def _encoder_logits(
    task: str,
    cfg: HeadsConfig,
    vectors: dict[str, npt.NDArray[np.float32]],
    labels: npt.NDArray[Any],
    weights: npt.NDArray[np.float64],
    langs: npt.NDArray[Any],
    fit_rows: npt.NDArray[np.int64],
    held_rows: npt.NDArray[np.int64],
    store: Path | None = None,
    extra: dict[str, Extra] | None = None,
) -> npt.NDArray[np.float64]:
    """Held-out logits of the encoder part, per language where the task has per-language heads;
    ``vectors`` holds each route's vectors (by route, one row per text); ``extra`` the ordinary
    messages a route also learns from as negatives (never scored)."""
    width = 3 if task == "sentiment" else 1
    out = np.zeros((len(held_rows), width), dtype=np.float64)
    own = cfg.per_language.get(task, ())
    routes: list[tuple[str, npt.NDArray[np.bool_]]] = [("*", ~np.isin(langs[held_rows], list(own)))]
    routes += [(lang, langs[held_rows] == lang) for lang in own]
    for route, held_mask in routes:
        if not held_mask.any():
            continue
        fit, factor = route_rows(cfg, task, route, langs, fit_rows)
        x = vectors[route]
        fit_x, fit_y, fit_w, fit_l = x[fit], labels[fit], weights[fit] * factor, langs[fit]
        if extra and route in extra:
            more_x, more_l, more_w = extra[route]
            fit_x = np.vstack([fit_x, more_x])
            fit_y = np.concatenate([fit_y, np.zeros(len(more_x), dtype=fit_y.dtype)])
            fit_w = np.concatenate([fit_w, more_w])
            fit_l = np.concatenate([fit_l, more_l])
        coef, intercept = fit_encoder_part(cfg, task, route, fit_x, fit_y, fit_w, fit_l, store)
        out[held_mask] = _logits(coef, intercept, x[held_rows[held_mask]], task)
    return out


def _stacking(
    task: str, cfg: HeadsConfig, langs: npt.NDArray[Any]
) -> list[tuple[npt.NDArray[np.bool_], tuple[float, float]]]:
    """Each route's rows among ``langs`` and its stacking weights (TF-IDF part, encoder part)."""
    own = list(cfg.per_language.get(task, ()))
    out = [(~np.isin(langs, own), setting(cfg.stacking, task, "*"))]
    out += [(langs == lang, setting(cfg.stacking, task, lang)) for lang in own]
    return out


def _shift(task: str, cfg: HeadsConfig, route: str) -> npt.NDArray[np.float64]:
    """The calibration shift of a head's stacked score (``HeadsConfig.shift``), as the head file has it."""
    width = 3 if task == "sentiment" else 1
    return np.asarray(cfg.shift.get(f"{task}:{route}", (0.0,) * width), dtype=np.float64)


def _route_vectors(
    task: str,
    cfg: HeadsConfig,
    cache: EmbeddingCache,
    texts: Sequence[str],
    langs: npt.NDArray[Any],
) -> dict[str, npt.NDArray[np.float32]]:
    """Each route's sentence vectors, for the rows that route can learn from or score (zeros
    elsewhere): a French head's encoder never encodes the English rows it does not learn from."""
    out: dict[str, npt.NDArray[np.float32]] = {}
    everything = np.arange(len(texts))
    own = cfg.per_language.get(task, ())
    for route in _routes(task, cfg):
        encoders = head_encoders(cfg, task, route)
        if route == "*":
            rows = everything
        else:
            rows, _ = route_rows(cfg, task, route, langs, everything)
        # The default head also scores the rows of languages without a head of their own.
        if route == "*" and own:
            rows = everything
        matrix = np.zeros((len(texts), sum(cache.of(e).dimension for e in encoders)), np.float32)
        matrix[rows] = cache.embed_with(encoders, [texts[int(i)] for i in rows])
        out[route] = matrix
    return out


def cross_validate(
    data: Path,
    fast_model: TextModel,
    cache: EmbeddingCache,
    config: HeadsConfig | None = None,
    more: MoreData | None = None,
    folds: int = 5,
    repeats: int = 2,
    tasks: Sequence[str] = ("sentiment", "offensive", "hateful", "spam"),
    progress: Progress = print,
) -> dict[str, Any]:
    """Mean and standard deviation over ``folds`` × ``repeats`` held-out folds, per task, group
    and approach (TF-IDF alone, encoder alone, stacked)."""
    cfg = config or HeadsConfig()
    started = time.monotonic()
    rows = pooled_rows(data, cfg, more)
    table: dict[str, Any] = {}
    for task in tasks:
        task_rows = rows[task]
        texts = [row.text for row in task_rows]
        labels = np.array([row.label for row in task_rows])
        weights = np.array([row.weight for row in task_rows])
        groups = np.array([row.group for row in task_rows])
        langs = np.array([row.lang for row in task_rows])
        progress(f"cv {task}: {len(texts)} rows, encoding and TF-IDF")
        vectors = _route_vectors(task, cfg, cache, texts, langs)
        extra: dict[str, Extra] = {}
        for route in _routes(task, cfg):
            ordinary, ordinary_weights = ordinary_texts(data, task, route, cfg)
            if ordinary:
                extra[route] = (
                    cache.embed_with(head_encoders(cfg, task, route), [t for t, _ in ordinary]),
                    np.array([lang for _, lang in ordinary]),
                    ordinary_weights,
                )
        terms = _terms(fast_model, texts)
        # Ordinary messages the TF-IDF part also learns from (never scored), after the task's rows.
        lexical_texts, lexical_labels, lexical_weights = lexical_rows(
            data, task, cfg, texts, labels, weights
        )
        ordinary_terms = np.arange(len(texts), len(lexical_texts))
        if len(ordinary_terms):
            import scipy.sparse as sp  # type: ignore[import-untyped]

            terms = sp.vstack([terms, _terms(fast_model, lexical_texts[len(texts) :])]).tocsr()
        scores: dict[tuple[str, str], list[float]] = defaultdict(list)
        # Each TF-IDF fit starts where the same fit of the previous fold ended: folds share most
        # of their rows (the all-language sentiment fit took 10-15 minutes a fold from scratch).
        starts: dict[str, Fit] = {}
        for one in pooled_folds(groups, labels, folds, repeats, cfg.seed):
            fit_rows, held_rows = one.fit, one.held
            encoder = _encoder_logits(
                task,
                cfg,
                vectors,
                labels,
                weights,
                langs,
                fit_rows,
                held_rows,
                cache.fits,
                extra,
            )
            lexical_fit = np.concatenate([fit_rows, ordinary_terms])
            coef, intercept = _fit(
                terms[lexical_fit],
                lexical_labels[lexical_fit],
                lexical_weights[lexical_fit],
                cfg.lexical_c[task],
                cfg,
                cache.fits,
                starts.get("lexical:*"),
            )
            starts["lexical:*"] = (coef, intercept)
            lexical = _logits(coef, intercept, terms[held_rows], task)
            for route in _routes(task, cfg)[1:]:
                if f"{task}:{route}" not in cfg.own_lexical:
                    continue
                # This head's TF-IDF part learns from its own language's rows.
                held_mask = langs[held_rows] == route
                fit, factor = route_rows(cfg, task, route, langs, fit_rows)
                coef, intercept = _fit(
                    terms[fit],
                    labels[fit],
                    weights[fit] * factor,
                    cfg.lexical_c[task],
                    cfg,
                    cache.fits,
                    starts.get(f"lexical:{route}"),
                )
                starts[f"lexical:{route}"] = (coef, intercept)
                lexical[held_mask] = _logits(coef, intercept, terms[held_rows[held_mask]], task)
            stacked = np.zeros_like(encoder)
            for route, (mask, (lexical_weight, encoder_weight)) in zip(
                _routes(task, cfg), _stacking(task, cfg, langs[held_rows]), strict=True
            ):
                stacked[mask] = (
                    lexical_weight * lexical[mask]
                    + encoder_weight * encoder[mask]
                    + _shift(task, cfg, route)
                )
            for approach, z in (
                ("TF-IDF", lexical),
                ("encoder", encoder),
                ("stacked", stacked),
            ):
                pred = _decide(task, z)
                for group, metric in GROUPS[task].items():
                    mask = groups[held_rows] == group
                    if mask.any():
                        truth = labels[held_rows][mask]
                        scores[(group, approach)].append(_score(metric, truth, pred[mask]))
            progress(
                f"[{time.monotonic() - started:6.0f}s] cv {task}: "
                f"repeat {one.repeat + 1}/{repeats}, fold {one.index + 1}/{folds}"
            )
        table[task] = [
            {
                "group": group,
                "metric": GROUPS[task][group],
                "approach": approach,
                "mean": round(float(np.mean(values)), 2),
                "sd": round(float(np.std(values, ddof=1)), 2) if len(values) > 1 else 0.0,
                "folds": len(values),
            }
            for (group, approach), values in sorted(scores.items())
        ]
    return {
        "folds": folds,
        "repeats": repeats,
        "config": {k: v for k, v in cfg.__dict__.items()},
        "tasks": table,
    }
