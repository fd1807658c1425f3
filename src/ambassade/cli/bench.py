"""`ambassade bench [NAME ...]`: measure and write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from ambassade import benchmarks

HELP = "Measure quality and speed and write the results to docs/benchmarks.md."


def available() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(benchmarks.__path__))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(available())}")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data"),
        help="public data sets (../shared/data)",
    )
    parser.add_argument(
        "--output", type=Path, default=Path("docs/benchmarks.md"), help="file to update"
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")


def run(args: argparse.Namespace) -> int:
    names = args.names or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(
            f"ambassade bench: unknown benchmark {unknown[0]!r}; choose from {available()}",
            file=sys.stderr,
        )
        return 2
    summaries = []
    for name in names:
        module = importlib.import_module(f"{benchmarks.__name__}.{name}")
        print(f"== {name}: {module.TITLE}", file=sys.stderr)
        result = module.run(benchmarks.BenchOptions(data_dir=args.data, quick=args.quick))
        benchmarks.write_section(args.output, name, module.TITLE, result.markdown)
        summaries.append(f"{name}: {result.summary}")
    print("\n".join(summaries))
    return 0
