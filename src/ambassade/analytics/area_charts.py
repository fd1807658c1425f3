"""The area pages' charts: the engine's Vega-Lite specs (``engine.charts``) worded in the reader's
language. Each returns the spec as JSON text, ready for ``includes/chart.html``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from ambassade.analytics import charts
from ambassade.engine import charts as specs
from ambassade.engine.charts import SeriesStyle

__all__ = ["bars", "lines", "sentiment", "stacked"]

#: Colours of series without their own (networks, kinds), in order; readable on white and in print.
PALETTE = (
    "#8a5a2b",
    "#2f6f8f",
    "#7a4f9a",
    "#3d7a3d",
    "#b36b00",
    "#9a3a4f",
    "#4f5f7a",
    "#6b6b2f",
)


def sentiment(rows: Sequence[tuple[date, str, int]], description: str) -> str:
    spec = charts.sentiment_trend(list(rows))
    spec["description"] = description
    return json.dumps(spec)


def stacked(
    rows: Sequence[tuple[date, str, int]],
    series: Sequence[tuple[str, str]],
    *,
    description: str,
    y_title: str,
    series_title: str,
) -> str:
    """Counts per day stacked by series; ``series`` are (key, label) pairs, in order."""
    _code, locale = charts.chart_locale()
    styles = [
        SeriesStyle(key, label, PALETTE[n % len(PALETTE)]) for n, (key, label) in enumerate(series)
    ]
    return json.dumps(
        specs.stacked_daily(
            rows,
            styles,
            description=description,
            y_title=y_title,
            day_title=str(_day()),
            series_title=series_title,
            day_format=locale.day_format,
        )
    )


def lines(
    rows: Sequence[tuple[date, str, float]],
    *,
    description: str,
    y_title: str,
    series_title: str,
) -> str:
    _code, locale = charts.chart_locale()
    return json.dumps(
        specs.daily_lines(
            rows,
            description=description,
            y_title=y_title,
            day_title=str(_day()),
            series_title=series_title,
            day_format=locale.day_format,
        )
    )


def bars(
    rows: Sequence[tuple[str, float]], *, description: str, x_title: str, name_title: str
) -> str:
    return json.dumps(
        specs.bars(list(rows), description=description, x_title=x_title, name_title=name_title)
    )


def _day() -> str:
    from django.utils.translation import gettext as _

    return _("Day")
