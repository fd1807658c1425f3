"""Reads for the insights page: share of voice (matches counted by ``match_counts``), trending
terms (from term counts), top authors; and the share-of-voice chart's Vega-Lite spec (``engine.charts``) with its table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.engine import charts as specs
from ambassade.listening import match_counts
from ambassade.listening.models import (
    Competitor,
    ListeningQuery,
    Mention,
    TermRollup,
    TermSpelling,
)
from ambassade.workspaces.networks import network_label

__all__ = ["Chart", "share_of_voice", "share_spec", "top_authors", "trending_terms"]

BRAND_COLOUR = "#b4541a"


@dataclass
class Series:
    name: str
    colour: str
    counts: list[int]
    total: int = 0
    share: float = 0.0


@dataclass
class Chart:
    days: list[date]
    series: list[Series]
    total: int = 0

    def rows(self) -> list[tuple[date, str, int]]:
        """``(day, series key, count)`` for the spec: the key is the series' position."""
        return [
            (day, str(position), series.counts[index])
            for position, series in enumerate(self.series)
            for index, day in enumerate(self.days)
        ]

    def table(self) -> list[dict[str, Any]]:
        """One row a day, the latest first: each series' count and the day's total."""
        return [
            {
                "day": day,
                "counts": [series.counts[index] for series in self.series],
                "total": sum(series.counts[index] for series in self.series),
            }
            for index, day in reversed(list(enumerate(self.days)))
        ]


def share_spec(chart: Chart) -> dict[str, Any]:
    """The chart's Vega-Lite spec in the active language: each day's mentions stacked to 100 %,
    one colour per brand (names made unique: two series never share a colour)."""
    from ambassade.workspaces.charts import chart_locale

    _code, locale = chart_locale()
    seen: set[str] = set()
    styles = []
    for position, series in enumerate(chart.series):
        label = series.name
        while label in seen:
            label += " ·"
        seen.add(label)
        styles.append(specs.SeriesStyle(str(position), label, series.colour))
    return specs.stacked_daily(
        chart.rows(),
        styles,
        description=_("Mentions of the brand and its competitors per day, as a share of the day"),
        y_title=_("Share of the day's mentions"),
        day_title=_("Day"),
        series_title=_("Brand"),
        day_format=locale.day_format,
        normalize=True,
        share_title=_("Share"),
        legend=False,
    )


def today(workspace: Any) -> date:
    return timezone.localdate(timezone=_zone(workspace))


def _zone(workspace: Any) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(workspace.time_zone)


def share_of_voice(workspace: Any, days: int = 30) -> Chart:
    """Mentions per day of the brand (its "brand" queries) and of each competitor (their queries),
    and each one's share of the period, as a 100 % stacked bar chart."""
    end = today(workspace)
    start = end - timedelta(days=days - 1)
    day_list = [start + timedelta(days=i) for i in range(days)]
    index = {day: i for i, day in enumerate(day_list)}
    kinds = dict(
        ListeningQuery.objects.filter(workspace=workspace).values_list("id", "competitor_id")
    )
    brand_ids = set(
        ListeningQuery.objects.filter(
            workspace=workspace, kind=ListeningQuery.Kind.BRAND
        ).values_list("id", flat=True)
    )
    competitors = list(Competitor.objects.filter(workspace=workspace))
    series: dict[Any, Series] = {"brand": Series(workspace.name, BRAND_COLOUR, [0] * days)}
    for competitor in competitors:
        series[competitor.pk] = Series(competitor.name, competitor.color, [0] * days)
    counted = match_counts.count(workspace, start, end, list(kinds), ("query", "day"))
    for (query_id, day), n in counted.items():
        key: Any = "brand" if query_id in brand_ids else kinds.get(query_id)
        if key is None or key not in series or day not in index:
            continue
        series[key].counts[index[day]] += n
    listed = list(series.values())
    grand = sum(sum(s.counts) for s in listed)
    for s in listed:
        s.total = sum(s.counts)
        s.share = (100.0 * s.total / grand) if grand else 0.0
    return Chart(day_list, listed, total=grand)


