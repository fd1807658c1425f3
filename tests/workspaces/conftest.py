from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def client() -> Any:
    # The product's default language is French; these tests read English unless they ask otherwise.
    return Client(HTTP_ACCEPT_LANGUAGE="en")
