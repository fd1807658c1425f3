"""Adapting the accurate tier to a workspace's feedback: a correction layer folded into the heads.

People's decisions in the moderation queue and their corrections in listening ("not offensive",
"spam", a sentiment set by hand) are labelled examples of where the packaged models go wrong on
*this* community's messages. :func:`adapt` learns, per task, a small correction over the heads'
own score::

    score' = (1 + a) * score + v · x + d

where ``score`` is the head's log-odds (the log-probabilities for sentiment, whose ``a`` is 0), ``x``
the message's 512-dimension sentence vector (:mod:`._encoder`) and ``a``, ``v``, ``d`` are fitted
on the feedback by a ridge-penalised logistic regression, the penalty pulling them towards 0 (the
heads as they are). Its strength is chosen by grouped cross-validation *on the feedback itself*;
when no strength does better than the heads alone under that cross-validation, or the feedback is
too small, the task is left as it was and :class:`Correction` says why.

The heads are linear in the sentence vector, so the correction folds into them exactly
(:func:`fold`): the result is an ordinary ``heads.npz`` that :func:`ambassade.engine.text.analyze`
reads like the packaged one, at the same speed. docs/text-analysis.md ("Learning from feedback")
has the measured effect. numpy only; no scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,unused-ignore]

from ambassade.engine.text._encoder import DIMENSION
from ambassade.engine.text._heads import TASKS, Head, Heads
from ambassade.engine.text._model import SENTIMENT_CLASSES

__all__ = [
    "LABELS",
    "STRENGTHS",
    "UNREVIEWED",
    "Correction",
    "FeedbackError",
    "FeedbackExample",
    "adapt",
    "fit_correction",
    "fold",
    "read_feedback",
]

DoubleArray = npt.NDArray[np.float64]

#: Label -> (task, class). Binary tasks have class 1 (present) or 0; sentiment its class index.
LABELS: dict[str, tuple[str, int]] = {
    "offensive": ("offensive", 1),
    "not_offensive": ("offensive", 0),
    "hateful": ("hateful", 1),
    "not_hateful": ("hateful", 0),
    "spam": ("spam", 1),
    "ham": ("spam", 0),
    "not_spam": ("spam", 0),
    **{name: ("sentiment", index) for index, name in enumerate(SENTIMENT_CLASSES)},
}
#: The label of a message nobody corrected (an anchor: the heads' scores are kept on it).
UNREVIEWED = "unreviewed"
#: Ridge strengths tried by the inner cross-validation (larger: closer to the heads as they are).
STRENGTHS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
#: Fewest examples of a task, and of each of its classes, worth adapting to.
MIN_EXAMPLES = 20
MIN_PER_CLASS = 5
#: The sentence vectors have unit length: scaled so that each of their 512 parts is about of the
#: size of a log-odds, and one penalty fits both.
VECTOR_SCALE = math.sqrt(DIMENSION)
_EPS = 1e-7
#: Weight of each anchor; None: the anchors weigh together as much as the feedback.
ANCHOR_WEIGHT: float | None = None
#: A correction is kept only if it lowers the cross-validated log loss by at least this share.
MIN_GAIN = 0.01
#: The correction moves the score along at most this many main directions of the feedback's
#: sentence vectors (a ridge over the whole 512 dimensions gave the same losses, much slower).
RANK = 48


class FeedbackError(ValueError):
    """A feedback file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class FeedbackExample:
    text: str
    task: str
    target: int
    lang: str = "und"
    group: str = ""
    at: str = ""


