"""Calibration of the binary heads to ordinary traffic, chosen by repeated stratified k-fold CV.

A balanced logistic regression puts 0.5 where both classes are equally likely under equal priors;
on a brand's ordinary traffic offensive, hateful and spam messages are rare, so the heads flag too
many ordinary messages. The fixes compared here, per head (``task:route``):

- **a shift of the stacked log-odds** (``HeadsConfig.shift``): the prior correction toward the
  deployment prior, i.e. a decision threshold other than 0.5. Platt scaling, temperature and
  isotonic regression are monotone maps of the same score: at the 0.5 decision they are a threshold
  too, and fitted on out-of-fold scores of the training mix they calibrate to that mix, which is the
  problem, not the fix; the shift is the one free parameter that matters for the flags.
- **ordinary messages as negatives** in the head's encoder part (UMSAB train neutral and positive
  tweets at a weight), the TF-IDF part shared by every route unchanged.

Each candidate is scored on the held-out folds of train+dev pooled (the folds of
:func:`~._cv.cross_validate`) by the head's metric on the groups it serves (macro-F1; spam: F1 of
spam), and by the share of the
ordinary messages (UMSAB *train* neutral and positive, never the dev tweets nor the airline
tweets, which ``ambassade bench text`` keeps for reporting) of the languages it serves that it
flags: those rows are scored by every fold's model when they do not train it, and split into the
same number of folds when they do. Rule (issue #11): a candidate is acceptable when no served
group's mean F1 falls by one standard deviation of the shipped head's folds or more; among the
acceptable, those whose flag rate is within one standard deviation of the lowest are level, and the
simplest of them wins (the smallest weight of ordinary negatives, then the smallest shift).

``python -m ambassade.engine.text.training._calibration --data ../shared/data --cache
../cache/text-model`` prints the table and the choice.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from ambassade.engine.text._model import TextModel
from ambassade.engine.text.training._cv import (
    GROUPS,
    _route_vectors,
    _score,
    mean_sd,
    pooled_folds,
    pooled_rows,
)
from ambassade.engine.text.training._embeddings import EmbeddingCache
from ambassade.engine.text.training._heads import (
    HeadsConfig,
    MoreData,
    _fit,
    _terms,
    fit_encoder_part,
    head_encoders,
    ordinary_rows,
    route_rows,
    served_languages,
    setting,
)

__all__ = ["SHIFTS", "calibration_cv", "choose", "markdown"]

Progress = Callable[[str], None]
SHIFTS = (0.0, -0.25, -0.5, -0.75, -1.0, -1.25, -1.5, -2.0, -2.5, -3.0)


def _served_groups(task: str, route: str, cfg: HeadsConfig) -> list[str]:
    """The CV groups whose rows this head scores in the product; for a default head that serves
    none of them (offensive in other languages), every group, as a proxy."""
    own = cfg.per_language.get(task, ())
    language = {"French": "fr", "English": "en"}
    served = []
    for group in GROUPS[task]:
        lang = next((code for word, code in language.items() if word in group), "en")
        if (route == "*" and lang not in own) or lang == route:
            served.append(group)
    return served or list(GROUPS[task])


def calibration_cv(
    data: Path,
    fast_model: TextModel,
    cache: EmbeddingCache,
    task: str,
    config: HeadsConfig | None = None,
    more: MoreData | None = None,
    weights: Sequence[float] = (0.0, 0.3, 1.0),
    shifts: Sequence[float] = SHIFTS,
    folds: int = 5,
    repeats: int = 2,
    progress: Progress = print,
) -> dict[str, Any]:
    """Per head of ``task``, per ordinary weight and shift: CV F1 per served group and the share
    of ordinary messages flagged, each as mean ± sd over the held-out folds."""
    # Candidates are measured from the heads without any calibration.
    cfg = dataclasses.replace(config or HeadsConfig(), shift={}, ordinary={})
    started = time.monotonic()
    rows = pooled_rows(data, cfg, more)[task]
    ordinary = ordinary_rows(data, task, cfg)
    texts = [row.text for row in rows]
    labels = np.array([row.label for row in rows])
    row_weights = np.array([row.weight for row in rows])
    groups = np.array([row.group for row in rows])
    langs = np.array([row.lang for row in rows])
    o_texts = [text for text, _ in ordinary]
    o_langs = np.array([lang for _, lang in ordinary])
    routes = ("*", *cfg.per_language.get(task, ()))
    if any(f"{task}:{route}" in cfg.own_lexical for route in routes):
        raise ValueError(f"{task}: a head with a TF-IDF part of its own is not handled here")
    progress(f"calibration {task}: {len(texts)} rows, {len(o_texts)} ordinary messages")
    vectors = _route_vectors(task, cfg, cache, texts, langs)
    o_served = {route: np.isin(o_langs, served_languages(task, route, cfg)) for route in routes}
    o_vectors = {
        route: cache.embed_with(head_encoders(cfg, task, route), o_texts)
        for route in routes
        if o_served[route].any()
    }
    terms = _terms(fast_model, texts)
    o_terms = _terms(fast_model, o_texts)
    # (route, weight) -> per fold: (held stacked logits, held rows), (ordinary logits, rows)
    held: dict[tuple[str, float], list[tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]]]
    held = defaultdict(list)
    flagged: dict[tuple[str, float], list[tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]]]
    flagged = defaultdict(list)
    start: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None
    o_folds: list[Any] = []
    for one in pooled_folds(groups, labels, folds, repeats, cfg.seed):
        if one.index == 0:
            o_splitter = StratifiedKFold(folds, shuffle=True, random_state=cfg.seed + one.repeat)
            o_folds = list(o_splitter.split(o_texts, o_langs))
        fold, fit_rows, held_rows = one.index, one.fit, one.held
        coef, intercept = _fit(
            terms[fit_rows],
            labels[fit_rows],
            row_weights[fit_rows],
            cfg.lexical_c[task],
            cfg,
            cache.fits,
            start,
        )
        start = (coef, intercept)
        lexical = (terms[held_rows] @ coef.T).ravel() + intercept[0]
        o_lexical = (o_terms @ coef.T).ravel() + intercept[0]
        for route in routes:
            lexical_weight, encoder_weight = setting(cfg.stacking, task, route)
            picked, factor = route_rows(cfg, task, route, langs, fit_rows)
            x = vectors[route]
            for weight in weights:
                if weight and route not in o_vectors:
                    continue
                fit_x = x[picked]
                fit_y = labels[picked]
                fit_w = row_weights[picked] * factor
                fit_l = langs[picked]
                o_fit, o_held = o_folds[fold]
                o_fit = o_fit[o_served[route][o_fit]]
                if weight:
                    fit_x = np.vstack([fit_x, o_vectors[route][o_fit]])
                    fit_y = np.concatenate([fit_y, np.zeros(len(o_fit), dtype=bool)])
                    fit_w = np.concatenate([fit_w, np.full(len(o_fit), weight)])
                    fit_l = np.concatenate([fit_l, o_langs[o_fit]])
                e_coef, e_intercept = fit_encoder_part(
                    cfg, task, route, fit_x, fit_y, fit_w, fit_l, cache.fits
                )
                encoder = (x[held_rows] @ e_coef.T).ravel() + e_intercept[0]
                held[(route, weight)].append(
                    (lexical_weight * lexical + encoder_weight * encoder, held_rows)
                )
                if route in o_vectors:
                    # Ordinary rows that did not train this fold's head.
                    scored = o_held if weight else np.arange(len(o_texts))
                    scored = scored[o_served[route][scored]]
                    o_encoder = (o_vectors[route][scored] @ e_coef.T).ravel() + e_intercept[0]
                    flagged[(route, weight)].append(
                        (
                            lexical_weight * o_lexical[scored] + encoder_weight * o_encoder,
                            scored,
                        )
                    )
        progress(
            f"[{time.monotonic() - started:6.0f}s] calibration {task}: "
            f"repeat {one.repeat + 1}/{repeats}, fold {fold + 1}/{folds}"
        )
    table: list[dict[str, Any]] = []
    for (route, weight), per_fold in sorted(held.items()):
        served = _served_groups(task, route, cfg)
        for shift in shifts:
            f1: dict[str, list[float]] = defaultdict(list)
            for z, rows_held in per_fold:
                pred = z + shift > 0
                for group in served:
                    mask = groups[rows_held] == group
                    if mask.any():
                        truth = labels[rows_held][mask].astype(bool)
                        f1[group].append(_score(GROUPS[task][group], truth, pred[mask]))
            rates = [
                100 * float(np.mean(z + shift > 0))
                for z, _ in flagged.get((route, weight), [])
                if len(z)
            ]
            table.append(
                {
                    "route": route,
                    "weight": weight,
                    "shift": shift,
                    "f1": {g: mean_sd(v, 2) for g, v in f1.items()},
                    "flagged": mean_sd(rates, 2) if rates else None,
                    "served_languages": list(served_languages(task, route, cfg)),
                }
            )
    return {"task": task, "folds": folds, "repeats": repeats, "rows": table}


def choose(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per head, the chosen candidate by the rule of the module's docstring, with the baseline."""
    chosen: dict[str, dict[str, Any]] = {}
    by_route: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in result["rows"]:
        by_route[row["route"]].append(row)
    for route, candidates in by_route.items():
        base = next(r for r in candidates if r["weight"] == 0 and r["shift"] == 0)
        if base["flagged"] is None:
            continue

        def acceptable(row: dict[str, Any], base: dict[str, Any] = base) -> bool:
            return all(
                base["f1"][group][0] - row["f1"][group][0] < base["f1"][group][1]
                for group in base["f1"]
            )

        fine = [r for r in candidates if r["flagged"] is not None and acceptable(r)]
        lowest = min(fine, key=lambda r: r["flagged"][0])["flagged"]
        # Flag rates within one standard deviation of the lowest are no better than it: the
        # simplest of them wins (no ordinary negatives before some, then the smallest shift).
        level = [r for r in fine if r["flagged"][0] <= lowest[0] + lowest[1]]
        best = min(level, key=lambda r: (r["weight"], -r["shift"]))
        chosen[route] = {"baseline": base, "chosen": best}
    return chosen


