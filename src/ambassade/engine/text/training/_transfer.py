"""More data for the English and French hate and offensive heads, by repeated stratified k-fold CV.

Candidates, each against the heads as shipped, on the folds of :func:`~._cv.cross_validate` (train
and dev pooled, stratified by data set, language and label):

- **HateXplain** (``HeadsConfig.hatexplain``): its English posts as rows of the task at a weight,
  so that the shared TF-IDF part, the English head and, through ``cross_lingual``, the French head
  learn from them;
- **French rows in the English head** (``cross_lingual["task:en"]``, with the English head's
  vectors centred per language as the French head's are): MLMA French and the ordinary French text;
- **angry everyday English as negatives** of the English head's encoder part: the TweetEval
  sentiment *train* tweets labelled negative (no offensive or hate label; complaints, anger,
  sarcasm), split into the same folds, at a weight;
- and the English head's shift (the decision threshold) over a small grid.

Each candidate is scored by the task's metric on the groups each head serves (the English head:
TweetEval, MLMA English; the French head: MLMA French, FTR French) and by the share of ordinary
traffic it flags, out of fold: for English, a seeded sample of 3,000 TweetEval sentiment train
tweets labelled neutral or positive (never trained on by these heads) and the negative tweets
above (scored out of fold when they train the head); for French, the UMSAB French train tweets
labelled neutral or positive (among the ordinary French rows the French heads learn from, split
into the folds). The behaviour suites and the airline tweets are never read here.

Rule (issue #11): a candidate is adopted when it gains at least one standard deviation of the
shipped head's folds on the head's main group without raising a flag rate by more than one
standard deviation of the shipped head's.

``python -m ambassade.engine.text.training._transfer --task hateful --data ../shared/data --cache
../cache/text-model --more-data ../cache/text-model/data`` prints the table (docs/text-analysis.md
has the run).
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
from sklearn.model_selection import KFold  # type: ignore[import-untyped]

from ambassade.engine.text._model import TextModel
from ambassade.engine.text.training._cv import (
    GROUPS,
    ORDINARY_FR,
    Row,
    _score,
    mean_sd,
    ordinary_french_apart,
    pooled_folds,
    pooled_rows,
)
from ambassade.engine.text.training._data import load
from ambassade.engine.text.training._embeddings import EmbeddingCache
from ambassade.engine.text.training._heads import (
    HeadsConfig,
    MoreData,
    _fit,
    _terms,
    fit_encoder_part,
    head_encoders,
    ordinary_texts,
    route_rows,
    setting,
)

__all__ = ["Candidate", "decide", "markdown", "sweep"]

Progress = Callable[[str], None]
SHIFT_DELTAS = (0.5, 0.25, 0.0, -0.25, -0.5, -1.0)
"""Added to the English head's shipped shift."""
TWEETS_ORDINARY = "TweetEval neutral and positive"
TWEETS_NEGATIVE = "TweetEval negative"
SAMPLE = 3000


@dataclasses.dataclass(frozen=True)
class Candidate:
    hatexplain: float = 0.0
    french_in_en: float = 0.0
    negatives: float = 0.0

    @property
    def name(self) -> str:
        parts = []
        if self.hatexplain:
            parts.append(f"HateXplain {self.hatexplain:g}")
        if self.french_in_en:
            parts.append(f"French rows in the English head {self.french_in_en:g}")
        if self.negatives:
            parts.append(f"TweetEval negative tweets {self.negatives:g}")
        return ", ".join(parts) or "shipped"


def _served(task: str, route: str) -> list[str]:
    return [g for g in GROUPS[task] if ("French" in g) == (route == "fr")]


def _config(task: str, candidate: Candidate) -> HeadsConfig:
    base = HeadsConfig()
    cfg = base
    if candidate.hatexplain:
        cfg = dataclasses.replace(cfg, hatexplain={task: candidate.hatexplain})
    if candidate.french_in_en:
        cfg = dataclasses.replace(
            cfg,
            cross_lingual={**cfg.cross_lingual, f"{task}:en": candidate.french_in_en},
            centred=(*cfg.centred, f"{task}:en"),
        )
    return cfg


