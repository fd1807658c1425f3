"""Vega-Lite specifications of the product's charts (docs/architecture.md, "Charts"): plain JSON
that the browser draws with the vendored Vega (static/vendor/) and the server renders to SVG, PNG or
PDF with vl-convert, from the same dictionary. Language-neutral: every word and the number and date
formats (``LOCALES``) are given by the caller."""

from ambassade.engine.charts._audience import bars, daily_lines, week_heatmap
from ambassade.engine.charts._specs import (
    LOCALES,
    SCHEMA,
    ChartLocale,
    SeriesStyle,
    stacked_daily,
)

__all__ = [
    "LOCALES",
    "SCHEMA",
    "ChartLocale",
    "SeriesStyle",
    "bars",
    "daily_lines",
    "stacked_daily",
    "week_heatmap",
]
