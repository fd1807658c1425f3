"""What the product pages show: each product's volume and sentiment over a period, its volume by
day and sentiment (drawn by ``products.charts`` as Vega-Lite), and the members who speak of it
most."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from ambassade.community.models import Appearance
from ambassade.products.models import Product, ProductMention

SENTIMENTS = ("positive", "neutral", "negative")


@dataclass
class Figures:
    total: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0

    @property
    def net(self) -> int:
        """Net sentiment in percent: (positive − negative) / all."""
        return round((self.positive - self.negative) * 100 / self.total) if self.total else 0

    def share(self, sentiment: str) -> int:
        return round(getattr(self, sentiment) * 100 / self.total) if self.total else 0

    @property
    def share_positive(self) -> int:
        return self.share("positive")

    @property
    def share_negative(self) -> int:
        return self.share("negative")

    @property
    def share_neutral(self) -> int:
        """What the bar leaves between positive and negative (so the three make 100)."""
        return max(0, 100 - self.share_positive - self.share_negative) if self.total else 0

    @property
    def offset_negative(self) -> int:
        return 100 - self.share_negative


def start_of(workspace: Any, days: int, now: datetime | None = None) -> datetime:
    zone = ZoneInfo(workspace.time_zone)
    today = timezone.localtime(now or timezone.now(), zone).date()
    return datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=zone)


def figures(products: list[Product], since: datetime) -> dict[int, Figures]:
    """Volume and sentiment of each product since ``since`` (one query)."""
    found = {product.pk: Figures() for product in products}
    rows = (
        ProductMention.objects.filter(product__in=products, created_at__gte=since)
        .values_list("product_id")
        .annotate(
            total=Count("id"),
            positive=Count("id", filter=Q(sentiment="positive")),
            neutral=Count("id", filter=Q(sentiment="neutral")),
            negative=Count("id", filter=Q(sentiment="negative")),
        )
        .order_by()
    )
    for product_id, total, positive, neutral, negative in rows:
        found[product_id] = Figures(total, positive, neutral, negative)
    return found


@dataclass
class Day:
    day: date
    positive: int = 0
    neutral: int = 0
    negative: int = 0

    @property
    def count(self) -> int:
        return self.positive + self.neutral + self.negative


@dataclass
class Chart:
    """Each day of the period (local days of the workspace) with its mentions by sentiment."""

    days: list[Day] = field(default_factory=list)
    peak: int = 0
    first: date | None = None
    last: date | None = None

    def rows(self) -> list[tuple[date, str, int]]:
        return [
            (d.day, sentiment, getattr(d, sentiment)) for sentiment in SENTIMENTS for d in self.days
        ]


def daily(product: Product, days: int, now: datetime | None = None) -> Chart:
    zone = ZoneInfo(product.workspace.time_zone)
    since = start_of(product.workspace, days, now)
    with timezone.override(zone):
        rows = (
            ProductMention.objects.filter(product=product, created_at__gte=since)
            .annotate(day=TruncDate("created_at", tzinfo=zone))
            .values_list("day", "sentiment")
            .annotate(n=Count("id"))
            .order_by()
        )
    first = since.date()
    chart = Chart(first=first, last=first + timedelta(days=days - 1))
    by_day = {
        first + timedelta(days=index): Day(first + timedelta(days=index)) for index in range(days)
    }
    for day, sentiment, n in rows:
        if day in by_day and sentiment in SENTIMENTS:
            setattr(by_day[day], sentiment, getattr(by_day[day], sentiment) + n)
    chart.days = list(by_day.values())
    chart.peak = max((d.count for d in chart.days), default=0)
    return chart


def top_members(product: Product, since: datetime, limit: int = 10) -> list[dict[str, Any]]:
    """The members who spoke of the product most since ``since``, with how often and how."""
    mentions = ProductMention.objects.filter(product=product, created_at__gte=since).values(
        "mention_id"
    )
    rows = (
        Appearance.objects.filter(mention_id__in=mentions)
        .values("identity__member_id", "identity__member__display_name")
        .annotate(
            total=Count("id"),
            positive=Count("id", filter=Q(mention__sentiment="positive")),
            negative=Count("id", filter=Q(mention__sentiment="negative")),
        )
        .order_by("-total", "identity__member_id")[:limit]
    )
    return [
        {
            "member_id": row["identity__member_id"],
            "name": row["identity__member__display_name"],
            "total": row["total"],
            "positive": row["positive"],
            "negative": row["negative"],
        }
        for row in rows
    ]