def _rows(data: Path, cfg: HeadsConfig, more: MoreData | None, task: str) -> list[Row]:
    """The task's pooled rows, the UMSAB French neutral and positive train tweets among the
    ordinary French rows in an evaluation group of their own (so split into the folds)."""
    return ordinary_french_apart(data, pooled_rows(data, cfg, more)[task])


def _proxies(data: Path, seed: int) -> tuple[list[str], list[str]]:
    tweets = load(data, "tweeteval-sentiment", "train")
    negative = list(dict.fromkeys(e.text for e in tweets if e.label == "negative"))
    ordinary = list(dict.fromkeys(e.text for e in tweets if e.label != "negative"))
    rng = np.random.default_rng(seed)
    ordinary = [ordinary[int(i)] for i in sorted(rng.choice(len(ordinary), SAMPLE, replace=False))]
    return ordinary, negative


def sweep(
    data: Path,
    more: MoreData | None,
    fast_model: TextModel,
    cache: EmbeddingCache,
    task: str,
    candidates: Sequence[Candidate],
    folds: int = 5,
    repeats: int = 2,
    progress: Progress = print,
) -> list[dict[str, Any]]:
    """Per candidate and English shift: each served group's metric and each proxy's share flagged,
    per held-out fold (``folds`` × ``repeats``)."""
    base = HeadsConfig()
    started = time.monotonic()
    ordinary_tweets, negative_tweets = _proxies(data, base.seed + 7)
    results: list[dict[str, Any]] = []
    for hatexplain in sorted({c.hatexplain for c in candidates}):
        cfg0 = _config(task, Candidate(hatexplain=hatexplain))
        rows = _rows(data, cfg0, more, task)
        texts = [row.text for row in rows]
        labels = np.array([bool(row.label) for row in rows])
        weights = np.array([row.weight for row in rows])
        groups = np.array([row.group for row in rows])
        langs = np.array([row.lang for row in rows])
        progress(f"{task}: {len(texts)} rows (HateXplain {hatexplain:g}), encoding")
        en_encoders = head_encoders(base, task, "en")
        fr_encoders = head_encoders(base, task, "fr")
        en_x = cache.embed_with(en_encoders, texts)
        fr_x = cache.embed_with(fr_encoders, texts)
        umsab, umsab_w = ordinary_texts(data, task, "en", base)
        umsab_x = cache.embed_with(en_encoders, [t for t, _ in umsab])
        umsab_l = np.array([lang for _, lang in umsab])
        ord_x = cache.embed_with(en_encoders, ordinary_tweets)
        neg_x = cache.embed_with(en_encoders, negative_tweets)
        terms = _terms(fast_model, texts)
        ord_terms = _terms(fast_model, ordinary_tweets)
        neg_terms = _terms(fast_model, negative_tweets)
        mine = [c for c in candidates if c.hatexplain == hatexplain]
        # candidate -> per fold: {group: (truth, z)} and {proxy: z}, English z without its shift
        per_fold: dict[Candidate, list[dict[str, Any]]] = defaultdict(list)
        start = None
        neg_folds: list[Any] = []
        for one in pooled_folds(groups, labels, folds, repeats, base.seed):
            if one.index == 0:
                neg_folds = list(
                    KFold(folds, shuffle=True, random_state=base.seed + one.repeat).split(
                        negative_tweets
                    )
                )
            fold, fit_rows, held = one.index, one.fit, one.held
            coef, intercept = _fit(
                terms[fit_rows],
                labels[fit_rows],
                weights[fit_rows],
                base.lexical_c[task],
                base,
                cache.fits,
                start,
            )
            start = (coef, intercept)

            def lexical(x: Any, c: Any = coef, b: Any = intercept) -> npt.NDArray[np.float64]:
                z: npt.NDArray[np.float64] = np.asarray(x @ c.T, dtype=np.float64).ravel()
                return z + float(b[0])

            lex_held = lexical(terms[held])
            lex_ord, lex_neg = lexical(ord_terms), lexical(neg_terms)
            # The French head depends on HateXplain only (through the rows): once per fold.
            fr_lw, fr_ew = setting(base.stacking, task, "fr")
            picked, factor = route_rows(cfg0, task, "fr", langs, fit_rows)
            f_coef, f_b = fit_encoder_part(
                cfg0,
                task,
                "fr",
                fr_x[picked],
                labels[picked],
                weights[picked] * factor,
                langs[picked],
                cache.fits,
            )
            fr_held = held[langs[held] == "fr"]
            fr_lex = lex_held[langs[held] == "fr"]
            fr_z = fr_lw * fr_lex + fr_ew * ((fr_x[fr_held] @ f_coef.T).ravel() + f_b[0])
            fr_z = fr_z + float(setting(base.shift, task, "fr", (0.0,))[0])
            en_lw, en_ew = setting(base.stacking, task, "en")
            en_held = held[langs[held] == "en"]
            en_lex = lex_held[langs[held] == "en"]
            neg_fit, neg_out = neg_folds[fold]
            for candidate in mine:
                cfg = _config(task, candidate)
                picked, factor = route_rows(cfg, task, "en", langs, fit_rows)
                fit_x = [en_x[picked], umsab_x]
                fit_y = [labels[picked], np.zeros(len(umsab_x), dtype=bool)]
                fit_w = [weights[picked] * factor, umsab_w]
                fit_l = [langs[picked], umsab_l]
                if candidate.negatives:
                    fit_x.append(neg_x[neg_fit])
                    fit_y.append(np.zeros(len(neg_fit), dtype=bool))
                    fit_w.append(np.full(len(neg_fit), candidate.negatives))
                    fit_l.append(np.full(len(neg_fit), "en"))
                e_coef, e_b = fit_encoder_part(
                    cfg,
                    task,
                    "en",
                    np.vstack(fit_x),
                    np.concatenate(fit_y),
                    np.concatenate(fit_w),
                    np.concatenate(fit_l),
                    cache.fits,
                )

                def stacked(
                    lex: Any,
                    x: Any,
                    c: Any = e_coef,
                    b: Any = e_b,
                    lw: float = en_lw,
                    ew: float = en_ew,
                ) -> Any:
                    return lw * lex + ew * ((x @ c.T).ravel() + b[0])

                neg_scored = neg_out if candidate.negatives else np.arange(len(neg_x))
                record: dict[str, Any] = {
                    "en": {
                        g: (
                            labels[en_held][groups[en_held] == g],
                            stacked(en_lex, en_x[en_held])[groups[en_held] == g],
                        )
                        for g in _served(task, "en")
                    },
                    "fr": {
                        g: (labels[fr_held][groups[fr_held] == g], fr_z[groups[fr_held] == g])
                        for g in [*_served(task, "fr"), ORDINARY_FR]
                    },
                    TWEETS_ORDINARY: stacked(lex_ord, ord_x),
                    TWEETS_NEGATIVE: stacked(lex_neg[neg_scored], neg_x[neg_scored]),
                }
                per_fold[candidate].append(record)
            progress(
                f"[{time.monotonic() - started:6.0f}s] {task} (HateXplain {hatexplain:g}): "
                f"repeat {one.repeat + 1}/{repeats}, fold {fold + 1}/{folds}"
            )
        shipped = float(setting(base.shift, task, "en", (0.0,))[0])
        for candidate, records in per_fold.items():
            for delta in SHIFT_DELTAS:
                shift = shipped + delta
                scores: dict[str, list[float]] = defaultdict(list)
                for record in records:
                    for group, (truth, z) in record["en"].items():
                        if len(truth):
                            scores[group].append(_score(GROUPS[task][group], truth, z + shift > 0))
                    for group, (truth, z) in record["fr"].items():
                        if group == ORDINARY_FR:
                            scores[ORDINARY_FR].append(100 * float(np.mean(z > 0)))
                        elif len(truth):
                            scores[group].append(_score(GROUPS[task][group], truth, z > 0))
                    for proxy in (TWEETS_ORDINARY, TWEETS_NEGATIVE):
                        scores[proxy].append(100 * float(np.mean(record[proxy] + shift > 0)))
                results.append(
                    {
                        "task": task,
                        "candidate": dataclasses.asdict(candidate),
                        "name": candidate.name,
                        "shift_en": shift,
                        "shipped_shift": delta == 0,
                        "folds": {k: [round(x, 3) for x in v] for k, v in scores.items()},
                    }
                )
    return results


