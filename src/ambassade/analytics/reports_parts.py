"""The parts of a report that know nothing of its blocks: its periods, its tables and sections,
and the way its figures are written (``reports`` builds the blocks from them)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from ambassade.analytics import charts
from ambassade.analytics.catalogue import MINUTES, PERCENT, SCORE, Metric
from ambassade.analytics.reports_models import Report, ReportTemplate
from ambassade.engine.measures import HIGHER

__all__ = [
    "Section",
    "Table",
    "change",
    "default_period",
    "format_value",
    "last_month",
    "last_week",
    "previous_period",
]


# --- periods ------------------------------------------------------------------------------------


def last_week(today: date) -> tuple[date, date]:
    """The last complete week, Monday to Sunday, before ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def last_month(today: date) -> tuple[date, date]:
    """The last complete calendar month before ``today``."""
    first = today.replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


def default_period(report: Report, today: date) -> tuple[date, date]:
    """A fixed period when the report has one, else the last complete week (weekly template) or
    month (the others)."""
    if report.period_start and report.period_end:
        return report.period_start, report.period_end
    if report.template == ReportTemplate.WEEKLY:
        return last_week(today)
    return last_month(today)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same kind just before: the month before a whole month, else as many days
    just before."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        return last_month(start)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


# --- tables and sections ------------------------------------------------------------------------


@dataclass
class Table:
    """A table as shown and as exported: a header and rows of plain values (text or numbers);
    ``numeric`` tells which columns align right."""

    header: list[str]
    rows: list[list[Any]]
    numeric: set[int] = field(default_factory=set)
    caption: str = ""

    @property
    def cells(self) -> list[list[tuple[Any, bool]]]:
        return [[(cell, i in self.numeric) for i, cell in enumerate(row)] for row in self.rows]

    @property
    def head(self) -> list[tuple[str, bool]]:
        return [(cell, i in self.numeric) for i, cell in enumerate(self.header)]


@dataclass
class Section:
    code: str
    title: str
    tiles: list[dict[str, Any]] = field(default_factory=list)
    chart: str = ""  # a data: URI of the SVG
    chart_alt: str = ""
    tables: list[Table] = field(default_factory=list)
    empty: str = ""


def _svg_uri(spec: dict[str, Any], language: str) -> str:
    svg = charts.render_svg(spec, language)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# --- formatting ---------------------------------------------------------------------------------


def _number(value: float, decimals: int = 0) -> str:
    return formats.number_format(
        round(value, decimals), decimals, use_l10n=True, force_grouping=True
    )


def format_value(value: float | None, unit: str) -> str:
    """A KPI's value in the reader's language: a dash when there is nothing to measure."""
    if value is None:
        return "—"
    if unit == PERCENT:
        return _("%(value)s %%") % {"value": _number(value, 1 if value % 1 else 0)}
    if unit == SCORE:
        return ("+" if value > 0 else "") + _number(value)
    if unit == MINUTES:
        # As the pages write it ("2 h 28"), not "2,5 h" in the report of the same figure.
        minutes = round(value)
        if minutes < 60:
            return _("%(minutes)s min") % {"minutes": _number(minutes)}
        return _("%(hours)s h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}
    return _number(value)


def change(value: float | None, before: float | None, metric: Metric) -> dict[str, Any] | None:
    """The change from the period before: in points for a rate or a score, in percent otherwise;
    ``good`` when it goes the way the metric wants. None when either side has nothing to measure
    or a count starts from 0 (no percentage of nothing)."""
    if value is None or before is None:
        return None
    if metric.unit in (PERCENT, SCORE):
        delta = value - before
        shown = _number(delta, 0 if round(delta, 1).is_integer() else 1)
        text = _("%(delta)s pts") % {"delta": ("+" if delta > 0 else "") + shown}
    else:
        if before == 0:
            return None
        delta = 100.0 * (value - before) / before
        text = ("+" if delta > 0 else "") + _("%(delta)s %%") % {"delta": _number(delta)}
    if abs(delta) < 0.05:
        return {"text": text, "good": None}
    better = delta > 0 if metric.direction == HIGHER else delta < 0
    return {"text": text, "good": better}
