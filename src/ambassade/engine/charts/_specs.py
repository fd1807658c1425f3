from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier: never fetched


def count_axis(channel: str = "y") -> dict[str, Any]:
    """The axis of a count on ``channel`` (``x`` or ``y``): whole numbers only, grouped as the
    locale does. Vega's ``tickMinStep`` alone leaves ticks at 0.5 (written 0, 1, 1, 2, 2 by the
    ``,d`` format) when the counts are small, so the number of ticks asked for is also capped
    at the span of the domain: d3 then steps by whole units. Above that span the default
    (one tick per 40 pixels) applies."""
    size = "height" if channel == "y" else "width"
    return {
        "tickMinStep": 1,
        "tickCount": {"expr": f"max(1, min(ceil({size} / 40), span(domain('{channel}'))))"},
        "format": ",d",
    }


#: The axis of a count on y (see :func:`count_axis`).
COUNT_AXIS: dict[str, Any] = count_axis("y")
#: The axis of a share of a whole (a normalised stack): 0 % to 100 %.
SHARE_AXIS: dict[str, Any] = {"format": ".0%"}


@dataclass(frozen=True)
class ChartLocale:
    """Number and date formats of one language, as d3 (and so Vega) reads them; ``day_format`` is
    how an axis writes a day (day before month except in American English)."""

    number: Mapping[str, Any]
    time: Mapping[str, Any]
    day_format: str


_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_EN_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_EN_TIME = {
    "periods": ["AM", "PM"],
    "days": _EN_DAYS,
    "shortDays": [day[:3] for day in _EN_DAYS],
    "months": _EN_MONTHS,
    "shortMonths": [month[:3] for month in _EN_MONTHS],
}

#: d3's own locale definitions (d3-format, d3-time-format) for the product's languages.
LOCALES: dict[str, ChartLocale] = {
    "fr": ChartLocale(
        number={
            "decimal": ",",
            "thousands": "\u00a0",
            "grouping": [3],
            "currency": ["", "\u00a0€"],
            "percent": "\u202f%",
        },
        time={
            "dateTime": "%A %e %B %Y à %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
            "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
            "months": [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
            "shortMonths": [
                "janv.",
                "févr.",
                "mars",
                "avr.",
                "mai",
                "juin",
                "juil.",
                "août",
                "sept.",
                "oct.",
                "nov.",
                "déc.",
            ],
        },
        day_format="%-d %b",
    ),
    "en": ChartLocale(
        number={"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
        time={"dateTime": "%a %e %b %X %Y", "date": "%d/%m/%Y", "time": "%H:%M:%S", **_EN_TIME},
        day_format="%-d %b",
    ),
    "en-us": ChartLocale(
        number={"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
        time={"dateTime": "%x, %X", "date": "%-m/%-d/%Y", "time": "%-I:%M:%S %p", **_EN_TIME},
        day_format="%b %-d",
    ),
}


@dataclass(frozen=True)
class SeriesStyle:
    """One series of a chart: the key its rows carry, its label in the reader's language, its
    colour."""

    key: str
    label: str
    colour: str


def stacked_daily(
    rows: Sequence[tuple[date, str, int]],
    series: Sequence[SeriesStyle],
    *,
    description: str,
    y_title: str,
    day_title: str,
    series_title: str,
    day_format: str,
    width: int | None = None,
    height: int = 220,
    normalize: bool = False,
    share_title: str = "",
    legend: bool = True,
) -> dict[str, Any]:
    """Counts per day stacked by series (bars), e.g. mentions per day by sentiment.

    ``rows`` are ``(day, series key, count)``; series absent from ``series`` are dropped, and the
    stacking and the legend follow the order of ``series``. ``width`` None fills the container (in
    the browser); the server needs a number. ``description`` becomes the chart's accessible name.
    ``normalize`` stacks each day to 100 % (each series' share of the day, ``share_title`` in the
    tooltip), e.g. share of voice. ``legend`` False leaves the legend to the page (which says
    more: each series' share of the period)."""
    order = {style.key: position for position, style in enumerate(series)}
    labels = {style.key: style.label for style in series}
    values = [
        {
            "day": day.isoformat(),
            "series": labels[key],
            "order": order[key],
            "count": count,
        }
        for day, key, count in rows
        if key in order
    ]
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container" if width is None else width,
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": None,
        "config": {
            "font": "system-ui, sans-serif",
            "view": {"stroke": None},
            "axis": {"labelColor": "#555", "titleColor": "#555", "gridColor": "#e6e2dc"},
            "legend": {"labelColor": "#333", "orient": "bottom", "title": None},
        },
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "day",
                "type": "ordinal",
                "timeUnit": "yearmonthdate",
                "title": None,
                "axis": {
                    "format": day_format,
                    "labelOverlap": True,
                    "labelAngle": 0,
                    "grid": False,
                },
            },
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": y_title,
                "stack": "normalize" if normalize else "zero",
                "axis": dict(SHARE_AXIS if normalize else COUNT_AXIS),
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {
                    "domain": [style.label for style in series],
                    "range": [style.colour for style in series],
                },
                "sort": [style.label for style in series],
                **({} if legend else {"legend": None}),
            },
            "order": {"field": "order", "type": "ordinal"},
            "tooltip": [
                {
                    "field": "day",
                    "type": "temporal",
                    "timeUnit": "yearmonthdate",
                    "format": day_format,
                    "title": day_title,
                },
                {"field": "series", "type": "nominal", "title": series_title},
                {"field": "count", "type": "quantitative", "title": y_title, "format": ",d"},
                *(
                    [
                        {
                            "field": "share",
                            "type": "quantitative",
                            "title": share_title,
                            "format": ".0%",
                        }
                    ]
                    if normalize
                    else []
                ),
            ],
        },
        **(
            {
                "transform": [
                    {
                        "joinaggregate": [{"op": "sum", "field": "count", "as": "day_total"}],
                        "groupby": ["day"],
                    },
                    {
                        "calculate": "datum.day_total ? datum.count / datum.day_total : 0",
                        "as": "share",
                    },
                ]
            }
            if normalize
            else {}
        ),
    }
