"""`ambassade bench [NAME ...]`: measure and write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from ambassade import benchmarks

HELP = "Measure quality and speed and write the results to docs/benchmarks.md."

# A benchmark may take options of its own (`ambassade bench outbox --posts 1000`): it lists them in
# ``OPTIONS = {"posts": "help text"}`` and reads them, as strings, from ``BenchOptions.extra``.
ACCEPTS_EXTRA_OPTIONS = True


def available() -> list[str]:
    # Modules whose name starts with _ are a benchmark's parts, not benchmarks.
    return sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if not info.name.startswith("_")
    )


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
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option of one benchmark; also written --KEY VALUE (see each benchmark's OPTIONS)",
    )


def _extra_options(args: argparse.Namespace) -> dict[str, str]:
    """--extra KEY=VALUE and --KEY VALUE / --KEY=VALUE pairs, as one dict."""
    pairs = list(args.extra)
    rest = list(getattr(args, "extra_options", []))
    while rest:
        word = rest.pop(0)
        if not word.startswith("--"):
            raise ValueError(f"unexpected argument {word!r}")
        key, equals, value = word[2:].partition("=")
        if not equals:
            if not rest or rest[0].startswith("--"):
                raise ValueError(f"option --{key} needs a value")
            value = rest.pop(0)
        pairs.append(f"{key}={value}")
    extra = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise ValueError(f"expected KEY=VALUE, got {pair!r}")
        extra[key.replace("-", "_")] = value
    return extra


def run(args: argparse.Namespace) -> int:
    names = args.names or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(
            f"ambassade bench: unknown benchmark {unknown[0]!r}; choose from {available()}",
            file=sys.stderr,
        )
        return 2
    try:
        extra = _extra_options(args)
    except ValueError as exc:
        print(f"ambassade bench: {exc}", file=sys.stderr)
        return 2
    modules = {name: importlib.import_module(f"{benchmarks.__name__}.{name}") for name in names}
    known = {key for module in modules.values() for key in getattr(module, "OPTIONS", {})}
    stray = sorted(set(extra) - known)
    if stray:
        print(
            f"ambassade bench: no benchmark among {names} takes the option {stray[0]!r}",
            file=sys.stderr,
        )
        return 2
    summaries = []
    for name, module in modules.items():
        print(f"== {name}: {module.TITLE}", file=sys.stderr)
        options = benchmarks.BenchOptions(data_dir=args.data, quick=args.quick, extra=extra)
        result = module.run(options)
        benchmarks.write_section(args.output, name, module.TITLE, result.markdown)
        # A benchmark run alone may ask for its summary bare on the last line (BARE_SUMMARY).
        bare = len(modules) == 1 and getattr(module, "BARE_SUMMARY", False)
        summaries.append(result.summary if bare else f"{name}: {result.summary}")
    print("\n".join(summaries))
    return 0
