"""Missions fixtures: listening's stand-in text engine, a source and the ingest of items."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.community.conftest import ingest, people  # noqa: F401  (fixtures used by these tests)
from tests.listening.conftest import engine, english, source  # noqa: F401


@pytest.fixture
def immediate() -> Iterator[None]:
    """Tasks run when they are enqueued, as a worker would run them."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False
