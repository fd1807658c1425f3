"""A report's blocks computed for a period, and the report rendered as a standalone HTML document,
as PDF (WeasyPrint, the same document) and each of its tables as CSV.

Every block reads the period's local days in the workspace's time zone (``engine.measures.Period``)
and compares with the period of the same length just before it. Charts are the Vega-Lite specs of
``charts`` rendered to SVG by the server (vl-convert): the same chart in the HTML and in the PDF,
each with the table of its numbers beside it."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from ambassade.analytics import area_community, charts, dashboard, kpis
from ambassade.analytics.catalogue import CATALOGUE, Metric
from ambassade.analytics.models import Kpi
from ambassade.analytics.reports_models import Report, ReportTemplate
from ambassade.analytics.reports_parts import (
    Section,
    Table,
    _svg_uri,
    change,
    default_period,
    format_value,
    last_month,
    last_week,
    previous_period,
)
from ambassade.community.models import Identity
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.inbox.models import Conversation
from ambassade.listening import match_counts
from ambassade.listening.models import ListeningQuery
from ambassade.publishing.models import Status as PostStatus
from ambassade.publishing.models import Variant
from ambassade.workspaces.networks import network_label

__all__ = [
    "BLOCKS",
    "TEMPLATE_BLOCKS",
    "Section",
    "Table",
    "build",
    "default_period",
    "last_month",
    "last_week",
    "previous_period",
    "render_html",
    "render_pdf",
]

#: Rows of the "top" tables.
TOP = 10
#: Width of the charts rendered for documents, in CSS pixels (A4 minus margins).
CHART_WIDTH = 640


@dataclass(frozen=True)
class Block:
    code: str
    label: str | Promise
    #: The app whose view permission shows it (as the catalogue's ``source``).
    source: str


BLOCKS: dict[str, Block] = {
    block.code: block
    for block in (
        Block("kpis", gettext_lazy("Key figures"), "analytics"),
        Block("mentions", gettext_lazy("Mentions and sentiment"), "listening"),
        Block("top_mentions", gettext_lazy("Top mentions"), "listening"),
        Block("share_of_voice", gettext_lazy("Share of voice"), "listening"),
        Block("top_posts", gettext_lazy("Top posts"), "publishing"),
        Block("inbox", gettext_lazy("Inbox performance"), "inbox"),
        Block("community", gettext_lazy("Community growth"), "community"),
        Block("objectives", gettext_lazy("Objectives' progress"), "analytics"),
    )
}

TEMPLATE_BLOCKS: dict[str, list[str]] = {
    ReportTemplate.WEEKLY: ["kpis", "mentions", "top_posts", "top_mentions", "inbox"],
    ReportTemplate.MONTHLY: list(BLOCKS),
    ReportTemplate.CAMPAIGN: ["kpis", "top_posts", "mentions", "share_of_voice"],
    ReportTemplate.CLIENT: [
        "kpis",
        "objectives",
        "mentions",
        "share_of_voice",
        "top_posts",
        "top_mentions",
        "inbox",
        "community",
    ],
}

#: The key figures, in order, and the app each reads.
TILES = (
    "mention_volume",
    "potential_reach",
    "net_sentiment",
    "share_of_voice",
    "posts_published",
    "link_clicks",
    "response_rate",
    "first_response_time",
    "csat",
    "active_members",
    "follower_growth",
    "engagement_rate",
    "engagement_rate_per_follower",
    "site_visits_from_social",
)

#: Keys of a post's network metrics that are not engagements (views are not interactions).
NOT_ENGAGEMENTS = frozenset({"impressions", "reach", "views", "video_views", "followers"})


# --- blocks -------------------------------------------------------------------------------------


@dataclass
class Context:
    report: Report
    workspace: Any
    period: Period
    before: Period
    language: str
    now: datetime
    allowed: Callable[[str], bool]
    with_charts: bool = True


def _kpis_block(ctx: Context) -> Section:
    section = Section("kpis", _("Key figures"))
    header = [
        _("Indicator"),
        _("This period"),
        _("Period before"),
        pgettext("figure", "Change"),
        _("Definition"),
    ]
    table = Table(header, [], numeric={1, 2})
    for code in TILES:
        metric = CATALOGUE[code]
        if not ctx.allowed(metric.source):
            continue
        reader = kpis.READERS[code]
        if code in ("posts_published", "link_clicks") and ctx.report.campaign:
            value = _campaign_reader(code, ctx, ctx.period)
            before = _campaign_reader(code, ctx, ctx.before)
        else:
            value, before = reader(ctx.workspace, ctx.period), reader(ctx.workspace, ctx.before)
        moved = change(value, before, metric)
        section.tiles.append(
            {
                "code": code,
                "label": str(metric.label),
                "value": format_value(value, metric.unit),
                "before": format_value(before, metric.unit),
                "change": moved,
                "definition": str(metric.definition),
            }
        )
        table.rows.append(
            [
                str(metric.label),
                _raw(value),
                _raw(before),
                moved["text"] if moved else "",
                str(metric.definition),
            ]
        )
    section.tables.append(table)
    return section


def _raw(value: float | None) -> Any:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(value, 1)


def _campaign_variants(ctx: Context, period: Period) -> Any:
    first, after = period.bounds()
    variants = Variant.objects.filter(
        workspace=ctx.workspace,
        status=PostStatus.PUBLISHED,
        published_at__gte=first,
        published_at__lt=after,
    )
    if ctx.report.campaign:
        variants = variants.filter(post__utm_campaign=ctx.report.campaign)
    return variants


def _campaign_reader(code: str, ctx: Context, period: Period) -> float:
    from ambassade.publishing.models import ShortLink

    post_ids = _campaign_variants(ctx, period).values("post_id").distinct()
    if code == "posts_published":
        return float(post_ids.count())
    total = ShortLink.objects.filter(workspace=ctx.workspace, post_id__in=post_ids).aggregate(
        n=Sum("clicks")
    )["n"]
    return float(total or 0)


def _mentions_block(ctx: Context) -> Section:
    section = Section("mentions", _("Mentions and sentiment"))
    rows = dashboard.sentiment_rows(ctx.workspace, ctx.period.start, ctx.period.end)
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, sentiment, n in rows:
        per_day[day][sentiment] = n
    table = Table(
        [_("Day"), _("Positive"), _("Neutral"), _("Negative"), _("Total")], [], numeric={1, 2, 3, 4}
    )
    for day, counts in sorted(per_day.items()):
        positive, neutral, negative = (counts.get(s, 0) for s in dashboard.SENTIMENTS)
        # The day as the report's language writes it, like the other tables' dates (not ISO).
        table.rows.append(
            [
                formats.date_format(day, "SHORT_DATE_FORMAT"),
                positive,
                neutral,
                negative,
                positive + neutral + negative,
            ]
        )
    total = sum(row[4] for row in table.rows)
    if not total:
        section.empty = _("No mention of the brand in this period.")
    elif ctx.with_charts:
        spec = charts.sentiment_trend(rows, width=CHART_WIDTH, language=ctx.language)
        section.chart = _svg_uri(spec, ctx.language)
        section.chart_alt = _("Mentions of the brand per day, by sentiment")
    section.tables.append(table)
    return section


def _top_mentions_block(ctx: Context) -> Section:
    section = Section("top_mentions", _("Top mentions"))
    mentions = (
        kpis._brand_mentions(ctx.workspace, ctx.period)
        .order_by(F("author_followers").desc(nulls_last=True), "-created_at", "-id")
        .only(
            "created_at",
            "network",
            "author_handle",
            "author_name",
            "author_followers",
            "text",
            "sentiment",
            "url",
        )[:TOP]
    )
    table = Table(
        [
            _("Date"),
            _("Network"),
            _("Author"),
            _("Followers"),
            _("Sentiment"),
            _("Text"),
            _("Link"),
        ],
        [],
        numeric={3},
    )
    labels = {"positive": _("Positive"), "neutral": _("Neutral"), "negative": _("Negative")}
    for mention in mentions:
        table.rows.append(
            [
                formats.date_format(timezone.localtime(mention.created_at), "SHORT_DATE_FORMAT"),
                network_label(mention.network),
                mention.author_name or mention.author_handle,
                mention.author_followers if mention.author_followers is not None else "",
                labels.get(mention.sentiment, mention.sentiment),
                _excerpt(mention.text),
                mention.url,
            ]
        )
    if not table.rows:
        section.empty = _("No mention of the brand in this period.")
    section.tables.append(table)
    return section


def _excerpt(text: str, length: int = 220) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _share_of_voice_block(ctx: Context) -> Section:
    section = Section("share_of_voice", _("Share of voice"))

    queries = {
        pk: (kind, competitor, name)
        for pk, kind, competitor, name in ListeningQuery.objects.filter(
            workspace=ctx.workspace,
            kind__in=(ListeningQuery.Kind.BRAND, ListeningQuery.Kind.COMPETITOR),
        ).values_list("id", "kind", "competitor__name", "name")
    }

    def counts(period: Period) -> dict[str, int]:
        counted = match_counts.count(
            ctx.workspace, period.start, period.end, list(queries), ("query",)
        )
        rows = [(*queries[query_id], n) for (query_id,), n in counted.items()]
        result: dict[str, int] = defaultdict(int)
        for kind, competitor, query, n in rows:
            name = ctx.workspace.name if kind == ListeningQuery.Kind.BRAND else competitor or query
            result[name] += n or 0
        return result

    now, before = counts(ctx.period), counts(ctx.before)
    total, total_before = sum(now.values()), sum(before.values())
    table = Table(
        [_("Brand"), _("Mentions"), _("Share"), _("Share, period before")], [], numeric={1, 2, 3}
    )
    names = sorted(set(now) | set(before), key=lambda name: (-now.get(name, 0), name))
    for name in names:
        share = measures.share(now.get(name, 0), total)
        share_before = measures.share(before.get(name, 0), total_before)
        table.rows.append(
            [
                name,
                now.get(name, 0),
                _raw(share) if share is not None else "",
                _raw(share_before) if share_before is not None else "",
            ]
        )
    if not total:
        section.empty = _("No mention of the brand or its competitors in this period.")
    elif ctx.with_charts:
        section.chart = _svg_uri(
            _share_spec([(row[0], row[1]) for row in table.rows if row[1]]), ctx.language
        )
        section.chart_alt = _("Mentions of the brand and of each competitor in the period")
    section.tables.append(table)
    return section


def _share_spec(rows: Sequence[tuple[str, int]]) -> dict[str, Any]:
    from ambassade.engine.charts import bars

    ordered = sorted(rows, key=lambda row: -row[1])
    return bars(
        ordered,
        description=_("Mentions of the brand and of each competitor in the period"),
        x_title=_("Mentions"),
        name_title=_("Brand"),
        colour="#3a6ea5",
        width=CHART_WIDTH,
    )


def engagements(metrics: dict[str, Any]) -> int:
    """A post's interactions as its network counts them: every numeric metric but views and
    reach (likes, reposts, replies, comments, shares, saves, clicks)."""
    return sum(
        int(value)
        for key, value in (metrics or {}).items()
        if key not in NOT_ENGAGEMENTS and isinstance(value, int | float) and value > 0
    )


def _top_posts_block(ctx: Context) -> Section:
    """The own posts of the period with the most engagements: the networks' results read by the
    poller (``PostResult``, posts published elsewhere than through Ambassade included, as on the
    publishing area and the audience page), and the versions published through Ambassade whose
    numbers only their publisher read back (a network without a metrics reader)."""
    from ambassade.analytics import audience

    title = _("Top posts")
    if ctx.report.campaign:
        title = _("Top posts of the campaign “%(campaign)s”") % {"campaign": ctx.report.campaign}
    section = Section("top_posts", title)
    zone = ZoneInfo(ctx.workspace.time_zone)
    only = (
        Variant.objects.filter(workspace=ctx.workspace, post__utm_campaign=ctx.report.campaign)
        .exclude(remote_id="")
        .values("remote_id")
        if ctx.report.campaign
        else None
    )
    rows: list[tuple[int, datetime, list[Any]]] = []
    read: set[tuple[str, str]] = set()
    results = (
        audience._own_posts(ctx.workspace, ctx.period, only=only)
        .select_related("account", "account__connection")
        .order_by("-engagements", "-published_at")[:TOP]
    )
    for result in results:
        metrics = result.metrics or {}
        read.add((result.account.network, result.external_id))
        rows.append(
            (
                result.engagements,
                result.published_at,
                [
                    result.published_at,
                    f"{result.account.display} ({network_label(result.account.network)})",
                    _excerpt(result.text or "", 160),
                    metrics.get("likes", ""),
                    metrics.get("reposts", metrics.get("shares", "")),
                    metrics.get("replies", metrics.get("comments", "")),
                    result.engagements,
                    result.url,
                ],
            )
        )
    variants = list(
        _campaign_variants(ctx, ctx.period)
        .select_related("post", "connection")
        .order_by("-published_at", "-id")[:2000]
    )
    for variant in variants:
        if (variant.connection.network, variant.remote_id) in read:
            continue  # the poller's numbers of the same post, already listed
        metrics = variant.metrics or {}
        rows.append(
            (
                engagements(metrics),
                variant.published_at,
                [
                    variant.published_at,
                    f"{variant.connection.account_name} "
                    f"({network_label(variant.connection.network)})",
                    _excerpt(variant.effective_text, 160),
                    metrics.get("likes", ""),
                    metrics.get("reposts", metrics.get("shares", "")),
                    metrics.get("replies", metrics.get("comments", "")),
                    engagements(metrics),
                    variant.remote_url,
                ],
            )
        )
    rows.sort(key=lambda row: (-row[0], -row[1].timestamp()))
    table = Table(
        [
            _("Published"),
            _("Account"),
            _("Text"),
            _("Likes"),
            _("Reposts"),
            _("Replies"),
            _("Engagements"),
            _("Link"),
        ],
        [],
        numeric={3, 4, 5, 6},
    )
    for _engaged, published, cells in rows[:TOP]:
        cells[0] = formats.date_format(published.astimezone(zone), "SHORT_DATETIME_FORMAT")
        table.rows.append(cells)
    if not table.rows:
        section.empty = _("No post was published in this period.")
    section.tables.append(table)
    return section


def _inbox_figures(ctx: Context, period: Period) -> dict[str, float | None]:
    first, after = period.bounds()
    rows = Conversation.objects.filter(
        workspace=ctx.workspace, first_inbound_at__gte=first, first_inbound_at__lt=after
    )
    counts = rows.aggregate(total=Count("id"), answered=Count("first_response_at"))
    return {
        "received": float(counts["total"]),
        "answered": float(counts["answered"]),
        "response_rate": kpis.response_rate(ctx.workspace, period),
        "first_response_time": kpis.first_response_time(ctx.workspace, period),
        "csat": kpis.csat(ctx.workspace, period),
    }


def _inbox_block(ctx: Context) -> Section:
    section = Section("inbox", _("Inbox performance"))
    now, before = _inbox_figures(ctx, ctx.period), _inbox_figures(ctx, ctx.before)
    count = CATALOGUE["posts_published"]  # a count, more is better
    labels = {
        "received": (_("Conversations received"), count),
        "answered": (_("Conversations answered"), count),
        "response_rate": (CATALOGUE["response_rate"].label, CATALOGUE["response_rate"]),
        "first_response_time": (
            _("Median first-response time"),
            CATALOGUE["first_response_time"],
        ),
        "csat": (CATALOGUE["csat"].label, CATALOGUE["csat"]),
    }
    for key, (label, metric) in labels.items():
        moved = change(now[key], before[key], metric)
        section.tiles.append(
            {
                "code": key,
                "label": str(label),
                "value": format_value(now[key], metric.unit),
                "before": format_value(before[key], metric.unit),
                "change": moved,
            }
        )
    first, after = ctx.period.bounds()
    per_network = (
        Conversation.objects.filter(
            workspace=ctx.workspace, first_inbound_at__gte=first, first_inbound_at__lt=after
        )
        .values_list("network")
        .annotate(total=Count("id"), answered=Count("first_response_at"))
        .order_by("network")
    )
    table = Table(
        [_("Network"), _("Received"), _("Answered"), _("Response rate")], [], numeric={1, 2, 3}
    )
    for network, total, answered in per_network:
        rate = measures.rate(answered, total)
        table.rows.append(
            [network_label(network), total, answered, _raw(rate) if rate is not None else ""]
        )
    if not table.rows:
        section.empty = _("No conversation started in this period.")
    section.tables.append(table)
    return section


def _community_block(ctx: Context) -> Section:
    section = Section("community", _("Community growth"))
    first, after = ctx.period.bounds()
    before_first, _after = ctx.before.bounds()
    # As on the community area page: the brand's staff left out, a member joins when first seen
    # (added, for one never seen), not when their row was made (an import, a merge).
    joined = Coalesce("first_seen_at", "created_at")
    figures = area_community.members(ctx.workspace, kpis.ALL).aggregate(
        at_start=Count("id", filter=Q(LessThan(joined, first))),
        at_end=Count("id", filter=Q(LessThan(joined, after))),
        new=Count("id", filter=Q(GreaterThanOrEqual(joined, first), LessThan(joined, after))),
        new_before=Count(
            "id", filter=Q(GreaterThanOrEqual(joined, before_first), LessThan(joined, first))
        ),
    )
    count = CATALOGUE["active_members"]
    figures_of: list[tuple[str, Any, float | None, float | None, Metric]] = [
        ("at_end", _("Members at the end"), figures["at_end"], figures["at_start"], count),
        ("new", _("New members"), figures["new"], figures["new_before"], count),
    ]
    for code in ("active_members", "retention", "ambassadors"):
        reader = kpis.READERS[code]
        figures_of.append(
            (
                code,
                CATALOGUE[code].label,
                reader(ctx.workspace, ctx.period),
                reader(ctx.workspace, ctx.before),
                CATALOGUE[code],
            )
        )
    for key, label, value, before, metric in figures_of:
        value = None if value is None else float(value)
        before = None if before is None else float(before)
        section.tiles.append(
            {
                "code": key,
                "label": str(label),
                "value": format_value(value, metric.unit),
                "before": format_value(before, metric.unit),
                "change": change(value, before, metric),
            }
        )
    # The identities of the members who joined in the period, as the figures count them (first
    # seen, else added; the staff left out), not by when the identity's row was made: the demo's
    # members, heard over months and made today, were all "new today".
    per_network = (
        Identity.objects.filter(workspace=ctx.workspace, member__staff=False)
        .alias(joined=Coalesce("member__first_seen_at", "member__created_at"))
        .filter(joined__gte=first, joined__lt=after)
        .values_list("network")
        .annotate(n=Count("id"))
        .order_by("-n", "network")
    )
    table = Table(
        [_("Network"), _("New identities")],
        [[network_label(network), n] for network, n in per_network],
        {1},
    )
    if not table.rows and not figures["new"]:
        section.empty = _("No new member in this period.")
    section.tables.append(table)
    return section


def _objectives_block(ctx: Context) -> Section:
    section = Section("objectives", _("Objectives' progress"))
    rows = list(
        Kpi.objects.filter(
            workspace=ctx.workspace,
            period_start__lte=ctx.period.end,
            period_end__gte=ctx.period.start,
        )
        .select_related("objective", "workspace")
        .order_by("objective__name", "position", "id")
    )
    table = Table(
        [
            _("Objective"),
            _("Indicator"),
            _("Period"),
            _("Value"),
            pgettext("KPI", "Target"),
            _("Progress"),
        ],
        [],
        numeric={3, 4, 5},
    )
    for kpi in rows:
        if not ctx.allowed(CATALOGUE[kpi.metric].source):
            continue
        measured = kpis.measure(kpi, ctx.now)
        unit = measured.metric.unit
        section.tiles.append(
            {
                "objective": kpi.objective.name,
                "label": str(measured.metric.label),
                "value": format_value(measured.value, unit),
                "target": format_value(kpi.target, unit),
                "progress": measured.progress_int if measured.progress is not None else None,
                "on_track": measured.on_track,
                "ended": measured.ended,
                "period": (kpi.period_start, kpi.period_end),
            }
        )
        table.rows.append(
            [
                kpi.objective.name,
                str(measured.metric.label),
                f"{kpi.period_start.isoformat()} – {kpi.period_end.isoformat()}",
                _raw(measured.value),
                _raw(kpi.target),
                measured.progress_int if measured.progress is not None else "",
            ]
        )
    if not table.rows:
        section.empty = _("No objective has an indicator over this period.")
    section.tables.append(table)
    return section


BUILDERS: dict[str, Callable[[Context], Section]] = {
    "kpis": _kpis_block,
    "mentions": _mentions_block,
    "top_mentions": _top_mentions_block,
    "share_of_voice": _share_of_voice_block,
    "top_posts": _top_posts_block,
    "inbox": _inbox_block,
    "community": _community_block,
    "objectives": _objectives_block,
}


def build(
    report: Report,
    start: date,
    end: date,
    *,
    allowed: Callable[[str], bool] | None = None,
    only: str | None = None,
    now: datetime | None = None,
    with_charts: bool = True,
) -> dict[str, Any]:
    """The report's sections for the local days ``start``–``end`` (raises ``PeriodError``), in the
    active language; ``allowed(source)`` leaves out what the reader may not see; ``only`` builds
    one block (for its CSV)."""
    workspace = report.workspace
    period = Period(start, end, workspace.time_zone)
    before = Period(*previous_period(start, end), workspace.time_zone)
    language = translation.get_language() or report.language
    ctx = Context(
        report=report,
        workspace=workspace,
        period=period,
        before=before,
        language=language,
        now=now or timezone.now(),
        allowed=allowed or (lambda source: True),
        with_charts=with_charts,
    )
    codes = [code for code in report.blocks if code in BUILDERS]
    if only is not None:
        codes = [only] if only in BUILDERS else []
    sections = [
        BUILDERS[code](ctx)
        for code in codes
        if code in ("kpis", "objectives") or ctx.allowed(BLOCKS[code].source)
    ]
    return {
        "report": report,
        "workspace": workspace,
        "start": start,
        "end": end,
        "before_start": before.start,
        "before_end": before.end,
        "sections": sections,
        "logo": _logo_uri(report),
        "commentary": [p.strip() for p in report.commentary.split("\n\n") if p.strip()],
        "generated_at": ctx.now,
    }


def _logo_uri(report: Report) -> str:
    if not report.logo:
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(report.logo)).decode()


def render_html(
    report: Report,
    start: date,
    end: date,
    *,
    language: str | None = None,
    allowed: Callable[[str], bool] | None = None,
    now: datetime | None = None,
) -> str:
    """The report as a standalone HTML document (no script, images inline), in ``language`` (the
    report's own by default) and the workspace's time zone."""
    with (
        translation.override(language or report.language),
        timezone.override(report.workspace.time_zone),
    ):
        context = build(report, start, end, allowed=allowed, now=now)
        return render_to_string("analytics/report_document.html", context)


def render_pdf(html: str) -> bytes:
    """The same document as PDF, A4, by WeasyPrint (which draws the SVG charts as vectors)."""
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=None).write_pdf())


def block_table(
    report: Report,
    code: str,
    start: date,
    end: date,
    *,
    allowed: Callable[[str], bool] | None = None,
) -> Table | None:
    """The table of one block (for its CSV), without rendering its chart."""
    with timezone.override(report.workspace.time_zone):
        context = build(report, start, end, allowed=allowed, only=code, with_charts=False)
    sections = context["sections"]
    return sections[0].tables[0] if sections and sections[0].tables else None
