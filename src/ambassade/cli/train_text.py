"""`ambassade train-text`: retrain the packaged text models from labelled data sets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = (
    "Train the text models (the fast TF-IDF models, then the accurate tier's heads over the "
    "sentence encoder) from the public data sets."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ambassade.engine.text._heads import DEFAULT_HEADS_PATH
    from ambassade.engine.text._model import DEFAULT_MODEL_PATH

    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data"),
        help="data sets folder (../shared/data)",
    )
    parser.add_argument(
        "--more-data",
        type=Path,
        default=Path("../cache/text-model/data"),
        help="further public data sets brought as docs/text-analysis.md says "
        "(../cache/text-model/data; absent sets are skipped)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path("../cache/text-model"),
        help="where sentence vectors of training texts are kept between runs (../cache/text-model)",
    )
    parser.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.jsonl",
        help="labelled examples of one's own (text, label, lang), for the fast models; repeatable",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help="fast model file to write (the packaged one)",
    )
    parser.add_argument(
        "--heads",
        type=Path,
        default=DEFAULT_HEADS_PATH,
        help="accurate tier's heads file to write (the packaged one)",
    )
    parser.add_argument(
        "--feedback",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.jsonl",
        help="a workspace's feedback (ambassade export_feedback, or the moderation queue's "
        "download): adapt the accurate tier's heads to it and write them to --heads, without "
        "retraining anything else; repeatable",
    )
    parser.add_argument(
        "--from-heads",
        type=Path,
        default=DEFAULT_HEADS_PATH,
        help="with --feedback: the heads to adapt (the packaged ones)",
    )
    parser.add_argument(
        "--e5-ranges",
        action="store_true",
        help="only measure the calibration of multilingual-e5-small's int8 graph (600 training "
        "tweets of --data) and write it to the packaged models/e5-ranges.npz",
    )
    parser.add_argument(
        "--heads-only",
        action="store_true",
        help="keep the fast model at --output and retrain the heads only",
    )


def run(args: argparse.Namespace) -> int:
    if args.feedback:
        return _adapt(args)
    if args.e5_ranges:
        return _e5_ranges(args)
    try:
        from ambassade.engine.text._model import TextModel
        from ambassade.engine.text.training import load_file, train
        from ambassade.engine.text.training._embeddings import EmbeddingCache
        from ambassade.engine.text.training._heads import MoreData, train_heads
    except ImportError as exc:  # scikit-learn is a development dependency
        print(
            f"ambassade train-text: {exc}; install the dev extra: pip install -e '.[dev]'",
            file=sys.stderr,
        )
        return 2
    if not args.data.is_dir():
        print(f"ambassade train-text: no data folder at {args.data}", file=sys.stderr)
        return 2

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        extra = [example for path in args.extra for example in load_file(path)]
    except (OSError, ValueError, KeyError) as exc:
        print(f"ambassade train-text: cannot read the extra examples: {exc!r}", file=sys.stderr)
        return 2
    if not args.heads_only:
        train(args.data, args.output, progress=progress, extra=extra)
    elif not args.output.is_file():
        print(f"ambassade train-text: no fast model at {args.output}", file=sys.stderr)
        return 2
    train_heads(
        args.data,
        args.heads,
        TextModel.load(args.output),
        EmbeddingCache(args.cache),
        more=MoreData(args.more_data),
        progress=progress,
    )
    return 0


def _adapt(args: argparse.Namespace) -> int:
    """``--feedback``: the heads adapted to a workspace's decisions (engine/text/_adapt.py)."""
    from ambassade.engine.text._adapt import (
        FeedbackError,
        adapt,
        engine_scorer,
        read_feedback,
        save,
    )
    from ambassade.engine.text._heads import Heads

    def progress(message: str) -> None:
        print(f"train-text: {message}", file=sys.stderr, flush=True)

    try:
        examples = [example for path in args.feedback for example in read_feedback(path)]
    except FeedbackError as exc:
        print(f"ambassade train-text: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ambassade train-text: cannot read the feedback: {exc}", file=sys.stderr)
        return 2
    if not examples:
        print("ambassade train-text: the feedback holds no example", file=sys.stderr)
        return 2
    try:
        heads = Heads.load(args.from_heads)
    except (OSError, ValueError, KeyError) as exc:
        print(
            f"ambassade train-text: cannot read the heads {args.from_heads}: {exc}", file=sys.stderr
        )
        return 2
    if heads.meta.get("adapted"):
        progress(f"{args.from_heads} was already adapted to feedback; this adds a correction")
    progress(f"{len(examples)} feedback examples from {len(args.feedback)} file(s)")
    adapted, corrections = adapt(heads, examples, engine_scorer(heads), progress=progress)
    if not any(c.applied for c in corrections):
        progress(f"nothing learnt: {args.heads} left as it was")
        return 0
    save(args.heads, adapted)
    progress(f"adapted heads written to {args.heads}")
    return 0


def _e5_ranges(args: argparse.Namespace) -> int:
    """``--e5-ranges``: the int8 graph's calibration, measured through the exact graph on the first
    400 TweetEval sentiment and the first 200 French UMSAB training tweets (engine/text/_e5.py)."""
    import numpy as np

    from ambassade.engine.text import _e5
    from ambassade.engine.text.training._data import load

    try:
        texts = [e.text for e in load(args.data, "tweeteval-sentiment", "train")][:400]
        french = [e.text for e in load(args.data, "umsab-sentiment", "train") if e.lang == "fr"]
    except (OSError, ValueError, KeyError) as exc:
        print(
            f"ambassade train-text: cannot read the training tweets in {args.data}: {exc}",
            file=sys.stderr,
        )
        return 2
    texts += french[:200]
    print(
        f"train-text: e5-small ranges over {len(texts)} training tweets",
        file=sys.stderr,
        flush=True,
    )
    ranges = _e5.measure_ranges(_e5.E5Encoder(exact=True), texts)
    np.savez_compressed(_e5.RANGES_PATH, **{name: ranges[name] for name in sorted(ranges)})
    print(f"train-text: written to {_e5.RANGES_PATH}", file=sys.stderr, flush=True)
    return 0
