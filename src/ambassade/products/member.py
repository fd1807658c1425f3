"""Products on the community side (docs/community.md, "Products"): the product a mention of a
member's timeline speaks of (a badge linked to the product's page) and, on the member's page, the
products they talk about with how they feel about each. Registered with
``ambassade.community.panels`` from ``ProductsConfig.ready()``; shown only to readers with
``products.view``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse

from ambassade.community.models import Member
from ambassade.products.models import ProductMention
from ambassade.products.permissions import PRODUCTS_VIEW
from ambassade.products.stats import Figures
from ambassade.workspaces.permissions import can_role

__all__ = ["MEMBER_PRODUCTS", "member_products", "product_tags"]

#: Products listed on a member's page, the most talked about first.
MEMBER_PRODUCTS = 10


def product_tags(mention_ids: list[int], slug: str, role: str) -> dict[int, list[tuple[str, str]]]:
    """``{mention_id: [(product name, product page)]}`` for one page of a timeline (one query)."""
    if not can_role(role, PRODUCTS_VIEW):
        return {}
    found: dict[int, list[tuple[str, str]]] = {}
    rows = (
        ProductMention.objects.filter(mention_id__in=mention_ids)
        .order_by("product__name", "product_id")
        .values_list("mention_id", "product_id", "product__name")
    )
    for mention_id, product_id, name in rows:
        link = reverse("products:product", args=[slug, product_id])
        found.setdefault(mention_id, []).append((name, link))
    return found


def member_products(request: Any, member: Member) -> dict[str, Any] | None:
    """The products the member talks about (every mention of theirs linked to a product, whatever
    its date): how often, the last time, and the sentiment of those mentions."""
    if not can_role(request.membership.role, PRODUCTS_VIEW):
        return None
    rows = (
        ProductMention.objects.filter(
            workspace_id=member.workspace_id, mention__appearance__identity__member=member
        )
        .values_list("product_id", "product__name")
        .annotate(
            total=Count("id"),
            positive=Count("id", filter=Q(sentiment="positive")),
            neutral=Count("id", filter=Q(sentiment="neutral")),
            negative=Count("id", filter=Q(sentiment="negative")),
            last=Max("created_at"),
        )
        .order_by("-total", "product__name")[:MEMBER_PRODUCTS]
    )
    slug = request.workspace.slug
    products = [
        {
            "name": name,
            "link": reverse("products:product", args=[slug, product_id]),
            "figures": Figures(total, positive, neutral, negative),
            "last": last,
        }
        for product_id, name, total, positive, neutral, negative, last in rows
    ]
    from ambassade.products.charts import sentiment_bar_spec
    from ambassade.workspaces.charts import locale_json

    for product in products:
        product["bar"] = sentiment_bar_spec(product["figures"])
    return {"products": products, "chart_locale": locale_json(), "charts": bool(products)}
