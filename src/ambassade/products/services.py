"""Every write of the products app.

- :func:`compile_query` — a product's name, aliases and links as one listening query; a bad alias
  is refused naming its line and column.
- :func:`save_product`, :func:`delete_product` — a person's edits, audited. Saving a product whose
  query changed drops its links and starts a new scan of the stored mentions.
- :func:`link_mentions` — the listening routing receiver: the new mentions of an ingest linked to
  the products they speak of, with one compiled matcher for the workspace's products.
- :func:`scan` — a product's scan of the stored mentions, in batches, each in one transaction that
  also stores how far it went: a killed worker loses one batch at most, and the next run (any
  worker) goes on from there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ambassade.engine.query import Matcher, QuerySyntaxError, parse
from ambassade.listening import pipeline
from ambassade.listening.models import Mention
from ambassade.products.models import Product, ProductMention
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

__all__ = [
    "BATCH",
    "STALE_AFTER",
    "AliasError",
    "compile_query",
    "delete_product",
    "link_mentions",
    "save_product",
    "scan",
]

log = logging.getLogger(__name__)

#: Mentions read per transaction by :func:`scan`.
BATCH = 1000
#: A scan whose heartbeat is older than this belongs to a stopped worker: another takes it up.
STALE_AFTER = timedelta(minutes=2)
MAX_ALIASES = 50

_FIELDS = ("id", "text", "lang", "network", "author_handle", "url", "created_at", "sentiment")


@dataclass
class AliasError(Exception):
    """An alias or link that is not a query: ``line`` counts from 1 in its field."""

    field: str
    line: int
    message: StoredMessage

    def __str__(self) -> str:
        return self.message.text or self.message.code


def _link_query(link: str) -> str:
    """A product page as a filter: ``url:`` of it without its scheme, ``site:`` for a bare host."""
    body = link.strip()
    for scheme in ("https://", "http://"):
        if body.lower().startswith(scheme):
            body = body[len(scheme) :]
    body = body.rstrip("/")
    return f"url:{body}" if "/" in body else f"site:{body}"


def compile_query(name: str, aliases: Sequence[str], links: Sequence[str]) -> str:
    """One query for the product: its name as a phrase, OR each alias, OR each link."""
    if len(aliases) > MAX_ALIASES or len(links) > MAX_ALIASES:
        raise AliasError(
            "aliases" if len(aliases) > MAX_ALIASES else "links",
            MAX_ALIASES + 1,
            coded("product.too_many", limit=MAX_ALIASES),
        )
    parts = []
    phrase = " ".join(name.replace('"', " ").split())
    if phrase:
        parts.append(f'"{phrase}"')
    for field, lines, make in (
        ("aliases", aliases, lambda line: line),
        ("links", links, _link_query),
    ):
        for number, line in enumerate(lines, 1):
            query = make(line)
            try:
                parse(query)
                Matcher({"q": query})
            except QuerySyntaxError as error:
                raise AliasError(
                    field,
                    number,
                    coded(
                        "product.bad_alias",
                        line=number,
                        column=error.column,
                        error=StoredMessage.of(error),
                    ),
                ) from None
            parts.append(f"({query})")
    return " OR ".join(parts)


def save_product(
    workspace: Workspace, actor: Any, product: Product | None = None, **fields: Any
) -> Product:
    """Make or change a product. When its query changes, its links are dropped and a new scan of the
    stored mentions starts (enqueued once the transaction commits)."""
    product = product or Product(workspace=workspace)
    for name in ("name", "category", "aliases", "links"):
        if name in fields:
            setattr(product, name, str(fields[name] or "").strip())
    query = compile_query(product.name, product.alias_lines, product.link_lines)
    creating = product.pk is None
    rescan = creating or query != product.query
    product.query = query
    product.updated_at = timezone.now()
    with transaction.atomic():
        if rescan:
            product.scan_version += 1
            product.scan_last_id = 0
            product.scanned = 0
            product.scan_total = Mention.objects.filter(workspace=workspace).count()
            product.scan_heartbeat_at = None
            product.scan_done_at = None
        product.save()
        if rescan and not creating:
            ProductMention.objects.filter(product=product).delete()
        workspace_services.record_audit(
            workspace,
            actor,
            "products.product.created" if creating else "products.product.updated",
            product,
        )
    if rescan:
        transaction.on_commit(lambda: _enqueue(product.pk))
    return product


def _enqueue(product_id: int) -> None:
    from ambassade.products import tasks

    tasks.scan_product(product_id)


def delete_product(product: Product, actor: Any) -> None:
    with transaction.atomic():
        workspace_services.record_audit(
            product.workspace, actor, "products.product.deleted", product
        )
        product.delete()


# --- linking mentions -----------------------------------------------------------------------------


def _document(row: Sequence[Any]) -> Any:
    _id, text, lang, network, author, url = row[:6]
    return pipeline.document_for(text, lang, network, author, url)


def _links(
    workspace_id: int, matcher: Matcher, rows: Sequence[Sequence[Any]]
) -> list[ProductMention]:
    found = []
    for row in rows:
        for product_id in matcher.match(_document(row)):
            found.append(
                ProductMention(
                    workspace_id=workspace_id,
                    product_id=int(product_id),
                    mention_id=row[0],
                    created_at=row[6],
                    sentiment=row[7],
                )
            )
    return found


def link_mentions(workspace: Workspace, mentions: Sequence[Mention]) -> int:
    """Link new mentions of ``workspace`` to the products they speak of (the routing receiver)."""
    queries = dict(
        Product.objects.filter(workspace=workspace).exclude(query="").values_list("id", "query")
    )
    if not queries:
        return 0
    matcher = Matcher({str(pk): query for pk, query in queries.items()})
    rows = [tuple(getattr(m, name) for name in _FIELDS) for m in mentions if m.pk is not None]
    found = _links(workspace.pk, matcher, rows)
    ProductMention.objects.bulk_create(found, ignore_conflicts=True)
    return len(found)


def scannable(now: datetime | None = None) -> list[int]:
    """Products whose scan is not over and not held by a live worker."""
    now = now or timezone.now()
    free = Q(scan_heartbeat_at__isnull=True) | Q(scan_heartbeat_at__lt=now - STALE_AFTER)
    return list(
        Product.objects.filter(free, scan_done_at__isnull=True).values_list("id", flat=True)[:100]
    )


def _claim(product_id: int, now: datetime) -> int | None:
    """Take the product's scan (a conditional UPDATE: of two workers, one wins); its version."""
    free = Q(scan_heartbeat_at__isnull=True) | Q(scan_heartbeat_at__lt=now - STALE_AFTER)
    if not Product.objects.filter(free, pk=product_id, scan_done_at__isnull=True).update(
        scan_heartbeat_at=now
    ):
        return None
    return Product.objects.values_list("scan_version", flat=True).filter(pk=product_id).first()


