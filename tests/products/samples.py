"""Objects of workspace A for tests/test_access.py's URL walk: a product."""

from __future__ import annotations

from typing import Any


def product(personas: Any) -> Any:
    cached = getattr(personas, "_product", None)
    if cached is not None:
        return cached
    from ambassade.products.models import Product

    found = Product.objects.create(
        workspace=personas.workspace_a, name="A's latte", query='"a latte"'
    )
    personas._product = found
    return found