def read_feedback(path: Path) -> list[FeedbackExample]:
    """The examples of a feedback file (JSONL: ``text``, ``label``, ``lang``, and optionally
    ``group`` — an author's pseudonymous key — and ``corrected_at``), as written by
    ``ambassade export_feedback`` or the moderation log's download. A line labelled
    ``unreviewed`` is a message of the same traffic that nobody corrected (``task`` is then
    empty and ``target`` -1): an anchor for every task. Refuses a malformed line naming it;
    nothing is half-read."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise FeedbackError(f"{path}, line {number}: not JSON ({exc})") from None
            if not isinstance(row, dict):
                raise FeedbackError(f"{path}, line {number}: expected an object")
            text, label = row.get("text"), row.get("label")
            if not isinstance(text, str) or not text.strip():
                raise FeedbackError(f"{path}, line {number}: no text")
            if label == UNREVIEWED:
                examples.append(
                    FeedbackExample(
                        text, "", -1, str(row.get("lang") or "und"), str(row.get("group") or "")
                    )
                )
                continue
            if label not in LABELS:
                raise FeedbackError(
                    f"{path}, line {number}: unknown label {label!r} "
                    f"(expected one of {', '.join(sorted(LABELS))}, or {UNREVIEWED})"
                )
            task, target = LABELS[str(label)]
            stated = row.get("task")
            if stated is not None and stated != task:
                raise FeedbackError(
                    f"{path}, line {number}: label {label!r} does not belong to task {stated!r}"
                )
            examples.append(
                FeedbackExample(
                    text,
                    task,
                    target,
                    str(row.get("lang") or "und"),
                    str(row.get("group") or ""),
                    str(row.get("corrected_at") or ""),
                )
            )
    return examples


@dataclass(frozen=True)
class Correction:
    """The correction learnt for one task; ``weights`` is None when the task is left as it was
    (``reason`` says why: too few examples, or no gain under cross-validation)."""

    task: str
    examples: int
    strength: float | None = None
    scale: float = 0.0
    weights: DoubleArray | None = None  # (512, K): over the *unscaled* sentence vector
    bias: tuple[float, ...] = ()
    reason: str = ""
    cv_loss: dict[str, float] = field(default_factory=dict)

    @property
    def applied(self) -> bool:
        return self.weights is not None

    def apply(self, logits: DoubleArray, vectors: npt.NDArray[Any]) -> DoubleArray:
        """The corrected log-odds (log-probabilities for sentiment) of rows ``logits``."""
        if self.weights is None:
            return logits
        extra = vectors.astype(np.float64) @ self.weights + np.asarray(self.bias)
        result: DoubleArray = (1.0 + self.scale) * logits + extra
        return result

    def describe(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "examples": self.examples,
            "applied": self.applied,
            "strength": self.strength,
            "scale": self.scale,
            "reason": self.reason,
            "cv_loss": self.cv_loss,
        }


# --- the heads' own scores -----------------------------------------------------------------------


def base_logits(scores: Any, task: str) -> DoubleArray:
    """The heads' log-odds of a binary task, or log-probabilities of sentiment, from
    :class:`~ambassade.engine.text._model.Scores` (probabilities kept away from 0 and 1)."""
    if task == "sentiment":
        p = np.clip(np.asarray(scores.sentiment, dtype=np.float64), _EPS, 1.0)
        result: DoubleArray = np.log(p)
        return result
    p = np.clip(np.asarray(getattr(scores, task), dtype=np.float64), _EPS, 1.0 - _EPS)
    logit: DoubleArray = np.log(p / (1.0 - p))[:, None]
    return logit


# --- fitting -------------------------------------------------------------------------------------


def _softmax(z: DoubleArray) -> DoubleArray:
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    result: DoubleArray = e / e.sum(axis=1, keepdims=True)
    return result


def _loss(logits: DoubleArray, targets: DoubleArray, weights: DoubleArray) -> float:
    """Weighted log loss (summed) against targets given as probabilities."""
    if logits.shape[1] == 1:
        z = logits[:, 0]
        per = np.logaddexp(0.0, z) - targets * z
    else:
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        per = -(targets * log_p).sum(axis=1)
    return float((weights * per).sum())


def _newton_binary(
    design: DoubleArray,
    offset: DoubleArray,
    targets: DoubleArray,
    weights: DoubleArray,
    strength: float,
) -> DoubleArray:
    """Ridge logistic regression with an offset, by Newton's method with step halving."""
    k = design.shape[1]
    theta = np.zeros(k)
    penalty = np.full(k, strength)

    def objective(t: DoubleArray) -> float:
        z = offset + design @ t
        return float((weights * (np.logaddexp(0.0, z) - targets * z)).sum() + 0.5 * penalty @ t**2)

    current = objective(theta)
    for _ in range(30):
        z = offset + design @ theta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        gradient = design.T @ (weights * (p - targets)) + penalty * theta
        hessian = (design * (weights * p * (1.0 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4:
            candidate = theta - size * step
            value = objective(candidate)
            if value <= current:
                break
            size /= 2.0
        else:
            break
        theta, previous, current = candidate, current, value
        if previous - current < 1e-9 * max(1.0, abs(current)):
            break
    return theta


def _newton_multinomial(
    design: DoubleArray,
    offset: DoubleArray,
    targets: DoubleArray,
    weights: DoubleArray,
    strength: float,
) -> DoubleArray:
    """Ridge multinomial regression with an offset (one weight column per class)."""
    k = design.shape[1]
    classes = offset.shape[1]
    theta = np.zeros((k, classes))
    onehot = targets

    def objective(t: DoubleArray) -> float:
        z = offset + design @ t
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-(weights[:, None] * onehot * log_p).sum() + 0.5 * strength * (t**2).sum())

    current = objective(theta)
    for _ in range(30):
        p = _softmax(offset + design @ theta)
        gradient = design.T @ (weights[:, None] * (p - onehot)) + strength * theta
        hessian = np.zeros((k * classes, k * classes))
        for a in range(classes):
            for b in range(a, classes):
                coupling = weights * p[:, a] * ((a == b) - p[:, b])
                block = (design * coupling[:, None]).T @ design
                hessian[a * k : (a + 1) * k, b * k : (b + 1) * k] = block
                hessian[b * k : (b + 1) * k, a * k : (a + 1) * k] = block.T
        hessian += strength * np.eye(k * classes)
        # Class-major flattening, matching the blocks above.
        step = np.linalg.solve(hessian, gradient.T.reshape(-1)).reshape(classes, k).T
        size = 1.0
        while size > 1e-4:
            candidate = theta - size * step
            value = objective(candidate)
            if value <= current:
                break
            size /= 2.0
        else:
            break
        theta, previous, current = candidate, current, value
        if previous - current < 1e-9 * max(1.0, abs(current)):
            break
    return theta


def _soft(targets: npt.NDArray[np.int64], classes: int) -> DoubleArray:
    """Targets as probabilities: P(present) for a binary task, one row per example otherwise."""
    if classes == 2:
        return targets.astype(np.float64)
    result: DoubleArray = np.eye(classes)[targets]
    return result


def _probabilities(logits: DoubleArray) -> DoubleArray:
    """What the heads say, as targets that agree with them (the anchors')."""
    if logits.shape[1] == 1:
        result: DoubleArray = 1.0 / (1.0 + np.exp(-np.clip(logits[:, 0], -40.0, 40.0)))
        return result
    return _softmax(logits)


def _fit(
    logits: DoubleArray,
    vectors: npt.NDArray[Any],
    targets: DoubleArray,
    weights: DoubleArray,
    strength: float,
) -> tuple[float, DoubleArray, tuple[float, ...]]:
    """(scale, weights over the unscaled vector, bias) of one correction."""
    binary = logits.shape[1] == 1
    x = vectors.astype(np.float64) * VECTOR_SCALE
    # The correction's direction is sought among the examples' main directions only: the
    # fits stay small (a few dozen unknowns) whatever the number of examples.
    basis = np.linalg.svd(x, full_matrices=False)[2][:RANK]  # (r, 512), orthonormal rows
    reduced = x @ basis.T
    ones = np.ones((len(x), 1))
    if binary:
        design = np.hstack([logits, reduced, ones])
        theta = _newton_binary(design, logits[:, 0], targets, weights, strength)
        scale, v, bias = float(theta[0]), basis.T @ theta[1:-1], (float(theta[-1]),)
        return scale, (v * VECTOR_SCALE)[:, None], bias
    design = np.hstack([reduced, ones])
    theta = _newton_multinomial(design, logits, targets, weights, strength)
    v = basis.T @ theta[:-1]
    return 0.0, v * VECTOR_SCALE, tuple(float(b) for b in theta[-1])


def _folds(groups: Sequence[str], count: int, seed: int) -> list[npt.NDArray[np.int64]]:
    """Row indices of ``count`` folds, a group never split between two."""
    names = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(names))
    fold_of = {names[int(i)]: n % count for n, i in enumerate(order)}
    assigned = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assigned == f) for f in range(count)]


