"""Specifications of the audience charts: a value per day and series (followers over time), a
week's heatmap (best time to post) and bars by name (competitors side by side)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ambassade.engine.charts._specs import COUNT_AXIS, SCHEMA, count_axis

__all__ = ["bars", "daily_lines", "week_heatmap"]


def _frame(description: str, width: int | None, height: int) -> dict[str, Any]:
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
    }


def daily_lines(
    rows: Sequence[tuple[date, str, float]],
    *,
    description: str,
    y_title: str,
    day_title: str,
    series_title: str,
    day_format: str,
    width: int | None = None,
    height: int = 220,
    counts: bool = True,
) -> dict[str, Any]:
    """A line per series through its value on each day (``(day, series label, value)``), e.g.
    each account's followers. The y axis does not start at zero: a growth of 1 % must show.
    ``counts``: the values are whole numbers (no fractional tick)."""
    values = [
        {"day": day.isoformat(), "series": label, "value": value} for day, label, value in rows
    ]
    return {
        **_frame(description, width, height),
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {
                "field": "day",
                "type": "temporal",
                "timeUnit": "yearmonthdate",
                "title": None,
                "axis": {"format": day_format, "labelOverlap": True, "grid": False},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": y_title,
                "scale": {"zero": False},
                "axis": dict(COUNT_AXIS) if counts else {},
            },
            "color": {"field": "series", "type": "nominal", "title": series_title},
            "tooltip": [
                {
                    "field": "day",
                    "type": "temporal",
                    "timeUnit": "yearmonthdate",
                    "format": day_format,
                    "title": day_title,
                },
                {"field": "series", "type": "nominal", "title": series_title},
                {"field": "value", "type": "quantitative", "title": y_title, "format": ","},
            ],
        },
    }


def week_heatmap(
    cells: Sequence[tuple[int, str, int, float, int]],
    *,
    day_labels: Sequence[str],
    description: str,
    value_title: str,
    day_title: str,
    hour_title: str,
    posts_title: str,
    width: int | None = None,
    height: int = 200,
) -> dict[str, Any]:
    """Hours of the week coloured by a value (``(weekday 0 = Monday, its label, hour, value,
    posts)``): the mean engagements of the posts published in that hour. Empty hours stay blank;
    ``day_labels`` gives the order of the rows (Monday first)."""
    values = [
        {"day": label, "order": weekday, "hour": hour, "value": value, "posts": posts}
        for weekday, label, hour, value, posts in cells
    ]
    return {
        **_frame(description, width, height),
        "data": {"values": values},
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {
                "field": "hour",
                "type": "ordinal",
                "title": hour_title,
                "scale": {"domain": list(range(24))},
                # On a phone the 24 hours' labels ran into each other ("10111213"): every other
                # one is left out when they would overlap.
                "axis": {"labelAngle": 0, "labelOverlap": "parity"},
            },
            "y": {
                "field": "day",
                "type": "ordinal",
                "title": None,
                "sort": list(day_labels),
                "scale": {"domain": list(day_labels)},
            },
            "color": {
                "field": "value",
                "type": "quantitative",
                "title": value_title,
                "scale": {"scheme": "oranges"},
            },
            "tooltip": [
                {"field": "day", "type": "nominal", "title": day_title},
                {"field": "hour", "type": "ordinal", "title": hour_title},
                {"field": "value", "type": "quantitative", "title": value_title, "format": ",.1f"},
                {"field": "posts", "type": "quantitative", "title": posts_title},
            ],
        },
    }


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    description: str,
    x_title: str,
    name_title: str,
    colour: str = "#8a5a2b",
    width: int | None = None,
    height: int | None = None,
    counts: bool = True,
) -> dict[str, Any]:
    """One horizontal bar a name, in the given order (``(name, value)``); ``counts``: whole
    numbers (no fractional tick)."""
    values = [
        {"name": name, "value": value, "order": index} for index, (name, value) in enumerate(rows)
    ]
    return {
        **_frame(description, width, height or max(60, 28 * len(rows))),
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "color": colour},
        "encoding": {
            "y": {
                "field": "name",
                "type": "nominal",
                "title": None,
                "sort": [name for name, _value in rows],
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": x_title,
                "axis": count_axis("x") if counts else {},
            },
            "tooltip": [
                {"field": "name", "type": "nominal", "title": name_title},
                {"field": "value", "type": "quantitative", "title": x_title, "format": ","},
            ],
        },
    }
