"""The engine is a pure-Python library: importing any part of it loads no Django (DESIGN.md)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ambassade.engine


def test_it_imports_no_django() -> None:
    modules = [
        info.name
        for info in pkgutil.walk_packages(ambassade.engine.__path__, "ambassade.engine.")
        if ".training" not in info.name
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith(('django.', 'ambassade.workspaces', 'ambassade.connectors')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"the engine imported {result.stdout.strip()}"
