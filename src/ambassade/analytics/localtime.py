"""Local days, hours of the week and clock durations computed by the database, so that a page
reading a year of rows fetches small numbers and short texts instead of one datetime per row
(turning 20,000 stored datetimes back into Python objects took 0.35 s on SQLite:
docs/analytics.md, "Performance").

PostgreSQL converts with ``AT TIME ZONE``. SQLite has no time zones: Django's own conversion calls
a Python function for every row, so here the period is cut into the spans of one UTC offset
(:func:`offsets`, from the zone's rules) and SQLite's own ``date()`` and ``strftime()`` shift
each row by its span's offset. Both give the same local day as ``astimezone`` for any zone,
half-hour offsets and summer time included (tests/analytics/test_localtime.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import CharField, Expression, Func, IntegerField

__all__ = ["LocalDay", "LocalWeekHour", "Micros", "day_of", "minutes", "offsets"]


def _offset(moment: datetime, zone: ZoneInfo) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


@lru_cache(maxsize=256)
def offsets(zone_name: str, first: datetime, after: datetime) -> tuple[tuple[datetime, int], ...]:
    """The UTC offsets (seconds) of ``zone_name`` between ``first`` and ``after``: pairs
    ``(until, offset)``, the offset holding before ``until``; the last pair's ``until`` is
    ``after``. A change is looked for day by day, then found to the second."""
    zone = ZoneInfo(zone_name)
    spans: list[tuple[datetime, int]] = []
    current = _offset(first, zone)
    day = first
    while day < after:
        following = min(day + timedelta(days=1), after)
        then = _offset(following, zone)
        if then != current:
            low, high = day, following  # the offset changes in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(middle, zone) == current:
                    low = middle
                else:
                    high = middle
            change = high.replace(microsecond=0)
            if _offset(change, zone) == current:
                change += timedelta(seconds=1)
            spans.append((change, current))
            current = _offset(change, zone)
        day = following
    spans.append((after, current))
    return tuple(spans)


def _sqlite_modifier(
    sql: str, params: list[Any], connection: Any, zone: str, first: datetime, after: datetime
) -> tuple[str, list[Any]]:
    """A ``date()``/``strftime()`` modifier shifting ``sql`` by the offset of its span."""
    spans = offsets(zone, first, after)
    if len(spans) == 1:
        return "%s", [f"{spans[0][1]:+d} seconds"]
    whens, whens_params = [], []
    for until, offset in spans[:-1]:
        whens.append(f"WHEN {sql} < %s THEN %s")
        whens_params += [*params, connection.ops.adapt_datetimefield_value(until)]
        whens_params.append(f"{offset:+d} seconds")
    return (
        f"CASE {' '.join(whens)} ELSE %s END",
        [*whens_params, f"{spans[-1][1]:+d} seconds"],
    )


class _Local(Func):
    """A local reading of a UTC datetime column in ``zone``, for rows between ``first`` and
    ``after``: the set-up both databases share. A subclass writes the SQL of each from the
    column's SQL: :meth:`postgresql` given the zone's name as a parameter, :meth:`sqlite` given
    the ``date()``/``strftime()`` modifier of the row's span (:func:`_sqlite_modifier`)."""

    # Both drivers give the value as it is needed (psycopg a date or an int, SQLite a text or
    # an int): no converter per row.
    convert_value = staticmethod(Func._convert_value_noop)  # type: ignore[assignment]

    def __init__(self, expression: Any, zone: str, first: datetime, after: datetime) -> None:
        super().__init__(expression)
        self.zone, self.first, self.after = zone, first, after

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            local = f"(({sql}) AT TIME ZONE %s)"
            template, uses = self.postgresql(local)
            return template, [*params, self.zone] * uses
        modifier, modifier_params = _sqlite_modifier(
            sql, list(params), connection, self.zone, self.first, self.after
        )
        template, uses = self.sqlite(sql, modifier)
        return template, [*params, *modifier_params] * uses

    def postgresql(self, local: str) -> tuple[str, int]:
        """The SQL from ``local`` (the local timestamp; its parameters are the column's and the
        zone), and how many times it uses ``local``."""
        raise NotImplementedError

    def sqlite(self, sql: str, modifier: str) -> tuple[str, int]:
        """The SQL from the column's ``sql`` shifted by ``modifier`` (each use of the pair
        ``sql, modifier`` takes their parameters once more), and how many such uses."""
        raise NotImplementedError


