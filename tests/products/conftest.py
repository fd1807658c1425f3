"""Product fixtures: listening's stand-in text engine, a source and the ingest of items."""

from __future__ import annotations

from tests.community.conftest import ingest  # noqa: F401  (fixtures used by these tests)
from tests.listening.conftest import engine, english, source  # noqa: F401
