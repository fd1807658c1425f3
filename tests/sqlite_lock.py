"""SQLite's write lock in tests: the in-memory test database copied into a file that this thread's
connection then uses (so that another connection can take or probe the lock), a holder of the lock,
and a probe of whether it is free."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection


@contextmanager
def file_database(directory: Path, timeout: float = 0.3) -> Iterator[Path]:
    """The test database copied into a file, served to this thread's connection with a short
    ``timeout`` (instead of 20 s); SQLite only (a test needing it is skipped elsewhere)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock (PostgreSQL writers do not wait for a database lock)")
    path = directory / "locked.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    kept, settings = connection.connection, dict(connection.settings_dict)
    # The in-memory test database lives as long as a connection to it: kept aside, not closed.
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    connection.settings_dict["OPTIONS"] = {**settings.get("OPTIONS", {}), "timeout": timeout}
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(settings)
        connection.connection = kept


def write_lock_free(path: Path) -> bool:
    """Whether another connection could take the database's write lock at once."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


class Holder:
    """Another connection holding the database's write lock, from ``with`` until its end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.taken = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        other = sqlite3.connect(self.path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            self.taken.set()
            self.release.wait(30)
            other.execute("ROLLBACK")
        finally:
            other.close()

    def __enter__(self) -> Holder:
        self.thread.start()
        assert self.taken.wait(10)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.thread.join(10)
