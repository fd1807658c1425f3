"""Background tasks of products (Huey). Tasks take ids and are idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.products import services


@db_task(name="products.scan_product")
def scan_product(product_id: int) -> int:
    """Link the stored mentions to a product (resumes where a stopped worker left it)."""
    product = services.scan(product_id)
    return product.scanned if product is not None else 0


@db_periodic_task(crontab(minute="*"), name="products.resume_scans")
def resume_scans() -> int:
    """Every minute, take up the scans whose worker stopped or whose task was lost."""
    found = services.scannable()
    for product_id in found:
        scan_product(product_id)
    return len(found)
