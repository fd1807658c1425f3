"""The product pages' charts as Vega-Lite specs (``engine.charts``) in the reader's language: a
product's mentions per day by sentiment, and its sentiment as one thin bar of three parts."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from ambassade.engine import charts as specs
from ambassade.products.stats import Chart, Figures
from ambassade.workspaces.charts import chart_locale

__all__ = ["SENTIMENT_COLOURS", "daily_spec", "sentiment_bar_spec"]

SENTIMENT_COLOURS = {"positive": "#2f9e5b", "neutral": "#c9c4ba", "negative": "#d0463b"}


def _styles() -> list[specs.SeriesStyle]:
    return [
        specs.SeriesStyle("positive", _("Positive"), SENTIMENT_COLOURS["positive"]),
        specs.SeriesStyle("neutral", _("Neutral"), SENTIMENT_COLOURS["neutral"]),
        specs.SeriesStyle("negative", _("Negative"), SENTIMENT_COLOURS["negative"]),
    ]


def daily_spec(chart: Chart) -> str:
    """The product's mentions per day, stacked by sentiment (JSON text for ``data-chart``)."""
    _code, locale = chart_locale()
    spec: dict[str, Any] = specs.stacked_daily(
        chart.rows(),
        _styles(),
        description=_("Mentions of the product per day, by sentiment"),
        y_title=_("Mentions"),
        day_title=_("Day"),
        series_title=_("Sentiment"),
        day_format=locale.day_format,
        height=160,
    )
    return json.dumps(spec)


def sentiment_bar_spec(figures: Figures) -> str:
    """The product's sentiment as one bar: positive, neutral, negative (JSON text)."""
    spec = specs.share_bar(
        [
            ("positive", figures.positive),
            ("neutral", figures.neutral),
            ("negative", figures.negative),
        ],
        _styles(),
        description=_("%(positive)s positive, %(neutral)s neutral, %(negative)s negative")
        % {
            "positive": figures.positive,
            "neutral": figures.neutral,
            "negative": figures.negative,
        },
        count_title=_("Mentions"),
        share_title=_("Share"),
        series_title=_("Sentiment"),
    )
    return json.dumps(spec)
