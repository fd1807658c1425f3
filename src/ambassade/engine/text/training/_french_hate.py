"""The French hate head's choices, by repeated stratified k-fold cross-validation on train+dev pooled.

The French hate head (``hateful:fr``) learns from MLMA French (the ``hateful`` flag), ordinary French
text as not hateful and, through multilingual-e5-small with vectors centred per language, the English
hate rows at a weight (cross-lingual transfer). This sweep compares, for that head alone:

- the weight of the English rows (TweetEval hate, MLMA English);
- FTR's racist French tweets as hateful (and its other tweets as not hateful);
- the encoder part's C, and class weighting (balanced, or none);
- the stacking weights with the task's shared TF-IDF part;
- the decision threshold (a shift of the stacked log-odds), chosen under a false-alarm constraint on
  ordinary French messages: the UMSAB French *train* tweets labelled neutral or positive, split into
  the same folds as everything else and scored out of fold (the dev tweets stay for
  ``ambassade bench text``'s calibration rows, the test tweets are never read).

Each candidate is scored on the held-out folds by MLMA French macro-F1 at its chosen threshold, and by
the share of ordinary French it flags there. The behaviour suites are never read here.

``python -m ambassade.engine.text.training._french_hate --data ../shared/data --cache
../cache/text-model`` prints the table (docs/text-analysis.md has the run).
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
from sklearn.metrics import f1_score  # type: ignore[import-untyped]

from ambassade.engine.text._model import TextModel
from ambassade.engine.text.training._cv import (
    ORDINARY_FR,
    Row,
    mean_sd,
    ordinary_french_apart,
    pooled_folds,
    pooled_rows,
)
from ambassade.engine.text.training._data import load
from ambassade.engine.text.training._embeddings import EmbeddingCache
from ambassade.engine.text.training._heads import (
    HeadsConfig,
    _fit,
    _terms,
    fit_encoder_part,
    head_encoders,
    route_rows,
)

__all__ = ["SHIFTS", "Candidate", "choose_shift", "sweep"]

Progress = Callable[[str], None]
SHIFTS = (1.0, 0.5, 0.25, 0.0, -0.25, -0.5, -0.75, -1.0, -1.5, -2.0, -2.5, -3.0)
MAX_FLAGGED = 1.0
"""The false-alarm constraint: at most this share (%) of ordinary French messages flagged, out of fold."""
LEXICAL_WEIGHTS = (0.2, 0.3, 0.4, 0.5)
ORDINARY = ORDINARY_FR
MLMA = "MLMA French"


@dataclasses.dataclass(frozen=True)
class Candidate:
    english: float = 0.3
    ftr: bool = False
    c: float = 3.0
    balanced: bool = True
    # With ``ftr``: FTR's racist tweets as hateful too (else only its other tweets, as not hateful:
    # sentences about groups, collected on the same keywords, that are not hate).
    ftr_racist: bool = True

    @property
    def name(self) -> str:
        return (
            f"English {self.english:g}, FTR {self._ftr}, C {self.c:g}, "
            f"{'balanced' if self.balanced else 'unweighted'}"
        )

    @property
    def _ftr(self) -> str:
        return ("yes" if self.ftr_racist else "not racist only") if self.ftr else "no"


def _rows(data: Path, cfg: HeadsConfig, ftr: bool, racist: bool = True) -> list[Row]:
    """The hate task's rows, train and dev pooled, with the UMSAB French train neutral and positive
    tweets (among the ordinary French rows) in an evaluation group of their own."""
    rows = ordinary_french_apart(data, pooled_rows(data, cfg, None)["hateful"])
    if ftr:
        for split in ("train", "dev"):
            rows += [
                Row(e.text, bool(e.extra.get("racist")), "", 1.0, "fr")
                for e in load(data, "ftr-racism-fr", split)
                if racist or not e.extra.get("racist")
            ]
    return rows


def sweep(
    data: Path,
    fast_model: TextModel,
    cache: EmbeddingCache,
    candidates: Sequence[Candidate],
    folds: int = 5,
    repeats: int = 2,
    progress: Progress = print,
) -> list[dict[str, Any]]:
    """Per candidate, lexical weight and shift: MLMA French macro-F1 and ordinary French flagged,
    mean ± sd over the held-out folds."""
    base = HeadsConfig()
    started = time.monotonic()
    out = []
    for ftr, racist in sorted({(c.ftr, c.ftr_racist or not c.ftr) for c in candidates}):
        rows = _rows(data, base, ftr, racist)
        texts = [row.text for row in rows]
        labels = np.array([bool(row.label) for row in rows])
        weights = np.array([row.weight for row in rows])
        groups = np.array([row.group for row in rows])
        langs = np.array([row.lang for row in rows])
        encoders = head_encoders(base, "hateful", "fr")
        progress(f"french hate: {len(texts)} rows (FTR {ftr}, racist {racist}), encoding")
        every = np.arange(len(texts))
        terms = _terms(fast_model, texts)
        # (candidate, repeat, fold) -> held rows, lexical and encoder logits
        held: dict[Candidate, list[tuple[Any, Any, Any]]] = defaultdict(list)
        vectors: npt.NDArray[np.float32] | None = None
        for one in pooled_folds(groups, labels, folds, repeats, base.seed):
            fit_rows = one.fit
            held_rows = one.held[langs[one.held] == "fr"]
            coef, intercept = _fit(
                terms[fit_rows],
                labels[fit_rows],
                weights[fit_rows],
                base.lexical_c["hateful"],
                base,
                cache.fits,
            )
            lexical = (terms[held_rows] @ coef.T).ravel() + intercept[0]
            for candidate in candidates:
                if (candidate.ftr, candidate.ftr_racist or not candidate.ftr) != (ftr, racist):
                    continue
                cfg = dataclasses.replace(
                    base,
                    c={**base.c, "hateful:fr": candidate.c},
                    cross_lingual={**base.cross_lingual, "hateful:fr": candidate.english},
                )
                picked, factor = route_rows(cfg, "hateful", "fr", langs, fit_rows)
                if vectors is None:
                    vectors = np.zeros((len(texts), 384), dtype=np.float32)
                    usable, _ = route_rows(cfg, "hateful", "fr", langs, every)
                    vectors[usable] = cache.embed_with(encoders, [texts[int(i)] for i in usable])
                fit_w = weights[picked] * factor
                if not candidate.balanced:
                    # The same total weight as a balanced fit, spread by row, not by class.
                    fit_w = fit_w * (len(fit_w) / fit_w.sum())
                e_coef, e_intercept = fit_encoder_part(
                    cfg,
                    "hateful",
                    "fr",
                    vectors[picked],
                    labels[picked],
                    fit_w,
                    langs[picked],
                    cache.fits,
                    balanced=candidate.balanced,
                )
                encoder = (vectors[held_rows] @ e_coef.T).ravel() + e_intercept[0]
                held[candidate].append((held_rows, lexical, encoder))
            progress(
                f"[{time.monotonic() - started:6.0f}s] french hate (FTR {ftr}): "
                f"repeat {one.repeat + 1}/{repeats}, fold {one.index + 1}/{folds}"
            )
        for candidate, per_fold in held.items():
            for lexical_weight in LEXICAL_WEIGHTS:
                for shift in SHIFTS:
                    f1, flagged = [], []
                    for rows_held, lexical, encoder in per_fold:
                        z = lexical_weight * lexical + (1 - lexical_weight) * encoder + shift
                        group = groups[rows_held]
                        mlma = group == MLMA
                        f1.append(
                            100 * f1_score(labels[rows_held][mlma], z[mlma] > 0, average="macro")
                        )
                        flagged.append(100 * float(np.mean(z[group == ORDINARY] > 0)))
                    out.append(
                        {
                            "candidate": dataclasses.asdict(candidate),
                            "name": candidate.name,
                            "lexical_weight": lexical_weight,
                            "shift": shift,
                            "f1": mean_sd(f1, 2),
                            "flagged": mean_sd(flagged, 2),
                        }
                    )
    return out


def choose_shift(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, float], dict[str, Any]]:
    """Per candidate and lexical weight, the shift with the best MLMA French F1 among those that
    flag at most :data:`MAX_FLAGGED` % of ordinary French messages on average."""
    best: dict[tuple[str, float], dict[str, Any]] = {}
    for row in rows:
        if row["flagged"][0] > MAX_FLAGGED:
            continue
        key = (row["name"], row["lexical_weight"])
        if key not in best or row["f1"][0] > best[key]["f1"][0]:
            best[key] = row
    return best


def markdown(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = [
        "| candidate | TF-IDF weight | shift | MLMA French (macro-F1) | ordinary French flagged |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in sorted(choose_shift(rows).values(), key=lambda r: -r["f1"][0]):
        lines.append(
            f"| {row['name']} | {row['lexical_weight']:g} | {row['shift']:g} | "
            f"{row['f1'][0]:.1f} ± {row['f1'][1]:.1f} | "
            f"{row['flagged'][0]:.2f} ± {row['flagged'][1]:.2f} % |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    from ambassade.engine.text._model import default_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path("../cache/text-model"))
    parser.add_argument("--english", default="0.3,1,3")
    parser.add_argument("--ftr", default="no,yes", help="no, yes or negatives (not racist only)")
    parser.add_argument("--c", default="3")
    parser.add_argument("--balanced", default="yes")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output", type=Path, help="where to write the results as JSON")
    args = parser.parse_args(argv)
    candidates = [
        Candidate(float(english), ftr != "no", float(c), balanced == "yes", ftr != "negatives")
        for english in args.english.split(",")
        for ftr in args.ftr.split(",")
        for c in args.c.split(",")
        for balanced in args.balanced.split(",")
    ]
    rows = sweep(
        args.data,
        default_model(),
        EmbeddingCache(args.cache),
        candidates,
        repeats=args.repeats,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    if args.output:
        args.output.write_text(json.dumps(rows, indent=1), "utf-8")
    print("\n".join(markdown(rows)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
