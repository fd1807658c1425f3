"""The demo brand's product catalogue: its products as the demo stream names them, with aliases and
a shop link, their past mentions found by a scan. Running it again creates nothing."""

from __future__ import annotations

from typing import Any, TextIO

from ambassade.products import services
from ambassade.products.models import Product

PRODUCTS = (
    ("Latte noisette", "Boissons chaudes", "#lattenoisette\nhazelnut latte", ""),
    (
        "Cold brew",
        "Boissons froides",
        "#coldbrew\ncold NEAR/1 brew",
        "https://shop.example/cafelumiere",
    ),
    ("Espresso", "Boissons chaudes", "expresso", ""),
    ("Flat white", "Boissons chaudes", "#flatwhite", ""),
    ("Chai latte", "Boissons chaudes", "#chailatte", ""),
    ("Croissant", "Viennoiseries", "croissants\n#croissant", ""),
)


def ensure_demo_products(workspace: Any, owner: Any, out: TextIO) -> None:
    made = 0
    for name, category, aliases, links in PRODUCTS:
        if Product.objects.filter(workspace=workspace, name=name).exists():
            continue
        product = services.save_product(
            workspace, owner, name=name, category=category, aliases=aliases, links=links
        )
        services.scan(product.pk)
        made += 1
    if made:
        out.write(f"Added {made} demo products and found their mentions\n")
