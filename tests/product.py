"""The product started by a test in a subprocess (`ambassade demo`, a benchmark's workers): its
environment, and a migrated database to start from."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path


def product_environment(data_dir: Path) -> dict[str, str]:
    """The environment of a product process started by a test: this one's, without the test run's
    settings (``AMBASSADE_…``, the database and queue URLs), with ``data_dir`` as its data directory,
    so that it runs on the embedded defaults (SQLite database and queue in ``data_dir``)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AMBASSADE_")}
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        keep.pop(name, None)
    keep["AMBASSADE_DATA_DIR"] = str(data_dir)
    keep["PYTHONUNBUFFERED"] = "1"
    return keep


def copy_migrated_database(source: Path, data_dir: Path) -> None:
    """Give ``data_dir`` (created if need be) a copy of the migrated database as its own."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(source)) as db,
        closing(sqlite3.connect(data_dir / "ambassade.sqlite3")) as copy,
    ):
        db.backup(copy)