class LocalDay(_Local):
    """The local day of a UTC datetime in ``zone``, for rows between ``first`` and ``after``:
    a date on PostgreSQL, ``YYYY-MM-DD`` text on SQLite (:func:`day_of` takes either)."""

    output_field = CharField()

    def postgresql(self, local: str) -> tuple[str, int]:
        # A date (psycopg makes it one quickly; to_char was 20 times slower).
        return f"CAST({local} AS date)", 1

    def sqlite(self, sql: str, modifier: str) -> tuple[str, int]:
        return f"date({sql}, {modifier})", 1


class LocalWeekHour(_Local):
    """The local hour of the week of a UTC datetime: ``(ISO weekday − 1) × 24 + hour``, 0 for
    Monday 00:00–01:00 to 167 for Sunday 23:00–24:00."""

    output_field = IntegerField()

    def postgresql(self, local: str) -> tuple[str, int]:
        return (
            f"CAST((EXTRACT(ISODOW FROM {local}) - 1) * 24 + EXTRACT(HOUR FROM {local}) "
            "AS integer)",
            2,
        )

    def sqlite(self, sql: str, modifier: str) -> tuple[str, int]:
        # %w: 0 for Sunday … 6 for Saturday; Monday first.
        return (
            f"((CAST(strftime('%%w', {sql}, {modifier}) AS INTEGER) + 6) %% 7) * 24 "
            f"+ CAST(strftime('%%H', {sql}, {modifier}) AS INTEGER)",
            2,
        )


class Micros(Func):
    """The microseconds from ``start`` to ``end`` (two datetime columns), exactly: the same
    number as Python's ``end - start``; None when either is."""

    output_field = IntegerField()
    # Both drivers give an int already: no converter per row.
    convert_value = staticmethod(Func._convert_value_noop)  # type: ignore[assignment]

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        end: Expression
        end, start = self.source_expressions  # type: ignore[assignment]
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        if connection.vendor == "postgresql":
            return (
                f"CAST(EXTRACT(EPOCH FROM ({end_sql}) - ({start_sql})) * 1000000 AS bigint)",
                [*end_params, *start_params],
            )
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC): the whole seconds of the first 19
        # characters (strftime would round the fraction to the millisecond first), then the six
        # digits of the fraction, when there are.
        return (
            f"((CAST(strftime('%%s', substr({end_sql}, 1, 19)) AS INTEGER) "
            f"- CAST(strftime('%%s', substr({start_sql}, 1, 19)) AS INTEGER)) * 1000000 "
            f"+ CAST(substr({end_sql}, 21, 6) AS INTEGER) "
            f"- CAST(substr({start_sql}, 21, 6) AS INTEGER))",
            [*end_params, *start_params, *end_params, *start_params],
        )


def minutes(micros: int) -> float:
    """Clock minutes of a response time in microseconds, as ``kpis.response_minutes`` counts
    them from the two datetimes (never below 0)."""
    return max(0.0, (micros / 1_000_000) / 60.0)


_DAYS: dict[str, date] = {}


def day_of(text: str | date) -> date:
    """The date of a :class:`LocalDay` value (kept: a year has 365 of them)."""
    if isinstance(text, date):
        return text
    found = _DAYS.get(text)
    if found is None:
        found = date.fromisoformat(text)
        if len(_DAYS) < 100_000:
            _DAYS[text] = found
    return found
