"""Matches of listening queries counted over local days: the trend, the networks and the share of
voice of the listening pages, the dashboard and the reports.

A match is a (mention, query) pair: a mention matched by two of the counted queries counts twice,
as the share of voice compares queries. Both ways of counting give the same numbers:

- from the rollup of distinct mentions (:class:`~ambassade.listening.models.MentionRollup`) when
  it is ready in the workspace's present time zone (:func:`ambassade.listening.rollup.usable`):
  each row carries the set of queries that match its mentions, so a row of ``n`` mentions is
  ``n`` matches of each counted query in its set;
- from the matches themselves otherwise (the zone changed and the rollup is being rebuilt, or it
  was never built), their local day computed in the workspace's present zone.

So the days always follow the workspace's time zone, and the network is the mention's own
(the item's network, not its source's kind: a source can carry several networks).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from ambassade.engine.measures import Period
from ambassade.listening import rollup
from ambassade.listening.models import Mention, MentionMatch, MentionRollup

__all__ = ["BY", "count", "count_of", "networks_and_languages"]

#: What matches can be counted by: the query's id, the local day, the mention's sentiment, its
#: network and its language.
BY = ("query", "day", "sentiment", "network", "lang")

_MATCH_FIELDS = {
    "query": "query_id",
    "day": "local_day",
    "sentiment": "mention__sentiment",
    "network": "mention__network",
    "lang": "mention__lang",
}


def count(
    workspace: Any,
    first_day: date,
    last_day: date,
    query_ids: Iterable[int],
    by: tuple[str, ...],
    *,
    network: str = "",
    language: str = "",
    rolled: bool | None = None,
) -> dict[tuple[Any, ...], int]:
    """The matches of ``query_ids`` on the local days ``first_day``–``last_day``, within the
    network and language when given, counted by ``by`` (any of :data:`BY`, in that key order).
    ``rolled`` says whether the rollup can be read (asked of the database when None)."""
    unknown = set(by) - set(BY)
    if unknown:
        raise ValueError(f"cannot count matches by {sorted(unknown)}")
    wanted = set(query_ids)
    if not wanted:
        return {}
    if rolled is None:
        rolled = rollup.usable(workspace)
    if rolled:
        rows = MentionRollup.objects.filter(
            workspace_id=workspace.pk, day__gte=first_day, day__lte=last_day
        )
        if network:
            rows = rows.filter(network=network)
        if language:
            rows = rows.filter(lang=language)
        return _expand(rows, wanted, by)
    first, after = Period(first_day, last_day, workspace.time_zone).bounds()
    matches = MentionMatch.objects.filter(
        query_id__in=sorted(wanted), created_at__gte=first, created_at__lt=after
    )
    if network:
        matches = matches.filter(mention__network=network)
    if language:
        matches = matches.filter(mention__lang=language)
    if not by:
        total = matches.count()
        return {(): total} if total else {}
    if "day" in by:
        matches = matches.annotate(
            local_day=TruncDate("created_at", tzinfo=ZoneInfo(workspace.time_zone))
        )
    found: dict[tuple[Any, ...], int] = {}
    for *key, n in (
        matches.order_by()
        .values_list(*[_MATCH_FIELDS[name] for name in by])
        .annotate(n=Count("id"))
    ):
        found[tuple(key)] = found.get(tuple(key), 0) + int(n)
    return found


def _expand(rows: Any, wanted: set[int], by: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
    """The matches of the rollup's ``rows`` whose query is in ``wanted``, counted by ``by``."""
    columns = [name for name in by if name != "query"]
    found: dict[tuple[Any, ...], int] = {}
    for queries, *values, n in (
        rows.order_by().values_list("queries", *columns).annotate(n=Sum("count"))
    ):
        met = wanted & rollup.query_ids_of(queries)
        if not met or not n:
            continue
        by_column = dict(zip(columns, values, strict=True))
        if "query" in by:
            for query_id in met:
                key = tuple(query_id if name == "query" else by_column[name] for name in by)
                found[key] = found.get(key, 0) + int(n)
        else:
            key = tuple(by_column[name] for name in by)
            found[key] = found.get(key, 0) + int(n) * len(met)
    return found


def count_of(
    query_ids: dict[int, Iterable[int]], first_day: date, last_day: date
) -> dict[int, dict[int, int]]:
    """The matches per query of many workspaces (their ids: the queries counted) over the same
    local days, from their rollups in one grouped read (the caller checks
    :func:`ambassade.listening.rollup.usable_of`)."""
    wanted = {pk: set(ids) for pk, ids in query_ids.items()}
    found: dict[int, dict[int, int]] = {pk: {} for pk in wanted}
    for workspace_id, queries, n in (
        MentionRollup.objects.filter(
            workspace_id__in=list(wanted), day__gte=first_day, day__lte=last_day
        )
        .order_by()
        .values_list("workspace_id", "queries")
        .annotate(n=Sum("count"))
    ):
        counted = found[workspace_id]
        for query_id in wanted[workspace_id] & rollup.query_ids_of(queries):
            counted[query_id] = counted.get(query_id, 0) + int(n or 0)
    return found


def networks_and_languages(workspace: Any) -> tuple[list[str], list[str]]:
    """The networks and languages of the workspace's counted mentions (the listening filters'
    choices), from its rollup; from the mentions themselves while the rollup is not ready (being
    built or rebuilt after a change of time zone), so that the filters never come up empty."""
    if rollup.usable(workspace):
        rows: Any = MentionRollup.objects.filter(workspace_id=workspace.pk).order_by()
    else:
        rows = Mention.objects.filter(workspace_id=workspace.pk).order_by()
    networks = sorted(set(rows.values_list("network", flat=True).distinct()) - {""})
    languages = sorted(set(rows.values_list("lang", flat=True).distinct()) - {""})
    return networks, languages
