from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from tests.inbox.conftest import people  # noqa: F401  (one member per role in workspace A)


@pytest.fixture(autouse=True)
def english(client: Any) -> Iterator[None]:
    """English unless a test asks for French (the product's default language is French)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
