"""The values of the KPI catalogue, computed from each app's data over a period of local days.

Each reader takes the workspace and an ``engine.measures.Period`` (days in the workspace's time
zone) and returns a number, or None when the period holds nothing to measure (no conversation has
no response rate: that is not 0 %). The sums and ratios themselves are the engine's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ambassade.analytics import audience, loyalty, traffic
from ambassade.analytics.catalogue import CATALOGUE, COUNT, Metric
from ambassade.community.models import Identity, Member
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.inbox.models import Conversation
from ambassade.listening import match_counts, rollup
from ambassade.listening.models import ListeningQuery, Mention, MentionMatch
from ambassade.publishing.models import ShortLink, Variant
from ambassade.publishing.models import Status as PostStatus
from ambassade.referrals.models import Referral
from ambassade.satisfaction.models import Survey

__all__ = ["ALL", "Measured", "Scope", "measure", "period_of", "reading"]


@dataclass(frozen=True)
class Scope:
    """What an area page narrows an indicator to (docs/analytics.md, "Area pages"); the empty scope
    is the KPI itself. Listening: ``network``, ``query`` (a query's id), ``tag`` (a mention's
    label), ``language``. Publishing: ``network``, ``campaign`` (a post's UTM campaign). Inbox:
    ``network``, ``label`` (an inbox label's id), ``assignee`` (a user's id). Community:
    ``network`` (the identities'). A reader ignores what does not apply to its data."""

    network: str = ""
    query: int | None = None
    tag: str = ""
    language: str = ""
    campaign: str = ""
    label: int | None = None
    assignee: int | None = None


ALL = Scope()


def period_of(workspace: Any, start: date, end: date) -> Period:
    return Period(start, end, workspace.time_zone)


#: The reads already made within :func:`reading`, by (what, workspace, period, scope…).
_READ: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("kpis_read", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within this block (one page being built), the same read of the same workspace, period and
    scope is made once: the mention volume, potential reach and net sentiment of a period share
    one aggregate (``brand_mention_counts``), and the brand's query ids one query. Outside it
    every reader reads afresh."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def _remembered(key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
    memory = _READ.get()
    if memory is None:
        return read()
    if key not in memory:
        memory[key] = read()
    return memory[key]


def tag_filter(tag: str, prefix: str = "") -> Q:
    """Mentions labelled ``tag`` (their ``tags`` list holds it exactly). PostgreSQL asks the
    JSON document; SQLite, which has no JSON containment in Django, looks for the quoted label in
    the stored text, as Django writes it there (ASCII escapes; letter case ignored)."""
    import json

    if connection.vendor == "postgresql":
        return Q(**{f"{prefix}tags__contains": [tag]})
    return Q(**{f"{prefix}tags__icontains": json.dumps(tag)})


def mention_filter(scope: Scope, prefix: str = "") -> Q:
    """The listening filters of ``scope`` on mentions (``prefix`` reaches them from a match)."""
    q = Q()
    if scope.network:
        q &= Q(**{f"{prefix}network": scope.network})
    if scope.language:
        q &= Q(**{f"{prefix}lang": scope.language})
    if scope.tag:
        q &= tag_filter(scope.tag, prefix)
    return q


def query_ids(workspace: Any, scope: Scope, kinds: tuple[str, ...] = ("brand",)) -> list[int]:
    """The queries an indicator counts: the brand's, or the one query the scope names."""

    def read() -> list[int]:
        rows = ListeningQuery.objects.filter(workspace=workspace)
        rows = rows.filter(pk=scope.query) if scope.query else rows.filter(kind__in=kinds)
        return list(rows.values_list("id", flat=True))

    return list(_remembered(("query_ids", workspace.pk, scope.query, tuple(sorted(kinds))), read))


def _brand_matches(
    workspace: Any, period: Period, scope: Scope = ALL, kinds: tuple[str, ...] = ("brand",)
) -> Any:
    """The brand queries' (or ``kinds``') matches of the period, read per query on its (query,
    created_at) index."""
    first, after = period.bounds()
    rows = MentionMatch.objects.filter(
        query_id__in=query_ids(workspace, scope, kinds),
        created_at__gte=first,
        created_at__lt=after,
    )
    if scope.network or scope.language or scope.tag:
        rows = rows.filter(mention_filter(scope, "mention__"))
    return rows


def brand_mentions(workspace: Any, period: Period, scope: Scope = ALL) -> Any:
    """The period's mentions matched by the brand's queries (each once), within ``scope``.

    A match repeats its mention's ``created_at``: the period is asked of the mentions too, so
    that PostgreSQL reads the period's mentions on their (workspace, created_at) index instead of
    scanning every mention of the workspace to join them with the matches (docs/analytics.md,
    "Speed")."""
    first, after = period.bounds()
    rows = Mention.objects.filter(
        workspace=workspace,
        created_at__gte=first,
        created_at__lt=after,
        pk__in=_brand_matches(workspace, period, scope).values("mention_id"),
    )
    # A labelled mention is never tags = []: said, it reads the partial index of labelled ones.
    return rows.exclude(tags=[]) if scope.tag else rows


_brand_mentions = brand_mentions


def rollup_usable(workspace: Any, zone: str) -> bool:
    """Whether the listening rollup of distinct mentions can be read for periods of ``zone``
    (ready, in that zone: the workspace's)."""
    return zone == workspace.time_zone and bool(
        _remembered(("rollup_usable", workspace.pk, zone), lambda: rollup.usable(workspace))
    )


@dataclass(frozen=True)
class BrandMentions:
    """The brand's mentions of a period in one read: how many, their authors' followers, and
    how many are positive and negative (mention volume, potential reach, net sentiment)."""

    count: int
    reach: int
    positive: int
    negative: int


def brand_mention_counts(workspace: Any, period: Period, scope: Scope = ALL) -> BrandMentions:
    return _remembered(
        ("brand_mention_counts", workspace.pk, period, scope),
        lambda: _brand_mention_counts(workspace, period, scope),
    )


def _brand_mention_counts(workspace: Any, period: Period, scope: Scope) -> BrandMentions:
    if not scope.tag and rollup_usable(workspace, period.zone):
        # The rollup of distinct mentions (listening.rollup): no label in it.
        found = rollup.counts(
            workspace,
            period.start,
            period.end,
            query_ids(workspace, scope),
            network=scope.network,
            language=scope.language,
        )
        return BrandMentions(found.count, found.reach, found.positive, found.negative)
    counts = _brand_mentions(workspace, period, scope).aggregate(
        n=Count("id"),
        reach=Sum("author_followers"),
        positive=Count("id", filter=Q(sentiment="positive")),
        negative=Count("id", filter=Q(sentiment="negative")),
    )
    return BrandMentions(
        int(counts["n"] or 0),
        int(counts["reach"] or 0),
        int(counts["positive"] or 0),
        int(counts["negative"] or 0),
    )


def mention_volume(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    """The brand's distinct mentions of the period: the count of ``brand_mention_counts``."""
    return float(brand_mention_counts(workspace, period, scope).count)


def potential_reach(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    return float(brand_mention_counts(workspace, period, scope).reach)


def net_sentiment(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    counts = brand_mention_counts(workspace, period, scope)
    return measures.net_sentiment(counts.positive, counts.negative)


def listening_counts(
    workspace: Any, period: Period, scope: Scope, by: tuple[str, ...], kinds: tuple[str, ...]
) -> dict[tuple[Any, ...], int]:
    """Matches of the period's queries of ``kinds`` (or the scope's query), counted by ``by`` (any
    of ``day``, ``sentiment``, ``query``, ``kind``, ``network``; the network is the mention's own).
    Read from the rollup of distinct mentions when it is ready in the workspace's zone
    (``listening.match_counts``); from the matches themselves, by local day, when the scope names
    a label, which the rollup does not keep, or while the rollup cannot be read."""
    return dict(
        _remembered(
            ("listening_counts", workspace.pk, period, scope, by, tuple(sorted(kinds))),
            lambda: _listening_counts(workspace, period, scope, by, kinds),
        )
    )


def query_kinds(workspace: Any) -> dict[int, str]:
    """Each of the workspace's queries' kind, by id."""
    return dict(
        _remembered(
            ("query_kinds", workspace.pk),
            lambda: dict(
                ListeningQuery.objects.filter(workspace=workspace).values_list("id", "kind")
            ),
        )
    )


def _listening_counts(
    workspace: Any, period: Period, scope: Scope, by: tuple[str, ...], kinds: tuple[str, ...]
) -> dict[tuple[Any, ...], int]:
    ids = query_ids(workspace, scope, kinds)
    found: dict[tuple[Any, ...], int] = {}
    if not scope.tag and rollup_usable(workspace, period.zone):
        wanted = tuple(dict.fromkeys("query" if name == "kind" else name for name in by))
        kind_of = query_kinds(workspace) if "kind" in by else {}
        counted = match_counts.count(
            workspace,
            period.start,
            period.end,
            ids,
            wanted,
            network=scope.network,
            language=scope.language,
            rolled=True,
        )
        for key, n in counted.items():
            values = dict(zip(wanted, key, strict=True))
            row = tuple(
                kind_of.get(values["query"], "") if name == "kind" else values[name] for name in by
            )
            found[row] = found.get(row, 0) + n
        return found
    from django.db.models.functions import TruncDate

    fields = {
        "day": "local_day",
        "sentiment": "mention__sentiment",
        "query": "query_id",
        "kind": "query__kind",
        "network": "mention__network",
    }
    rows: Any = _brand_matches(workspace, period, scope, kinds)
    if "day" in by:
        rows = rows.annotate(
            local_day=TruncDate("created_at", tzinfo=ZoneInfo(workspace.time_zone))
        )
    for *key, n in (
        rows.order_by().values_list(*[fields[name] for name in by]).annotate(n=Count("id"))
    ):
        found[tuple(key)] = found.get(tuple(key), 0) + int(n or 0)
    return found


def share_of_voice(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    """Brand matches ÷ brand and competitor matches; a scope's query does not apply (the share
    compares all the brand's queries with all the competitors')."""
    scope = Scope(network=scope.network, tag=scope.tag, language=scope.language)
    counts = {
        key[0]: n
        for key, n in listening_counts(
            workspace,
            period,
            scope,
            ("kind",),
            (ListeningQuery.Kind.BRAND, ListeningQuery.Kind.COMPETITOR),
        ).items()
    }
    brand = counts.get(ListeningQuery.Kind.BRAND, 0) or 0
    return measures.share(brand, brand + (counts.get(ListeningQuery.Kind.COMPETITOR, 0) or 0))


def conversations(workspace: Any, period: Period, scope: Scope = ALL) -> Any:
    """The conversations whose first message arrived in the period (the period's cohort), within
    the scope's network, label and assignee."""
    first, after = period.bounds()
    rows = Conversation.objects.filter(
        workspace=workspace, first_inbound_at__gte=first, first_inbound_at__lt=after
    )
    if scope.network:
        rows = rows.filter(network=scope.network)
    if scope.label:
        rows = rows.filter(labels=scope.label)
    if scope.assignee:
        rows = rows.filter(assignee_id=scope.assignee)
    return rows


_conversations = conversations


def response_rate(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    counts = _conversations(workspace, period, scope).aggregate(
        total=Count("id"), answered=Count("first_response_at")
    )
    return measures.rate(counts["answered"], counts["total"])


def response_minutes(arrived: datetime, answered: datetime) -> float:
    """Clock minutes from a conversation's first message to the brand's first answer."""
    return max(0.0, (answered - arrived).total_seconds() / 60.0)


def first_response_time(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    from ambassade.analytics.localtime import Micros

    def read() -> list[int]:
        pairs = _conversations(workspace, period, scope).filter(first_response_at__isnull=False)
        return list(pairs.values_list(Micros("first_response_at", "first_inbound_at"), flat=True))

    return _median_minutes(
        _remembered(("first_response_micros", workspace.pk, period, scope), read)
    )


def _median_minutes(micros: list[int]) -> float | None:
    """The median of the clock minutes from first message to first answer."""
    from ambassade.analytics.localtime import minutes

    return measures.median([minutes(value) for value in micros])


def surveys(workspace: Any, period: Period, scope: Scope = ALL) -> Any:
    """The satisfaction answers given in the period, about conversations within the scope."""
    first, after = period.bounds()
    rows = Survey.objects.filter(
        workspace=workspace,
        score__isnull=False,
        answered_at__gte=first,
        answered_at__lt=after,
    )
    if scope.network:
        rows = rows.filter(conversation__network=scope.network)
    if scope.label:
        rows = rows.filter(conversation__labels=scope.label)
    if scope.assignee:
        rows = rows.filter(conversation__assignee_id=scope.assignee)
    return rows


#: A satisfaction answer counts as satisfied from this score (out of 5).
SATISFIED = 4


def csat(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    counts = surveys(workspace, period, scope).aggregate(
        total=Count("id"), satisfied=Count("id", filter=Q(score__gte=SATISFIED))
    )
    return measures.rate(counts["satisfied"], counts["total"])


def published_variants(workspace: Any, period: Period, scope: Scope = ALL) -> Any:
    """The network versions published in the period, within the scope's network and campaign."""
    first, after = period.bounds()
    rows = Variant.objects.filter(
        workspace=workspace,
        status=PostStatus.PUBLISHED,
        published_at__gte=first,
        published_at__lt=after,
    )
    if scope.network:
        rows = rows.filter(connection__network=scope.network)
    if scope.campaign:
        rows = rows.filter(post__utm_campaign=scope.campaign)
    return rows


def _published_post_ids(workspace: Any, period: Period, scope: Scope = ALL) -> Any:
    return published_variants(workspace, period, scope).values("post_id").distinct()


def posts_published(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    return float(
        _remembered(
            ("posts_published", workspace.pk, period, scope),
            lambda: _published_post_ids(workspace, period, scope).count(),
        )
    )


def link_clicks(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    rows = ShortLink.objects.filter(
        workspace=workspace, post_id__in=_published_post_ids(workspace, period, scope)
    )
    if scope.network:
        rows = rows.filter(network=scope.network)
    total = rows.aggregate(n=Sum("clicks"))["n"]
    return float(total or 0)


def active_members(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    """The members (the brand's staff left out) with an identity that wrote a mention in the
    period: one probe per identity of the mentions' (workspace, author_handle, network,
    created_at) index, whatever the period's volume (docs/analytics.md, "Performance")."""
    first, after = period.bounds()
    mention = Mention._meta.db_table
    identity = Identity._meta.db_table
    member = Member._meta.db_table
    network = "AND i.network = %s " if scope.network else ""
    sql = (
        f"SELECT COUNT(DISTINCT i.member_id) FROM {identity} i "  # noqa: S608 (table names)
        f"INNER JOIN {member} m ON m.id = i.member_id "
        f"WHERE i.workspace_id = %s AND m.staff = %s AND i.handle <> '' {network}"
        f"AND EXISTS (SELECT 1 FROM {mention} a WHERE a.workspace_id = %s "
        "AND a.author_handle = i.handle AND a.network = i.network "
        "AND a.created_at >= %s AND a.created_at < %s)"
    )
    params: list[Any] = [workspace.pk, False]
    if scope.network:
        params.append(scope.network)
    params += [workspace.pk, first, after]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return float(row[0] if row else 0)


def read_ahead(
    periods: dict[Any, list[Period]],
    *,
    listening: bool,
    publishing: bool,
    inbox: bool = False,
    audience_figures: bool = False,
) -> None:
    """Within :func:`reading`, read for many workspaces at once what their readers would read one
    workspace at a time, with no filter: the brand's query ids, the brand's mention counts, the
    brand and competitor matches by kind (share of voice), the posts published, the first-response
    times of the period's conversations, the follower growth and the engagement rates of the own
    accounts (``audience_figures``). ``periods`` maps
    each workspace to its periods; the workspaces of one period (one time zone) are read in one
    grouped query each. The readers then find their answer already read, and compute their
    figures as always (the agency view: 20 workspaces in some 15 queries instead of 200)."""
    memory = _READ.get()
    if memory is None or not periods:
        return
    by_pk = {workspace.pk: workspace for workspace in periods}
    brand_kinds = ("brand",)
    both = tuple(sorted((ListeningQuery.Kind.BRAND, ListeningQuery.Kind.COMPETITOR)))
    grouped: dict[Period, list[int]] = {}
    for workspace, wanted in periods.items():
        for period in wanted:
            grouped.setdefault(period, []).append(workspace.pk)
    if listening:
        kinds: dict[int, dict[int, str]] = {pk: {} for pk in by_pk}
        for workspace_id, query_id, kind in ListeningQuery.objects.filter(
            workspace_id__in=list(by_pk)
        ).values_list("workspace_id", "id", "kind"):
            kinds[workspace_id][query_id] = kind
        for pk, queries in kinds.items():
            brand = [q for q, kind in queries.items() if kind == ListeningQuery.Kind.BRAND]
            counted = [q for q, kind in queries.items() if kind in both]
            memory[("query_ids", pk, None, brand_kinds)] = brand
            memory[("query_ids", pk, None, both)] = counted
        # The workspaces whose rollup of distinct mentions is ready in their zone read it
        # (``brand_mention_counts`` would); the others count their mentions.
        rolled = rollup.usable_of(by_pk.values())
        for pk, workspace in by_pk.items():
            memory[("rollup_usable", pk, workspace.time_zone)] = pk in rolled
        for period, pks in grouped.items():
            first, after = period.bounds()
            from_rollup = {
                pk: memory[("query_ids", pk, None, brand_kinds)]
                for pk in pks
                if pk in rolled and by_pk[pk].time_zone == period.zone
            }
            rolled_up = (
                rollup.counts_of(from_rollup, period.start, period.end) if from_rollup else {}
            )
            rest = [pk for pk in pks if pk not in from_rollup]
            brand_ids = [q for pk in rest for q in memory[("query_ids", pk, None, brand_kinds)]]
            found = {
                row["workspace_id"]: row
                for row in Mention.objects.filter(
                    workspace_id__in=rest,
                    created_at__gte=first,
                    created_at__lt=after,
                    pk__in=MentionMatch.objects.filter(
                        query_id__in=brand_ids, created_at__gte=first, created_at__lt=after
                    ).values("mention_id"),
                )
                .order_by()
                .values("workspace_id")
                .annotate(
                    n=Count("id"),
                    reach=Sum("author_followers"),
                    positive=Count("id", filter=Q(sentiment="positive")),
                    negative=Count("id", filter=Q(sentiment="negative")),
                )
            }
            # Share of voice: the matches by kind of the brand's and competitors' queries, from
            # the rollups that are ready, from the matches themselves for the others.
            matched = (
                match_counts.count_of(
                    {pk: memory[("query_ids", pk, None, both)] for pk in from_rollup},
                    period.start,
                    period.end,
                )
                if from_rollup
                else {}
            )
            by_kind: dict[int, dict[tuple[Any, ...], int]] = {pk: {} for pk in pks}
            for pk, per_query in matched.items():
                for query_id, n in per_query.items():
                    key = (kinds[pk][query_id],)
                    by_kind[pk][key] = by_kind[pk].get(key, 0) + n
            if rest:
                for workspace_id, kind, n in (
                    MentionMatch.objects.filter(
                        query_id__in=[
                            q for pk in rest for q in memory[("query_ids", pk, None, both)]
                        ],
                        created_at__gte=first,
                        created_at__lt=after,
                    )
                    .order_by()
                    .values_list("workspace_id", "query__kind")
                    .annotate(n=Count("id"))
                ):
                    by_kind[workspace_id][(kind,)] = int(n or 0)
            for pk in pks:
                memory[("listening_counts", pk, period, ALL, ("kind",), both)] = by_kind[pk]
            for pk in pks:
                if pk in rolled_up:
                    c = rolled_up[pk]
                    memory[("brand_mention_counts", pk, period, ALL)] = BrandMentions(
                        c.count, c.reach, c.positive, c.negative
                    )
                    continue
                row = found.get(pk, {})
                memory[("brand_mention_counts", pk, period, ALL)] = BrandMentions(
                    int(row.get("n") or 0),
                    int(row.get("reach") or 0),
                    int(row.get("positive") or 0),
                    int(row.get("negative") or 0),
                )
    if publishing:
        for period, pks in grouped.items():
            first, after = period.bounds()
            published = dict(
                Variant.objects.filter(
                    workspace_id__in=pks,
                    status=PostStatus.PUBLISHED,
                    published_at__gte=first,
                    published_at__lt=after,
                )
                .order_by()
                .values_list("workspace_id")
                .annotate(n=Count("post_id", distinct=True))
            )
            for pk in pks:
                memory[("posts_published", pk, period, ALL)] = published.get(pk, 0)
    if inbox:
        from ambassade.analytics.localtime import Micros

        for period, pks in grouped.items():
            first, after = period.bounds()
            micros: dict[int, list[int]] = {pk: [] for pk in pks}
            for workspace_id, value in Conversation.objects.filter(
                workspace_id__in=pks,
                first_inbound_at__gte=first,
                first_inbound_at__lt=after,
                first_response_at__isnull=False,
            ).values_list("workspace_id", Micros("first_response_at", "first_inbound_at")):
                micros[workspace_id].append(value)
            for pk in pks:
                memory[("first_response_micros", pk, period, ALL)] = micros[pk]
    if audience_figures:
        accounts = audience.own_accounts(by_pk)
        for period, pks in grouped.items():
            growths = audience.growths_of({pk: accounts[pk] for pk in pks}, period)
            rates = audience.engagement_rates(pks, period)
            for pk in pks:
                memory[("follower_growth", pk, period)] = growths[pk]
                memory[("engagement_rates", pk, period)] = rates[pk]


def follower_growth(workspace: Any, period: Period) -> float | None:
    """``audience.follower_growth``, read once per page (:func:`reading`, :func:`read_ahead`)."""
    growth: float | None = _remembered(
        ("follower_growth", workspace.pk, period),
        lambda: audience.follower_growth(workspace, period),
    )
    return growth


def _rates(workspace: Any, period: Period) -> audience.Rates:
    rates: audience.Rates = _remembered(
        ("engagement_rates", workspace.pk, period),
        lambda: audience.engagement_rates([workspace.pk], period)[workspace.pk],
    )
    return rates


def engagement_rate(workspace: Any, period: Period) -> float | None:
    """``audience.engagement_rate`` (Buffer's definition), read with the rate per follower."""
    return _rates(workspace, period).rate


def engagement_rate_per_follower(workspace: Any, period: Period) -> float | None:
    return _rates(workspace, period).per_follower


def referral_signups(workspace: Any, period: Period, scope: Scope = ALL) -> float | None:
    """Referrals signed up in the period (one row per referred person and code: the site's
    duplicates are not rows), those rejected at review left out. A sign-up has no network: the
    scope's network filter does not apply."""
    first, after = period.bounds()
    return float(
        Referral.objects.filter(
            workspace=workspace, signed_up_at__gte=first, signed_up_at__lt=after
        )
        .exclude(review=Referral.Review.REJECTED)
        .count()
    )


READERS: dict[str, Callable[[Any, Period], float | None]] = {
    "mention_volume": mention_volume,
    "potential_reach": potential_reach,
    "share_of_voice": share_of_voice,
    "net_sentiment": net_sentiment,
    "response_rate": response_rate,
    "first_response_time": first_response_time,
    "csat": csat,
    "link_clicks": link_clicks,
    "posts_published": posts_published,
    "active_members": active_members,
    "referral_signups": referral_signups,
    "retention": loyalty.retention,
    "ambassadors": loyalty.ambassadors,
    "event_attendance": loyalty.event_attendance,
    "follower_growth": follower_growth,
    "engagement_rate": engagement_rate,
    "engagement_rate_per_follower": engagement_rate_per_follower,
    "site_visits_from_social": traffic.site_visits_from_social,
}


@dataclass(frozen=True)
class Measured:
    """A KPI as shown: its catalogue entry, value, progress towards the target (percent, capped
    at 100) and the share of its period gone by (percent), to tell "on track" from "behind"."""

    kpi: Any
    metric: Metric
    value: float | None
    progress: float | None
    elapsed: float

    @property
    def on_track(self) -> bool | None:
        """A count accumulates: on track while its progress keeps pace with the period. A rate,
        a score or a time is on track only once it meets its target."""
        if self.progress is None:
            return None
        if self.progress >= 100.0:
            return True
        return self.metric.unit == COUNT and self.progress + 0.001 >= self.elapsed

    @property
    def ended(self) -> bool:
        """Whether the period is over: its KPI then reached its target or missed it, neither "on
        track" nor "behind"."""
        return self.elapsed >= 100.0

    @property
    def progress_int(self) -> int:
        return round(self.progress or 0.0)


def measure(kpi: Any, now: datetime | None = None) -> Measured:
    metric = CATALOGUE[kpi.metric]
    period = period_of(kpi.workspace, kpi.period_start, kpi.period_end)
    value = READERS[kpi.metric](kpi.workspace, period)
    return Measured(
        kpi=kpi,
        metric=metric,
        value=value,
        progress=measures.progress(value, kpi.target, metric.direction),
        elapsed=100.0 * period.elapsed(now or timezone.now()),
    )
