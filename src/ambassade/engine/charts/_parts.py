"""Specifications of a whole split into parts (a product's sentiment, one thin bar) and of counts per
hour before and during an event (the crisis page and its post-mortem)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ambassade.engine.charts._specs import COUNT_AXIS, SCHEMA, SeriesStyle

__all__ = ["hourly_pairs", "share_bar"]


def _config(font: str) -> dict[str, Any]:
    return {
        "font": font,
        "view": {"stroke": None},
        "axis": {"labelColor": "#555", "titleColor": "#555", "gridColor": "#e6e2dc"},
        "legend": {"labelColor": "#333", "orient": "bottom", "title": None},
    }


def share_bar(
    parts: Sequence[tuple[str, int]],
    series: Sequence[SeriesStyle],
    *,
    description: str,
    count_title: str,
    share_title: str,
    series_title: str,
    width: int = 100,
    height: int = 10,
) -> dict[str, Any]:
    """One thin horizontal bar split into its parts (``(series key, count)``), each part's width its
    share of the whole, in the order and colours of ``series``; no axis, a tooltip per part."""
    order = {style.key: position for position, style in enumerate(series)}
    labels = {style.key: style.label for style in series}
    total = sum(count for key, count in parts if key in order)
    values = [
        {
            "series": labels[key],
            "order": order[key],
            "count": count,
            "share": count / total if total else 0.0,
        }
        for key, count in parts
        if key in order
    ]
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": width,
        "height": height,
        "padding": 0,
        "autosize": {"type": "none"},
        "background": None,
        "config": _config("system-ui, sans-serif"),
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "height": height},
        "encoding": {
            "x": {
                "field": "count",
                "type": "quantitative",
                "stack": "normalize",
                "axis": None,
                "scale": {"domain": [0, 1]},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {
                    "domain": [style.label for style in series],
                    "range": [style.colour for style in series],
                },
                "legend": None,
            },
            "order": {"field": "order", "type": "ordinal"},
            "tooltip": [
                {"field": "series", "type": "nominal", "title": series_title},
                {"field": "count", "type": "quantitative", "title": count_title, "format": ",d"},
                {"field": "share", "type": "quantitative", "title": share_title, "format": ".0%"},
            ],
        },
    }


def hourly_pairs(
    hours: Sequence[tuple[str, str, int, int]],
    *,
    description: str,
    volume_title: str,
    negative_title: str,
    hour_title: str,
    phase_title: str,
    after_phase: str,
    width: int | None = None,
    height: int = 200,
    font: str = "system-ui, sans-serif",
) -> dict[str, Any]:
    """Two bars an hour side by side, all mentions and negative ones (``(hour label, phase label,
    volume, negative)`` in time order; each hour's label unique, written in the reader's language and
    time zone by the caller); the hours of a phase other than ``after_phase`` faded (the day
    before a crisis), and a rule where ``after_phase`` begins."""
    volume, negative = volume_title, negative_title
    values = []
    for position, (label, phase, total, bad) in enumerate(hours):
        for name, count in ((volume, total), (negative, bad)):
            values.append(
                {
                    "hour": label,
                    "position": position,
                    "phase": phase,
                    "after": phase == after_phase,
                    "series": name,
                    "count": count,
                }
            )
    first_after = next((label for label, phase, _v, _n in hours if phase == after_phase), None)
    labels = [label for label, _phase, _v, _n in hours]
    x = {
        "field": "hour",
        "type": "ordinal",
        "title": None,
        "sort": labels,
        "scale": {"domain": labels, "paddingInner": 0.15},
        "axis": {"labelAngle": 0, "labelOverlap": "parity", "labelSeparation": 8, "grid": False},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": x,
                "xOffset": {"field": "series", "type": "nominal", "sort": [volume, negative]},
                "y": {
                    "field": "count",
                    "type": "quantitative",
                    "title": volume,
                    "axis": dict(COUNT_AXIS),
                },
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": [volume, negative], "range": ["#98a2b3", "#d92d20"]},
                    "sort": [volume, negative],
                },
                "opacity": {"condition": {"test": "datum.after", "value": 1}, "value": 0.45},
                "tooltip": [
                    {"field": "hour", "type": "ordinal", "title": hour_title},
                    {"field": "phase", "type": "nominal", "title": phase_title},
                    {"field": "series", "type": "nominal", "title": None},
                    {"field": "count", "type": "quantitative", "title": volume, "format": ",d"},
                ],
            },
        }
    ]
    if first_after is not None and first_after != labels[0]:
        layers.append(
            {
                "data": {"values": [{"hour": first_after}]},
                "mark": {"type": "rule", "color": "#1d2939", "strokeDash": [4, 3], "xOffset": -2},
                "encoding": {"x": {**x, "bandPosition": 0}},
            }
        )
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container" if width is None else width,
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": None,
        "config": _config(font),
        "data": {"values": values},
        "layer": layers,
    }