def scan(
    product_id: int,
    *,
    batch: int = BATCH,
    progress: Callable[[Product], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> Product | None:
    """Link the stored mentions to the product, from where its scan stopped to the newest. Returns
    the product as it ended, or None when another worker holds the scan or it is over."""
    version = _claim(product_id, now())
    if version is None:
        return None
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return None
    matcher = Matcher({str(product.pk): product.query}) if product.query else None
    while True:
        with transaction.atomic():
            current = _scan_batch(product_id, version, matcher, batch, now())
        if current is None:
            return None  # deleted, or its aliases changed: the new scan takes over
        if progress is not None:
            progress(current)
        if current.scan_done_at is not None:
            return current


def _scan_batch(
    product_id: int, version: int, matcher: Matcher | None, batch: int, now: datetime
) -> Product | None:
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None or product.scan_version != version:
        return None
    rows = list(
        Mention.objects.filter(workspace_id=product.workspace_id, id__gt=product.scan_last_id)
        .order_by("id")
        .values_list(*_FIELDS)[:batch]
    )
    if matcher is not None and rows:
        ProductMention.objects.bulk_create(
            _links(product.workspace_id, matcher, rows), ignore_conflicts=True
        )
    updates: dict[str, Any] = {"scan_heartbeat_at": now}
    if rows:
        updates["scan_last_id"] = rows[-1][0]
        updates["scanned"] = F("scanned") + len(rows)
    if len(rows) < batch:
        updates["scan_done_at"] = now
    Product.objects.filter(pk=product_id).update(**updates)
    product.refresh_from_db()
    product.scan_total = max(product.scan_total, product.scanned)
    return product
