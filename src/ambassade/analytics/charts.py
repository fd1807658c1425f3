"""The app's charts: Vega-Lite specifications (``engine.charts``) in the reader's language, and
their server rendering to SVG with vl-convert, the same spec the browser draws.

vl-convert runs Vega in an embedded JavaScript engine: loaded on the first rendering (about four
seconds), then some hundreds of milliseconds per chart. Pages therefore ship the spec and let the
browser draw it; the server renders for downloads and documents (reports, PDFs)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ambassade.engine.charts import LOCALES, ChartLocale, SeriesStyle, stacked_daily

__all__ = ["chart_locale", "locale_json", "render_svg", "sentiment_trend"]

SENTIMENT_COLOURS = {"positive": "#2e7d4f", "neutral": "#9aa0aa", "negative": "#b42318"}


def chart_locale(language: str | None = None) -> tuple[str, ChartLocale]:
    code = (language or get_language() or "en").lower()
    if code in LOCALES:
        return code, LOCALES[code]
    base = code.split("-")[0]
    return (base, LOCALES[base]) if base in LOCALES else ("en", LOCALES["en"])


def sentiment_trend(
    rows: list[tuple[date, str, int]], *, width: int | None = None, language: str | None = None
) -> dict[str, Any]:
    """Mentions per day by sentiment, stacked, in the active (or given) language."""
    _code, locale = chart_locale(language)
    series = [
        SeriesStyle("positive", _("Positive"), SENTIMENT_COLOURS["positive"]),
        SeriesStyle("neutral", _("Neutral"), SENTIMENT_COLOURS["neutral"]),
        SeriesStyle("negative", _("Negative"), SENTIMENT_COLOURS["negative"]),
    ]
    return stacked_daily(
        rows,
        series,
        description=_("Mentions of the brand per day, by sentiment"),
        y_title=_("Mentions"),
        day_title=_("Day"),
        series_title=_("Sentiment"),
        day_format=locale.day_format,
        width=width,
    )


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="[^"]*"')


def render_svg(spec: dict[str, Any], language: str | None = None) -> str:
    """The chart as a standalone SVG document, drawn by the same Vega as the browser's."""
    import vl_convert

    _code, locale = chart_locale(language)
    svg: str = vl_convert.vegalite_to_svg(
        spec,
        vl_version="6.4",
        format_locale=dict(locale.number),
        time_format_locale=dict(locale.time),
    )
    # Vega writes presentation attributes; should a version write a style attribute, drop it so
    # that the document keeps the product's Content-Security-Policy.
    return _STYLE_ATTRIBUTE.sub("", svg)


def locale_json(language: str | None = None) -> str:
    """The d3 number and time formats of the reader's language, for the browser (charts.js)."""
    import json

    _code, locale = chart_locale(language)
    return json.dumps({"number": dict(locale.number), "time": dict(locale.time)})
