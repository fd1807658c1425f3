"""What the benchmarks measured on the product's own tables share: a child process with a data
directory of its own (SQLite, or PostgreSQL at ``database_url``) that prints its findings as one
line of JSON, and the fresh database and bench workspace the child starts from.

The parent never sets Django up: ``run_in_child`` runs ``python -m MODULE ARGS…``, and the module's
``if __name__ == "__main__"`` calls ``django.setup()``, then ``fresh_database()``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from typing import Any

__all__ = ["bench_workspace", "databases", "fresh_database", "run_in_child"]


def databases(extra: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, database URL) of each database to measure: SQLite (no URL), and PostgreSQL when
    ``AMBASSADE_TEST_DATABASE_URL`` names one; ``--extra databases=sqlite`` (or ``postgresql``)
    keeps one."""
    targets = [("SQLite", "")]
    pg = os.environ.get("AMBASSADE_TEST_DATABASE_URL", "")
    if pg:
        targets.append(("PostgreSQL", pg))
    wanted = extra.get("databases")
    if wanted:
        targets = [t for t in targets if t[0].lower() in wanted.lower().split(",")]
    return targets


def run_in_child(
    module: str,
    *args: object,
    prefix: str,
    database_url: str,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``python -m module args…`` in a temporary data directory, on PostgreSQL when
    ``database_url`` is set (else SQLite in that directory), and read the last line it prints as
    JSON. The parent's own ``DATABASE_URL`` and ``REDIS_URL`` are not passed on."""
    child = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    with tempfile.TemporaryDirectory(prefix=prefix) as data_dir:
        child["AMBASSADE_DATA_DIR"] = data_dir
        child["DJANGO_SETTINGS_MODULE"] = "ambassade.config.settings"
        child.update(env or {})
        child.setdefault("AMBASSADE_SECRET_KEY", "bench-" + "x" * 50)
        if database_url:
            child["DATABASE_URL"] = database_url
        completed = subprocess.run(
            [sys.executable, "-m", module, *(str(arg) for arg in args)],
            env=child,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def fresh_database() -> None:
    """An empty, migrated database: PostgreSQL's is flushed first (it outlives the child)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)


def bench_workspace(
    email: str = "bench@bench.example",
    password: str | None = "bench-password-123",  # noqa: S107 (a throwaway database)
    name: str = "Bench",
) -> tuple[Any, Any]:
    """(user, workspace): a company "Bench" owned by a new user with its first workspace."""
    from ambassade.workspaces import services as ws

    user = ws.create_user(email, password, name)
    _org, workspace = ws.create_organisation(
        name="Bench", kind="company", owner=user, workspace_name="Bench"
    )
    return user, workspace
