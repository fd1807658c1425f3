"""Vega-Lite specifications of the product's charts (docs/architecture.md, "Charts"): plain JSON
that the browser draws with the vendored Vega (static/vendor/) and the server renders to SVG, PNG or
PDF with vl-convert, from the same dictionary. Language-neutral: every word and the number and date
formats (``LOCALES``) are given by the caller. Counts are plotted on whole-number axes
(``COUNT_AXIS``)."""

from ambassade.engine.charts._audience import bars, daily_lines, week_heatmap
from ambassade.engine.charts._parts import hourly_pairs, share_bar
from ambassade.engine.charts._specs import (
    COUNT_AXIS,
    LOCALES,
    SCHEMA,
    SHARE_AXIS,
    ChartLocale,
    SeriesStyle,
    stacked_daily,
)

__all__ = [
    "COUNT_AXIS",
    "LOCALES",
    "SCHEMA",
    "SHARE_AXIS",
    "ChartLocale",
    "SeriesStyle",
    "bars",
    "daily_lines",
    "hourly_pairs",
    "share_bar",
    "stacked_daily",
    "week_heatmap",
]
