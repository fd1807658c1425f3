"""A database too busy to write (SQLite's write lock held by another connection for longer than
the connection's timeout) answers a clear 503 in the reader's language, never a 500
(``config/errors.py``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from ambassade.config import errors
from tests import sqlite_lock
from tests.conftest import PASSWORD


@pytest.fixture
def file_database(tmp_path: Path) -> Iterator[Path]:
    with sqlite_lock.file_database(tmp_path) as path:
        yield path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "words"), [("en", "Busy, try again"), ("fr", "Occupé, réessayez")]
)
def test_a_login_that_waits_too_long_for_the_write_lock_answers_503(
    personas: Any, file_database: Path, language: str, words: str
) -> None:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    with sqlite_lock.Holder(file_database):
        response = client.post("/login/", {"email": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER)
    page = response.content.decode()
    assert words in page and f'lang="{language}"' in page
    # The lock released, the same login goes through.
    again = client.post("/login/", {"email": "alice@example.com", "password": PASSWORD})
    assert again.status_code == 302


def test_only_a_busy_database_is_a_503() -> None:
    assert errors.database_busy(OperationalError("database is locked"))
    assert errors.database_busy(OperationalError("database table is locked"))
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as wrapped:
        assert errors.database_busy(wrapped)
    assert not errors.database_busy(OperationalError("no such table: x"))
    assert not errors.database_busy(ValueError("database is locked"))
    assert not errors.database_busy(None)
