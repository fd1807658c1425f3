"""The listening area page: mentions of the brand and their sentiment over a period, beside the
comparison period; share of voice against the competitors, the networks, authors, labels and
topics. Filters: network, query, label, language (``kpis.Scope``).

The headline figures are the KPI catalogue's readers (mention volume, potential reach, net
sentiment, share of voice) with the page's scope. The daily trend, the networks (each mention's
own network) and the share of voice count the queries' matches (``listening.match_counts``), as
the dashboard and the share-of-voice page do: a mention matched by two brand queries counts twice
there, once in "Mentions"."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django import forms
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import get_language_info, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from ambassade.analytics import area_charts, kpis
from ambassade.analytics.areas import (
    COUNT,
    DAY,
    PERCENT,
    SCORE,
    TEXT,
    URL,
    Area,
    Figure,
    Section,
    Table,
)
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.kpis import Scope
from ambassade.engine import measures
from ambassade.engine.measures import Period, daily_series
from ambassade.listening import match_counts, rollup
from ambassade.listening.models import ListeningQuery, TermRollup
from ambassade.workspaces.networks import network_label

__all__ = ["build", "fields", "scope"]

TOP = 10
SENTIMENTS = ("positive", "neutral", "negative")
BRAND = (ListeningQuery.Kind.BRAND,)
BOTH = (ListeningQuery.Kind.BRAND, ListeningQuery.Kind.COMPETITOR)


def language_name(code: str) -> Any:
    """The language's name in the reader's language (``fr`` → "French" or "Français"), the code in
    capitals for one Django does not know."""
    try:
        return get_language_info(code)["name_translated"]  # lazy: worded when shown
    except KeyError:
        return code.upper()


def fields(workspace: Any) -> dict[str, forms.Field]:
    networks, languages = match_counts.networks_and_languages(workspace)
    return {
        "network": forms.ChoiceField(
            label=gettext_lazy("Network"),
            required=False,
            choices=[("", gettext_lazy("All networks"))]
            + [(n, network_label(n)) for n in networks],
        ),
        "query": forms.ModelChoiceField(
            label=gettext_lazy("Query"),
            required=False,
            queryset=ListeningQuery.objects.filter(workspace=workspace).order_by("kind", "name"),
            empty_label=gettext_lazy("The brand's queries"),
        ),
        "tag": forms.CharField(label=pgettext_lazy("tag", "Label"), required=False, max_length=40),
        "language": forms.ChoiceField(
            label=gettext_lazy("Language"),
            required=False,
            choices=[("", gettext_lazy("All languages"))]
            + [(code, language_name(code)) for code in languages],
        ),
    }


def scope(chosen: dict[str, Any]) -> Scope:
    query = chosen.get("query")
    return Scope(
        network=chosen.get("network") or "",
        query=query.pk if query is not None else None,
        tag=(chosen.get("tag") or "").strip(),
        language=chosen.get("language") or "",
    )


def _figure(
    code: str, workspace: Any, period: Period, before: Period | None, scope: Scope
) -> Figure:
    metric = CATALOGUE[code]
    reader = getattr(kpis, code)
    return Figure(
        code=code,
        label=str(metric.label),
        unit=metric.unit,
        now=reader(workspace, period, scope),
        before=None if before is None else reader(workspace, before, scope),
        definition=str(metric.definition),
        direction=metric.direction,
    )


def _trend(workspace: Any, period: Period, scope: Scope) -> Section:
    counts = kpis.listening_counts(workspace, period, scope, ("day", "sentiment"), BRAND)
    per: dict[str, dict[date, int]] = defaultdict(dict)
    for (day, sentiment), n in counts.items():
        per[sentiment][day] = per[sentiment].get(day, 0) + n
    rows = [
        (day, sentiment, n)
        for sentiment in SENTIMENTS
        for day, n in daily_series(per.get(sentiment, {}), period.start, period.end)
    ]
    table = Table(
        [
            (_("Day"), DAY),
            (_("Positive"), COUNT),
            (_("Neutral"), COUNT),
            (_("Negative"), COUNT),
            (_("Total"), COUNT),
            (_("Net sentiment"), SCORE),
        ]
    )
    for day in reversed(period.each_day()):
        values = [per.get(s, {}).get(day, 0) for s in SENTIMENTS]
        table.rows.append([day, *values, sum(values), measures.net_sentiment(values[0], values[2])])
    description = _("Mentions of the brand per day, by sentiment")
    return Section(
        "trend",
        _("Volume and sentiment"),
        table,
        spec=area_charts.sentiment(rows, description),
        chart_label=description,
        note=_(
            "Matches of the brand's queries per day (a mention matched by two queries counts twice)."
        ),
    )


def _share_of_voice(workspace: Any, period: Period, before: Period | None, scope: Scope) -> Section:
    unscoped = Scope(network=scope.network, tag=scope.tag, language=scope.language)
    queries = {
        q.pk: q
        for q in ListeningQuery.objects.filter(workspace=workspace, kind__in=BOTH).select_related(
            "competitor"
        )
    }

    def by_name(p: Period) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for (query_id,), n in kpis.listening_counts(
            workspace, p, unscoped, ("query",), BOTH
        ).items():
            query = queries.get(query_id)
            if query is None:
                continue
            name = (
                query.competitor.name
                if query.kind == ListeningQuery.Kind.COMPETITOR and query.competitor
                else _("The brand")
                if query.kind == ListeningQuery.Kind.BRAND
                else query.name
            )
            found[str(name)] += n
        return found

    now = by_name(period)
    then = by_name(before) if before is not None else {}
    total, total_before = sum(now.values()), sum(then.values())
    names = sorted(set(now) | set(then), key=lambda name: (-now.get(name, 0), name))
    table = Table(
        [
            (_("Name"), TEXT),
            (_("Mentions"), COUNT),
            (_("Share of voice"), PERCENT),
            (_("Comparison period"), PERCENT),
        ],
        empty=_("No brand or competitor query matched anything in this period."),
    )
    for name in names:
        table.rows.append(
            [
                name,
                now.get(name, 0),
                measures.share(now.get(name, 0), total),
                measures.share(then.get(name, 0), total_before) if before else None,
            ]
        )
    description = _("Mentions of the brand and of each competitor")
    return Section(
        "share_of_voice",
        _("Share of voice"),
        table,
        spec=area_charts.bars(
            [(name, float(now.get(name, 0))) for name in names],
            description=description,
            x_title=_("Mentions"),
            name_title=_("Name"),
        )
        if total
        else "",
        chart_label=description,
        note=_(
            "Every brand query against every competitor query: the query filter does not apply."
        ),
    )


def _networks(workspace: Any, period: Period, before: Period | None, scope: Scope) -> Section:
    now = {
        k[0]: n
        for k, n in kpis.listening_counts(workspace, period, scope, ("network",), BRAND).items()
    }
    then = (
        {
            k[0]: n
            for k, n in kpis.listening_counts(workspace, before, scope, ("network",), BRAND).items()
        }
        if before
        else {}
    )
    total = sum(now.values())
    table = Table(
        [
            (_("Network"), TEXT),
            (_("Mentions"), COUNT),
            (_("Share"), PERCENT),
            (_("Comparison period"), COUNT),
        ],
        empty=_("No mention of the brand in this period."),
    )
    ordered = sorted(now, key=lambda key: (-now[key], key))
    for network in ordered:
        table.rows.append(
            [
                network_label(network),
                now[network],
                measures.share(now[network], total),
                then.get(network, 0) if before else None,
            ]
        )
    description = _("Mentions of the brand by network")
    return Section(
        "networks",
        _("Networks"),
        table,
        spec=area_charts.bars(
            [(network_label(n), float(now[n])) for n in ordered],
            description=description,
            x_title=_("Mentions"),
            name_title=_("Network"),
        )
        if ordered
        else "",
        chart_label=description,
    )


def _top_authors(workspace: Any, period: Period, scope: Scope) -> list[dict[str, Any]]:
    """The ten authors of the most brand mentions: from the rollup of distinct mentions per
    author when it can be read (no label filter), their profiles then read for those ten only;
    otherwise from the mentions."""
    if not scope.tag and kpis.rollup_usable(workspace, period.zone):
        ids = kpis.query_ids(workspace, scope)
        found = rollup.top_authors(
            workspace,
            period.start,
            period.end,
            ids,
            network=scope.network,
            language=scope.language,
            limit=TOP,
        )
        urls = rollup.author_urls(
            workspace, period.bounds(), ids, [(a.network, a.handle) for a in found]
        )
        return [
            {
                "network": author.network,
                "author_handle": author.handle,
                "n": author.count,
                "followers": author.followers,
                "positive": author.positive,
                "negative": author.negative,
                "url": urls.get((author.network, author.handle), ""),
            }
            for author in found
        ]
    return list(
        kpis.brand_mentions(workspace, period, scope)
        .exclude(author_handle="")
        .values("network", "author_handle")
        .annotate(
            n=Count("id"),
            followers=Max("author_followers"),
            positive=Count("id", filter=Q(sentiment="positive")),
            negative=Count("id", filter=Q(sentiment="negative")),
            url=Max("author_url"),
        )
        .order_by("-n", "-followers", "author_handle")[:TOP]
    )


def _authors(workspace: Any, period: Period, scope: Scope) -> Section:
    rows = _top_authors(workspace, period, scope)
    table = Table(
        [
            (_("Author"), TEXT),
            (_("Network"), TEXT),
            (_("Mentions"), COUNT),
            (_("Followers"), COUNT),
            (_("Net sentiment"), SCORE),
            (_("Profile"), URL),
        ],
        empty=_("No mention of the brand in this period."),
    )
    for row in rows:
        table.rows.append(
            [
                row["author_handle"],
                network_label(row["network"]),
                row["n"],
                row["followers"],
                measures.net_sentiment(row["positive"], row["negative"]),
                row["url"] or "",
            ]
        )
    return Section(
        "authors",
        _("Top authors"),
        table,
        note=_("The authors of the most mentions of the brand in the period."),
    )


def _labels(workspace: Any, period: Period, scope: Scope) -> Section:
    """The labels of the period's brand mentions: only the labelled ones are read, on the
    mentions' partial index of labelled mentions by (workspace, created_at), rather than every
    mention of the period."""
    labelled = (
        kpis.brand_mentions(workspace, period, scope)
        .exclude(tags=[])
        .order_by()
        .values_list("tags", flat=True)
    )
    counted: Counter[str] = Counter()
    for tags in labelled:
        counted.update(str(tag) for tag in (tags or []))
    table = Table(
        [(pgettext("tag", "Label"), TEXT), (_("Mentions"), COUNT)],
        empty=_("No mention of the period has a label."),
    )
    for tag, n in sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP]:
        table.rows.append([tag, n])
    return Section("labels", _("Top labels"), table)


def _topics(workspace: Any, period: Period, before: Period | None) -> Section:
    def terms(p: Period) -> dict[str, int]:
        return dict(
            TermRollup.objects.filter(workspace=workspace, day__gte=p.start, day__lte=p.end)
            .values_list("term")
            .annotate(n=Sum("count"))
            .order_by("-n", "term")
            .values_list("term", "n")[: TOP * 5]
        )

    now = terms(period)
    then = terms(before) if before else {}
    table = Table(
        [(_("Topic"), TEXT), (_("Mentions"), COUNT), (_("Comparison period"), COUNT)],
        empty=_("No topic counted in this period."),
    )
    for term, n in list(now.items())[:TOP]:
        table.rows.append([term, n, then.get(term, 0) if before else None])
    return Section(
        "topics",
        _("Top topics"),
        table,
        note=_(
            "The keywords and hashtags held by the most mentions of the period, all queries and "
            "filters together (the trends' daily counts)."
        ),
    )


def _mention_figures(
    workspace: Any, period: Period, before: Period | None, scope: Scope
) -> list[Figure]:
    """Mention volume, potential reach and net sentiment from one read per period
    (``kpis.brand_mention_counts``, which the catalogue's readers also use)."""
    now = kpis.brand_mention_counts(workspace, period, scope)
    then = kpis.brand_mention_counts(workspace, before, scope) if before is not None else None
    values = {
        "mention_volume": lambda c: float(c.count),
        "potential_reach": lambda c: float(c.reach),
        "net_sentiment": lambda c: measures.net_sentiment(c.positive, c.negative),
    }
    figures = []
    for code, read in values.items():
        metric = CATALOGUE[code]
        figures.append(
            Figure(
                code=code,
                label=str(metric.label),
                unit=metric.unit,
                now=read(now),
                before=None if then is None else read(then),
                definition=str(metric.definition),
                direction=metric.direction,
            )
        )
    return figures


def build(workspace: Any, period: Period, before: Period | None, scope: Scope) -> Area:
    with kpis.reading():
        figures = [
            *_mention_figures(workspace, period, before, scope),
            _figure("share_of_voice", workspace, period, before, scope),
        ]
        return Area(
            figures=figures,
            sections=[
                _trend(workspace, period, scope),
                _share_of_voice(workspace, period, before, scope),
                _networks(workspace, period, before, scope),
                _authors(workspace, period, scope),
                _labels(workspace, period, scope),
                _topics(workspace, period, before),
            ],
        )
