"""`ambassade train-text`: retrain the packaged text models from labelled data sets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "Train the text models (language-aware sentiment, toxicity, spam) from the public data sets."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ambassade.engine.text._model import DEFAULT_MODEL_PATH

    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data"),
        help="data sets folder (../shared/data)",
    )
    parser.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.jsonl",
        help="labelled examples of one's own (text, label, lang); repeatable",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help="model file to write (the packaged one)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        from ambassade.engine.text.training import load_file, train
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
    train(args.data, args.output, progress=progress, extra=extra)
    return 0
