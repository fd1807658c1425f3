"""The product catalogue and the mentions linked to each product (docs/community.md, "Products").

- :class:`Product` — a product of the workspace: its name, category, links, and **aliases**, each
  written in the listening query language (``"latte noisette"``, ``cold brew``, ``#coldbrew``).
  The name, the aliases and the links (as ``url:`` filters) compile into one query per product,
  matched by the same :class:`~ambassade.engine.query.Matcher` as listening queries. The ``scan_*``
  fields follow the product's scan of the stored mentions, made again whenever its aliases change:
  how far it read, how many, and its heartbeat (a stopped worker's scan is taken up again).
- :class:`ProductMention` — this mention speaks of this product (unique per pair); ``created_at``
  and ``sentiment`` repeat the mention's, for the product's volume and sentiment.

Every model holds a ``workspace`` foreign key; pages read through ``workspace_queryset``. Writes go
through :mod:`ambassade.products.services`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.listening.models import Mention
from ambassade.workspaces.models import Workspace

__all__ = ["Product", "ProductMention"]


class Product(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=80, blank=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            'One a line, in the listening query language: cold brew, "latte noisette", '
            "#coldbrew, cold NEAR/2 brew. The name is an alias already."
        ),
    )
    links = models.TextField(
        _("links"),
        blank=True,
        help_text=_("The product's pages, one a line: a mention linking to one speaks of it."),
    )
    #: The compiled query (name, aliases and links), as matched.
    query = models.TextField(editable=False, blank=True)
    # The scan of the stored mentions with the current query.
    scan_version = models.PositiveIntegerField(default=0, editable=False)
    scan_last_id = models.BigIntegerField(default=0, editable=False)
    scanned = models.PositiveIntegerField(default=0, editable=False)
    scan_total = models.PositiveIntegerField(default=0, editable=False)
    scan_heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    scan_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="product_unique_name")
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    @property
    def alias_lines(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def link_lines(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def scan_percent(self) -> int:
        if self.scan_done_at is not None or not self.scan_total:
            return 100
        return min(99, self.scanned * 100 // self.scan_total)


class ProductMention(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="links_to")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    sentiment = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "mention"], name="product_mention_unique")
        ]
        indexes = [
            models.Index(fields=["product", "-created_at"], name="product_mention_by_day"),
            models.Index(fields=["mention"], name="product_mention_of_mention"),
        ]

    def __str__(self) -> str:
        return f"{self.mention_id} speaks of {self.product_id}"