def markdown(result: dict[str, Any]) -> list[str]:
    """The candidates' table: F1 per served group and ordinary share flagged, per head."""
    lines = []
    picks = choose(result)
    task = result["task"]
    for route in sorted({row["route"] for row in result["rows"]}):
        rows = [r for r in result["rows"] if r["route"] == route]
        groups = list(rows[0]["f1"])
        langs = ", ".join(rows[0]["served_languages"])
        lines += [
            "",
            f"{task}, head `{route}` (ordinary messages: UMSAB train neutral and positive, {langs})",
            "",
            "| ordinary as negatives, weight | shift | "
            + " | ".join(f"{g} ({GROUPS[task][g]})" for g in groups)
            + " | ordinary flagged |",
            "|---:|---:|" + "---:|" * (len(groups) + 1),
        ]
        pick = picks.get(route, {}).get("chosen")
        for r in rows:
            cells = [f"{r['f1'][g][0]:.1f} ± {r['f1'][g][1]:.1f}" for g in groups]
            flag = (
                "—" if r["flagged"] is None else f"{r['flagged'][0]:.2f} ± {r['flagged'][1]:.2f} %"
            )
            mark = " **chosen**" if r is pick else ""
            lines.append(
                f"| {r['weight']:g} | {r['shift']:g}{mark} | {' | '.join(cells)} | {flag} |"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    from ambassade.engine.text._model import default_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path("../cache/text-model"))
    parser.add_argument("--tasks", default="offensive,hateful,spam")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--weights", default="0,0.3,1")
    parser.add_argument("--output", type=Path, help="where to write the results as JSON")
    args = parser.parse_args(argv)
    results = []
    for task in args.tasks.split(","):
        result = calibration_cv(
            args.data,
            default_model(),
            EmbeddingCache(args.cache),
            task,
            weights=[float(w) for w in args.weights.split(",")],
            repeats=args.repeats,
            progress=lambda m: print(m, file=sys.stderr, flush=True),
        )
        results.append(result)
        print("\n".join(markdown(result)), flush=True)
        if args.output:
            args.output.write_text(json.dumps(results, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