FLAGS = (TWEETS_ORDINARY, TWEETS_NEGATIVE, ORDINARY_FR)


def decide(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The shipped row, and per candidate (at its best admissible English shift) whether it
    passes the rule of the module's docstring, group by group."""
    task = results[0]["task"]
    base = next(r for r in results if r["name"] == "shipped" and r["shipped_shift"])
    main = {"en": _served(task, "en")[0], "fr": _served(task, "fr")[0]}
    out: dict[str, Any] = {"baseline": base, "candidates": []}

    def admissible(row: dict[str, Any]) -> bool:
        for flag in (TWEETS_ORDINARY, TWEETS_NEGATIVE):
            mean, _ = mean_sd(row["folds"][flag])
            b_mean, b_sd = mean_sd(base["folds"][flag])
            if mean > b_mean + b_sd:
                return False
        return True

    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in results:
        by_name[row["name"]].append(row)
    for name, rows in by_name.items():
        fine = [r for r in rows if admissible(r)]
        best = max(fine or rows, key=lambda r: mean_sd(r["folds"][main["en"]])[0])
        verdict = {}
        for group in main.values():
            mean, _ = mean_sd(best["folds"][group])
            b_mean, b_sd = mean_sd(base["folds"][group])
            verdict[group] = round(mean - b_mean, 2), round(b_sd, 2), mean - b_mean >= b_sd
        fr_flag, _ = mean_sd(best["folds"][ORDINARY_FR])
        b_fr, b_fr_sd = mean_sd(base["folds"][ORDINARY_FR])
        out["candidates"].append(
            {
                "name": name,
                "row": best,
                "admissible_en": bool(fine),
                "french_flags_ok": fr_flag <= b_fr + b_fr_sd,
                "gain": verdict,
            }
        )
    return out


def markdown(results: Sequence[dict[str, Any]], all_shifts: bool = False) -> list[str]:
    task = results[0]["task"]
    groups = [*_served(task, "en"), *_served(task, "fr")]
    lines = [
        "| candidate | English shift | "
        + " | ".join(groups)
        + " | "
        + " | ".join(f"{f} flagged (%)" for f in FLAGS)
        + " |",
        "|---|---:|" + "---:|" * (len(groups) + len(FLAGS)),
    ]
    picked = {c["row"]["name"]: c["row"] for c in decide(results)["candidates"]}
    for row in results:
        if not all_shifts and row is not picked.get(row["name"]) and not row["shipped_shift"]:
            continue
        cells = []
        for key in (*groups, *FLAGS):
            mean, sd = mean_sd(row["folds"].get(key, [float("nan")]))
            cells.append(f"{mean:.1f} ± {sd:.1f}" if key in groups else f"{mean:.2f} ± {sd:.2f}")
        lines.append(f"| {row['name']} | {row['shift_en']:g} | " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    from ambassade.engine.text._model import default_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="hateful", choices=("hateful", "offensive"))
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path("../cache/text-model"))
    parser.add_argument("--more-data", type=Path, default=Path("../cache/text-model/data"))
    parser.add_argument("--hatexplain", default="0,0.3,1")
    parser.add_argument("--french", default="0,0.3,1")
    parser.add_argument("--negatives", default="0")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output", type=Path, help="where to write the results as JSON")
    args = parser.parse_args(argv)
    candidates = [
        Candidate(float(h), float(f), float(n))
        for h in args.hatexplain.split(",")
        for f in args.french.split(",")
        for n in args.negatives.split(",")
    ]
    results = sweep(
        args.data,
        MoreData(args.more_data),
        default_model(),
        EmbeddingCache(args.cache),
        args.task,
        candidates,
        repeats=args.repeats,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    if args.output:
        args.output.write_text(json.dumps(results), "utf-8")
    print("\n".join(markdown(results)), flush=True)
    for c in decide(results)["candidates"]:
        print(
            f"{c['name']}: gain {c['gain']}, English flags admissible {c['admissible_en']}, "
            f"French flags ok {c['french_flags_ok']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