def fit_correction(
    task: str,
    logits: DoubleArray,
    vectors: npt.NDArray[Any],
    targets: npt.NDArray[np.int64],
    groups: Sequence[str],
    *,
    anchors: tuple[DoubleArray, npt.NDArray[Any]] | None = None,
    strengths: Sequence[float] = STRENGTHS,
    folds: int = 5,
    seed: int = 20240607,
) -> Correction:
    """The correction of one task, its strength chosen by grouped ``folds``-fold cross-validation
    on these examples (weighted log loss); none when the heads alone do as well.

    ``anchors`` (their logits and vectors) are messages of the same traffic that nobody corrected:
    the fit keeps the heads' own scores on them, so that feedback that only covers what was
    flagged (the queue) does not move the scores of everything else. BLAS runs on one thread:
    these small products cost 20 times more CPU when threads spin on a loaded machine."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_correction(
            task, logits, vectors, targets, groups, anchors, strengths, folds, seed
        )


def _fit_correction(
    task: str,
    logits: DoubleArray,
    vectors: npt.NDArray[Any],
    targets: npt.NDArray[np.int64],
    groups: Sequence[str],
    anchors: tuple[DoubleArray, npt.NDArray[Any]] | None,
    strengths: Sequence[float],
    folds: int,
    seed: int,
) -> Correction:
    n = len(targets)
    binary = task != "sentiment"
    classes = 2 if binary else len(SENTIMENT_CLASSES)
    counts = np.bincount(targets, minlength=classes)
    if n < MIN_EXAMPLES or (counts < MIN_PER_CLASS).any():
        return Correction(
            task,
            n,
            reason=f"too few examples ({n}; at least {MIN_EXAMPLES}, "
            f"and {MIN_PER_CLASS} of each class, are needed)",
        )
    parts = _folds(groups, min(folds, len(set(groups))), seed)
    parts = [p for p in parts if len(p)]
    if len(parts) < 2:
        return Correction(task, n, reason="the examples come from a single author or group")
    # Every example and anchor in one table: soft targets, weights, the fold it is held out in.
    soft = _soft(targets, classes)
    # Each example weighs 1: the feedback's own mix of classes is the queue's (class-balanced
    # weights, as the heads were trained, lost 4.4 macro-F1 points on the offensive stream of
    # `ambassade bench feedback` against 1.4 with these; docs/text-analysis.md).
    weights = np.ones(n)
    fold_of = np.empty(n, dtype=np.int64)
    for index, held in enumerate(parts):
        fold_of[held] = index
    all_logits, all_vectors = logits, vectors.astype(np.float64)
    if anchors is not None and len(anchors[0]):
        a_logits, a_vectors = anchors
        all_logits = np.vstack([logits, a_logits])
        all_vectors = np.vstack([all_vectors, a_vectors.astype(np.float64)])
        soft = np.concatenate([soft, _probabilities(a_logits)])
        # Anchors weigh as much, together, as the feedback: enough to hold the rest of the
        # traffic where the heads put it, not so much that the feedback cannot move it.
        each = ANCHOR_WEIGHT if ANCHOR_WEIGHT is not None else n / len(a_logits)
        weights = np.concatenate([weights, np.full(len(a_logits), each)])
        order = np.random.default_rng(seed).permutation(len(a_logits))
        fold_of = np.concatenate([fold_of, order % len(parts)])
    losses: dict[str, float] = {"heads": 0.0, **{f"{s:g}": 0.0 for s in strengths}}
    total = 0.0
    for index in range(len(parts)):
        held, train = fold_of == index, fold_of != index
        if len(np.unique(targets[np.flatnonzero(train[:n])])) < classes:
            continue
        total += weights[held].sum()
        losses["heads"] += _loss(all_logits[held], soft[held], weights[held])
        for s in strengths:
            scale, w, b = _fit(
                all_logits[train], all_vectors[train], soft[train], weights[train], s
            )
            corrected = (1.0 + scale) * all_logits[held] + all_vectors[held] @ w + b
            losses[f"{s:g}"] += _loss(corrected, soft[held], weights[held])
    if total == 0:
        return Correction(task, n, reason="no fold holds every class")
    losses = {name: value / total for name, value in losses.items()}
    best = min(strengths, key=lambda s: losses[f"{s:g}"])
    if losses[f"{best:g}"] > (1.0 - MIN_GAIN) * losses["heads"]:
        return Correction(
            task,
            n,
            reason="no gain over the heads alone under cross-validation on the feedback",
            cv_loss=losses,
        )
    scale, w, b = _fit(all_logits, all_vectors, soft, weights, best)
    if 1.0 + scale <= 0.05:
        return Correction(task, n, reason="the fitted correction reverses the heads' scores")
    return Correction(task, n, best, scale, w, b, cv_loss=losses)


def adapt(
    heads: Heads,
    examples: Sequence[FeedbackExample],
    score: Callable[[list[str]], tuple[Any, npt.NDArray[Any]]],
    *,
    tasks: Iterable[str] = TASKS,
    seed: int = 20240607,
    progress: Callable[[str], None] | None = None,
) -> tuple[Heads, list[Correction]]:
    """The heads adapted to ``examples``, and what was learnt per task.

    ``score(texts)`` gives the heads' :class:`~ambassade.engine.text._model.Scores` and the sentence
    vectors of ``texts`` (the caller runs the engine; see ``ambassade train-text --feedback``).
    Examples are grouped by their ``group`` (an author's key) or, without one, by their text, so
    that the cross-validation never sees one author on both sides."""
    corrections: list[Correction] = []
    quiet = [e.text for e in examples if e.target < 0]
    anchor_scores: Any = None
    anchor_vectors: npt.NDArray[Any] = np.zeros((0, DIMENSION))
    for task in tasks:
        rows = [e for e in examples if e.task == task and e.target >= 0]
        if not rows:
            continue
        if quiet and anchor_scores is None:
            if progress is not None:
                progress(f"scoring {len(quiet)} unreviewed messages (anchors)")
            anchor_scores, anchor_vectors = score(quiet)
        if progress is not None:
            progress(f"{task}: scoring {len(rows)} feedback examples")
        scores, vectors = score([e.text for e in rows])
        correction = fit_correction(
            task,
            base_logits(scores, task),
            vectors,
            np.array([e.target for e in rows], dtype=np.int64),
            [e.group or _text_key(e.text) for e in rows],
            anchors=None
            if anchor_scores is None
            else (base_logits(anchor_scores, task), anchor_vectors),
            seed=seed,
        )
        if progress is not None:
            progress(
                f"{task}: {'adapted' if correction.applied else 'left as it was'}"
                + (f" (strength {correction.strength:g})" if correction.applied else "")
                + (f": {correction.reason}" if correction.reason else "")
            )
        corrections.append(correction)
    return fold(heads, corrections), corrections


def _text_key(text: str) -> str:
    folded = " ".join(text.lower().split())
    return hashlib.sha1(folded.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


# --- folding into the heads ----------------------------------------------------------------------


def fold(heads: Heads, corrections: Sequence[Correction]) -> Heads:
    """New heads whose scores are the corrected ones. Each route of a corrected task gets its own
    columns (copied when another route shares them), so nothing else moves."""
    encoder_w = heads.encoder_weights.copy()
    encoder_b = heads.encoder_biases.copy()
    lexical_w = heads.lexical_weights
    lexical_b = heads.lexical_biases.copy()
    meta = json.loads(json.dumps(heads.meta))
    usage: dict[int, int] = {}
    for routes in heads.routes.values():
        for head in routes.values():
            for column in head.columns:
                usage[column] = usage.get(column, 0) + 1
    added_enc: list[DoubleArray] = []
    added_lex: list[npt.NDArray[np.float32]] = []
    added_eb: list[float] = []
    added_lb: list[float] = []
    for correction in corrections:
        if correction.weights is None:
            continue
        factor = 1.0 + correction.scale
        for lang, head in heads.routes[correction.task].items():
            if head.encoder_weight * factor == 0:
                raise ValueError(f"the {correction.task} head has no encoder part to correct")
            columns = []
            for index, column in enumerate(head.columns):
                delta = correction.weights[:, index] / (head.encoder_weight * factor)
                if usage[column] > 1:
                    columns.append(len(encoder_b) + len(added_eb))
                    added_enc.append(heads.encoder_weights[:, column] + delta)
                    added_eb.append(float(heads.encoder_biases[column]))
                    added_lex.append(heads.lexical_weights[:, column])
                    added_lb.append(float(heads.lexical_biases[column]))
                else:
                    columns.append(column)
                    encoder_w[:, column] += delta
            shift = [factor * s + b for s, b in zip(head.shift, correction.bias, strict=True)]
            meta["heads"][correction.task][lang] = Head(
                tuple(columns),
                head.lexical_weight * factor,
                head.encoder_weight * factor,
                tuple(shift),
            ).to_meta()
    if added_eb:
        encoder_w = np.hstack([encoder_w, np.stack(added_enc, axis=1)])
        encoder_b = np.concatenate([encoder_b, added_eb])
        lexical_w = np.hstack([lexical_w, np.stack(added_lex, axis=1)])
        lexical_b = np.concatenate([lexical_b, added_lb])
    history = list(meta.get("adapted") or [])
    history.append({"tasks": [c.describe() for c in corrections]})
    meta["adapted"] = history
    return Heads(encoder_w, encoder_b, lexical_w, lexical_b, meta)


def save(path: Path, heads: Heads) -> None:
    """Write ``heads`` as a ``heads.npz`` (the same format as the packaged one)."""
    Heads.save(
        path,
        heads.encoder_weights,
        heads.encoder_biases,
        heads.lexical_weights,
        heads.lexical_biases,
        heads.meta,
    )


def engine_scorer(heads: Heads | None = None) -> Callable[[list[str]], tuple[Any, Any]]:
    """``texts -> (Scores, sentence vectors)`` with the packaged fast model, encoder and ``heads``
    (the packaged ones by default), as :func:`ambassade.engine.text.analyze` computes them."""
    from ambassade.engine.text._encoder import default_encoder
    from ambassade.engine.text._heads import default_heads
    from ambassade.engine.text._language import detect_languages
    from ambassade.engine.text._model import default_model
    from ambassade.engine.text._normalize import bound, normalize

    def score(texts: list[str]) -> tuple[Any, Any]:
        model = default_model()
        used = heads or default_heads()
        bounded = [bound(text) for text in texts]
        codes = [guess.code for guess in detect_languages(bounded, None)]
        normalized = [normalize(text) for text in bounded]
        features = model.featurizer.transform(normalized)
        fast = model.predict(normalized, codes, features)
        vectors = default_encoder().encode(bounded)
        return used.predict(vectors, features, codes, fast.sentiment_supported), vectors

    return score
