"""What the four area pages (listening, publishing, inbox, community) share: the filter form (a
period of local days, what it is compared with, and the area's own filters), the figures beside
their comparison (delta with its sign and in percent), and the tables behind the charts, each one
downloadable as CSV (docs/analytics.md, "Area pages").

An area module (``area_listening`` …) turns a workspace, a period, its comparison period and a
:class:`~ambassade.analytics.kpis.Scope` into an :class:`Area`: figures, then sections, each with
an optional chart and the table of its numbers. The indicators shared with the KPI catalogue are
read by the catalogue's own readers (``kpis.READERS`` and their scoped forms)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.engine.measures import MAX_DAYS, Period
from ambassade.workspaces.dates import DateField

__all__ = [
    "COMPARE_NONE",
    "COMPARE_PREVIOUS",
    "COMPARE_YEAR",
    "Area",
    "AreaForm",
    "Figure",
    "Section",
    "Table",
    "comparison_period",
    "relative_change",
    "rows_html",
]

DEFAULT_DAYS = 30
COMPARE_PREVIOUS = "previous"
COMPARE_YEAR = "year"
COMPARE_NONE = "none"

#: Column kinds of a table: how a cell is written on the page (the CSV has the raw value).
COUNT, PERCENT, SCORE, MINUTES, TEXT, DAY, URL, DECIMAL = (
    "count",
    "percent",
    "score",
    "minutes",
    "text",
    "day",
    "url",
    "decimal",
)


def comparison_period(period: Period, compare: str) -> Period | None:
    """The period a page compares with: the same number of days just before (the default), the
    same days a year earlier (29 February becomes the 28th), or none."""
    if compare == COMPARE_NONE:
        return None
    if compare == COMPARE_YEAR:

        def back(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)

        return Period(back(period.start), back(period.end), period.zone)
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end, period.zone)


def relative_change(now: float | None, before: float | None) -> float | None:
    """The change in percent of the value before; None when either is missing or before is 0."""
    if now is None or before is None or before == 0:
        return None
    return 100.0 * (now - before) / abs(before)


@dataclass
class Figure:
    """A number of the period beside the comparison period's. ``direction``: "higher" when more
    is better, "lower" when less is (a response time), "" when neither."""

    code: str
    label: str
    unit: str
    now: float | None
    before: float | None = None
    definition: str = ""
    direction: str = "higher"
    note: str = ""
    #: False for a count of today with no history (the community's classes): no comparison line.
    compared: bool = True

    @property
    def delta(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before

    @property
    def percent(self) -> float | None:
        return relative_change(self.now, self.before)

    @property
    def better(self) -> bool | None:
        delta = self.delta
        if not delta or not self.direction:
            return None
        return (delta > 0) == (self.direction == "higher")


@dataclass
class Table:
    """The numbers behind a chart or a list: ``columns`` are (title, kind) pairs."""

    columns: list[tuple[str, str]]
    rows: list[list[Any]] = field(default_factory=list)
    empty: str = ""

    @property
    def header(self) -> list[str]:
        return [str(title) for title, _kind in self.columns]

    @property
    def kinds(self) -> list[str]:
        return [kind for _title, kind in self.columns]

    def html(self) -> Any:
        """The body's rows, written here rather than by the template (a year is 365 rows): the
        first cell heads its row, each other cell carries its column's title for phone widths;
        every value escaped."""
        return rows_html(self.rows, self.columns)


def rows_html(rows: Any, columns: list[tuple[str, str]], *, labels: bool = True) -> Any:
    """Table rows as HTML: the first cell a row header, each cell written in its column's kind
    (``areas.area_cell``) and escaped; with ``labels``, each other cell carries its column's
    title for phone widths. A value is written once per page (a year of a table repeats its
    days and small counts thousands of times: the traffic page's 3,650 rows took 0.3 s through
    the template language)."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from ambassade.analytics.templatetags.areas import area_cell

    kinds = [kind for _title, kind in columns]
    opens = ['<th scope="row">']
    closes = ["</th>"]
    for title, kind in columns[1:]:
        numeric = ' class="num"' if kind not in (TEXT, DAY, URL) else ""
        label = (
            f'<span class="cell-label">{conditional_escape(str(title))}</span>' if labels else ""
        )
        opens.append(f"<td{numeric}>{label}")
        closes.append("</td>")
    written: dict[tuple[str, Any], str] = {}
    count = _count_writer()
    out: list[str] = []
    for row in rows:
        out.append("<tr>")
        for index, kind in enumerate(kinds):
            value = row[index]
            key = (kind, value)
            cell = written.get(key)
            if cell is None:
                if kind == COUNT and type(value) is int and count is not None:
                    cell = count(value)
                else:
                    cell = str(conditional_escape(area_cell(value, kind)))
                written[key] = cell
            out += (opens[index], cell, closes[index])
        out.append("</tr>")
    return mark_safe("".join(out))  # noqa: S308 (every cell escaped above)


