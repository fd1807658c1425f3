"""The chart specifications (engine.charts): counts on whole-number axes, a share of voice stacked
to 100 %, a whole split into parts, hours before and during an event."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from ambassade.engine import charts

SERIES = [
    charts.SeriesStyle("brand", "Brand", "#b4541a"),
    charts.SeriesStyle("rival", "Rival", "#3a6ea5"),
]


def _daily(rows: list[tuple[date, str, int]] | None = None, **options: Any) -> dict[str, Any]:
    if rows is None:
        rows = [
            (date(2026, 11, 1) + timedelta(days=d), key, d + 1)
            for d in range(3)
            for key in ("brand", "rival")
        ]
    return charts.stacked_daily(
        rows,
        SERIES,
        description="d",
        y_title="Mentions",
        day_title="Day",
        series_title="Brand",
        day_format="%-d %b",
        **options,
    )


def test_every_count_axis_has_whole_ticks() -> None:
    assert _daily()["encoding"]["y"]["axis"] == charts.COUNT_AXIS
    lines = charts.daily_lines(
        [(date(2026, 11, 1), "a", 10.0)],
        description="d",
        y_title="Followers",
        day_title="Day",
        series_title="Account",
        day_format="%-d %b",
    )
    assert lines["encoding"]["y"]["axis"]["tickMinStep"] == 1
    bars = charts.bars([("a", 3.0)], description="d", x_title="Followers", name_title="Account")
    assert bars["encoding"]["x"]["axis"]["tickMinStep"] == 1
    hours = charts.hourly_pairs(
        [("1 Dec 10:00", "before", 1, 0), ("1 Dec 11:00", "during", 3, 1)],
        description="d",
        volume_title="Mentions",
        negative_title="Negative",
        hour_title="Hour",
        phase_title="Phase",
        after_phase="during",
    )
    assert hours["layer"][0]["encoding"]["y"]["axis"]["tickMinStep"] == 1


def test_a_share_of_voice_is_stacked_to_a_hundred_percent() -> None:
    spec = _daily(normalize=True, share_title="Share", legend=False)
    y = spec["encoding"]["y"]
    assert y["stack"] == "normalize" and y["axis"] == {"format": ".0%"}
    assert spec["encoding"]["color"]["legend"] is None
    assert [t["title"] for t in spec["encoding"]["tooltip"]][-1] == "Share"
    assert "joinaggregate" in spec["transform"][0]
    assert _daily()["encoding"]["y"]["stack"] == "zero" and "transform" not in _daily()


def test_a_whole_in_parts_keeps_the_series_order_and_shares() -> None:
    spec = charts.share_bar(
        [("rival", 1), ("brand", 3), ("unknown", 9)],
        SERIES,
        description="3 brand, 1 rival",
        count_title="Mentions",
        share_title="Share",
        series_title="Brand",
    )
    values = {v["series"]: (v["order"], v["count"], v["share"]) for v in spec["data"]["values"]}
    assert values == {"Brand": (0, 3, 0.75), "Rival": (1, 1, 0.25)}
    assert spec["encoding"]["x"]["stack"] == "normalize"
    assert spec["encoding"]["color"]["scale"]["range"] == ["#b4541a", "#3a6ea5"]


def test_hours_before_an_event_are_faded_and_its_start_is_marked() -> None:
    spec = charts.hourly_pairs(
        [("10:00", "before", 2, 1), ("11:00", "during", 5, 4), ("12:00", "during", 1, 0)],
        description="d",
        volume_title="Mentions",
        negative_title="Negative",
        hour_title="Hour",
        phase_title="Phase",
        after_phase="during",
    )
    values = spec["data"]["values"]
    assert [(v["hour"], v["series"], v["count"], v["after"]) for v in values[:4]] == [
        ("10:00", "Mentions", 2, False),
        ("10:00", "Negative", 1, False),
        ("11:00", "Mentions", 5, True),
        ("11:00", "Negative", 4, True),
    ]
    bars, rule = spec["layer"]
    assert bars["encoding"]["x"]["scale"]["domain"] == ["10:00", "11:00", "12:00"]
    assert bars["encoding"]["opacity"]["condition"] == {"test": "datum.after", "value": 1}
    assert rule["data"]["values"] == [{"hour": "11:00"}]
    # no rule when the event starts with the first hour shown
    only_during = charts.hourly_pairs(
        [("11:00", "during", 5, 4)],
        description="d",
        volume_title="Mentions",
        negative_title="Negative",
        hour_title="Hour",
        phase_title="Phase",
        after_phase="during",
    )
    assert len(only_during["layer"]) == 1


def _tick_labels(spec: dict[str, Any], axis_title: str) -> list[str]:
    """The labels of the axis titled ``axis_title``, as vl-convert draws them (the Vega the
    browser draws with: tests/analytics/test_charts.py pins both)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    for match in re.finditer(r'role-axis" [^>]*aria-label="[XY]-axis titled \'([^\']*)\'', svg):
        if match.group(1) == axis_title:
            rest = svg[match.end() :]
            labels = rest[rest.index("role-axis-label") :]
            labels = labels[: labels.index("</g>")]
            return re.findall(r"<text[^>]*>([^<]*)</text>", labels)
    raise AssertionError(f"no axis titled {axis_title!r}")


def test_small_counts_are_drawn_on_whole_ticks_each_written_once() -> None:
    """Vega's tickMinStep alone drew 0, 0.5, 1, 1.5, 2 written "0, 1, 1, 2, 2" (seen on the
    publishing area: two posts a day at most)."""
    for top in (1, 2, 3, 7):
        rows = [(date(2026, 11, 1) + timedelta(days=d), "brand", top if d else 0) for d in range(5)]
        spec = _daily(rows, width=400)
        assert _tick_labels(spec, "Mentions") == [str(n) for n in range(top + 1)]
        bars = charts.bars(
            [("a", float(top)), ("b", 0.0)], description="d", x_title="Posts", name_title="Account"
        )
        bars["width"] = 400
        assert _tick_labels(bars, "Posts") == [str(n) for n in range(top + 1)]
    big = [(date(2026, 11, 1) + timedelta(days=d), "brand", 1234 * d) for d in range(3)]
    spec = charts.stacked_daily(
        big,
        SERIES,
        description="d",
        y_title="Mentions",
        day_title="Day",
        series_title="Brand",
        day_format="%-d %b",
        width=400,
    )
    labels = _tick_labels(spec, "Mentions")
    assert len(labels) == len(set(labels)) >= 3
