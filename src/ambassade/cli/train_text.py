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
        "--output",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help="model file to write (the packaged one)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        from ambassade.engine.text.training import train
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

    train(args.data, args.output, progress=progress)
    return 0