@dataclass(frozen=True)
class Trend:
    term: str
    current: int
    previous: int
    growth: float
    #: How people write it: the most frequent spelling of the term in the period (``débité`` for the
    #: term ``debite``, counted accent-free).
    surface: str = ""


def trending_terms(workspace: Any, days: int = 7, limit: int = 15) -> list[Trend]:
    """Terms whose count rose most in the last ``days`` days against the ``days`` before."""
    end = today(workspace)
    start = end - timedelta(days=days - 1)
    before = start - timedelta(days=days)
    current = dict(
        TermRollup.objects.filter(workspace=workspace, day__gte=start, day__lte=end)
        .values("term")
        .annotate(n=Sum("count"))
        .filter(n__gte=3)
        .values_list("term", "n")
    )
    previous = dict(
        TermRollup.objects.filter(
            workspace=workspace, day__gte=before, day__lt=start, term__in=list(current)
        )
        .values("term")
        .annotate(n=Sum("count"))
        .values_list("term", "n")
    )
    trends = [
        Trend(term, count, previous.get(term, 0), (count + 1) / (previous.get(term, 0) + 1))
        for term, count in current.items()
    ]
    trends.sort(key=lambda t: (-t.growth, -t.current, t.term))
    trends = trends[:limit]
    surfaces = _surfaces(workspace, start, end, {t.term: t.current for t in trends})
    return [replace(t, surface=surfaces[t.term]) for t in trends]


def _surfaces(workspace: Any, start: date, end: date, counts: dict[str, int]) -> dict[str, str]:
    """The most frequent spelling of each term between ``start`` and ``end``: the spellings other
    than the term itself are counted (TermSpelling), the term's own is what remains of its count."""
    other: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        TermSpelling.objects.filter(
            workspace=workspace, day__gte=start, day__lte=end, term__in=list(counts)
        )
        .values("term", "spelling")
        .annotate(n=Sum("count"))
        .values_list("term", "spelling", "n")
    )
    for term, spelling, n in rows:
        other[term][spelling] = n
    surfaces = {}
    for term, count in counts.items():
        spellings = {term: count - sum(other[term].values()), **other[term]}
        # Ties go to the accented spelling (a person typing without accents is the usual shortcut).
        surfaces[term] = max(spellings, key=lambda s: (spellings[s], s != term, s))
    return surfaces


@dataclass(frozen=True)
class AuthorStat:
    handle: str
    name: str
    network: str
    mentions: int
    followers: int

    @property
    def network_label(self) -> str:
        return network_label(self.network)


def top_authors(workspace: Any, days: int = 30, limit: int = 10) -> dict[str, list[AuthorStat]]:
    """The authors of the period by mentions and by followers. An author is a handle on a network:
    the same handle on two networks may well be two people (the community app links identities)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Mention.objects.filter(workspace=workspace, created_at__gte=since)
        .exclude(author_handle="")
        .values("network", "author_handle")
        .annotate(n=Count("id"), followers=Max("author_followers"), name=Max("author_name"))
    )
    stats = [
        AuthorStat(r["author_handle"], r["name"] or "", r["network"], r["n"], r["followers"] or 0)
        for r in rows
    ]
    return {
        "volume": sorted(stats, key=lambda a: (-a.mentions, -a.followers, a.handle, a.network))[
            :limit
        ],
        "reach": sorted(stats, key=lambda a: (-a.followers, -a.mentions, a.handle, a.network))[
            :limit
        ],
    }


def volume_by_sentiment(workspace: Any, days: int = 30) -> dict[str, int]:
    """Matches of the brand's queries in the last ``days`` days, by sentiment."""
    end = today(workspace)
    brand = ListeningQuery.objects.filter(
        workspace=workspace, kind=ListeningQuery.Kind.BRAND
    ).values_list("id", flat=True)
    counted = match_counts.count(
        workspace, end - timedelta(days=days - 1), end, list(brand), ("sentiment",)
    )
    return {sentiment: n for (sentiment,), n in counted.items()}