def _count_writer() -> Callable[[int], str] | None:
    """A whole number as ``kpi_value(n, COUNT)`` writes it in the active language (grouped by
    thousands), without its per-call format lookups; None for a grouping other than by three."""
    from django.utils import formats

    if formats.get_format("NUMBER_GROUPING") != 3:
        return None
    separator = str(formats.get_format("THOUSAND_SEPARATOR"))

    def write(value: int) -> str:
        return f"{value:,}".replace(",", separator)

    return write


@dataclass
class Section:
    """A part of an area page: a title, a note, an optional chart (its Vega-Lite spec) and the
    table of its numbers, downloadable as ``<key>.csv``."""

    key: str
    title: str
    table: Table
    spec: str = ""
    chart_label: str = ""
    note: str = ""
    link: tuple[str, str] | None = None


@dataclass
class Area:
    figures: list[Figure]
    sections: list[Section]
    notes: list[str] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)


class AreaForm(forms.Form):
    """A period of local days (the last 30 by default), its comparison, and an area's filters
    (added by the area: ``extra`` maps a field name to a form field)."""

    start = DateField(label=_("From"), required=False)
    end = DateField(label=_("To"), required=False)
    compare = forms.ChoiceField(
        label=_("Compare with"),
        required=False,
        choices=[
            (COMPARE_PREVIOUS, _("the period before")),
            (COMPARE_YEAR, _("the same days a year before")),
            (COMPARE_NONE, _("nothing")),
        ],
    )

    def __init__(self, data: Any, *, today: date, extra: dict[str, forms.Field]) -> None:
        super().__init__(data)
        self.today = today
        for name, extra_field in extra.items():
            self.fields[name] = extra_field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            self.add_error("end", _("The period ends before it starts."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", _("A period covers at most %(days)s days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        data["compare"] = data.get("compare") or COMPARE_PREVIOUS
        return data

    def chosen(self) -> dict[str, Any]:
        """The valid choices; where a field is not valid, its default (the last 30 days when
        the period is wrong, no filter when a filter is): the page still shows, with the error."""
        if self.is_valid():
            return dict(self.cleaned_data)
        default: dict[str, Any] = {name: None for name in self.fields}
        default.update(
            start=self.today - timedelta(days=DEFAULT_DAYS - 1),
            end=self.today,
            compare=COMPARE_PREVIOUS,
        )
        cleaned = getattr(self, "cleaned_data", {})
        period_wrong = any(name in self.errors for name in ("start", "end"))
        for name in self.fields:
            if name in self.errors or name not in cleaned:
                continue
            if period_wrong and name in ("start", "end"):
                continue
            default[name] = cleaned[name]
        return default


#: An area: its key, title, permission, extra filter fields, and the builder of its figures.
@dataclass(frozen=True)
class AreaKind:
    key: str
    title: Any
    permission: str
    fields: Callable[[Any], dict[str, forms.Field]]
    scope: Callable[[dict[str, Any]], Any]
    build: Callable[[Any, Period, Period | None, Any], Area]
    intro: Any = ""
