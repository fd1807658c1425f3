"""Engine sub-commands of `ambassade`, discovered from the modules of this package.

A module `ambassade/cli/foo_bar.py` is the command `ambassade foo-bar`. It defines ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int`` (the exit code). These commands do not load Django: they
are the stable, machine-readable contracts documented in docs/.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from types import ModuleType

__all__ = ["commands", "overview", "run"]


def commands() -> dict[str, str]:
    """Command name -> module name."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            found[info.name.replace("_", "-")] = f"{__name__}.{info.name}"
    return found


def _load(name: str) -> ModuleType:
    return importlib.import_module(commands()[name])


def run(name: str, argv: list[str]) -> int:
    module = _load(name)
    parser = argparse.ArgumentParser(prog=f"ambassade {name}", description=module.HELP)
    module.add_arguments(parser)
    if getattr(module, "ACCEPTS_EXTRA_OPTIONS", False):
        args, args.extra_options = parser.parse_known_args(argv)
    else:
        args = parser.parse_args(argv)
    return int(module.run(args))


def overview() -> str:
    lines = ["usage: ambassade COMMAND [options]", "", "Engine commands (no server needed):"]
    for name in sorted(commands()):
        lines.append(f"  {name:<14}{_load(name).HELP}")
    lines += [
        "",
        "Product commands: demo, serve, worker, createadmin, and every Django management command.",
        "Run `ambassade help` for the full Django list, `ambassade COMMAND --help` for one command.",
        "",
    ]
    return "\n".join(lines)
