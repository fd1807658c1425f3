"""The app's charts: Vega-Lite specifications (``engine.charts``) in the reader's language; their
locale and server rendering (vl-convert) are every app's, in ``workspaces.charts``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ambassade.engine.charts import SeriesStyle, stacked_daily
from ambassade.workspaces.charts import chart_locale, locale_json, render_svg

__all__ = ["chart_locale", "locale_json", "render_svg", "sentiment_trend"]

SENTIMENT_COLOURS = {"positive": "#2e7d4f", "neutral": "#9aa0aa", "negative": "#b42318"}


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
