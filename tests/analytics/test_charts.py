"""The chart library: the browser's vendored Vega is the one the server renders with, and the
specs speak the reader's language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import vl_convert

import ambassade
from ambassade.engine.charts import LOCALES, SeriesStyle, stacked_daily

STATIC = Path(ambassade.__file__).parent / "static"


def _vendored(name: str) -> str:
    [path] = (STATIC / "vendor").glob(f"{name}-[0-9]*.js")
    match = re.match(rf"{name}-(\d+\.\d+\.\d+)", path.name)
    assert match, path
    assert (STATIC / "vendor" / f"{name}-{match.group(1)}.LICENSE").exists()
    return match.group(1)


def test_the_browser_gets_the_vega_the_server_renders_with() -> None:
    assert _vendored("vega") == vl_convert.get_vega_version()
    assert _vendored("vega-embed") == vl_convert.get_vega_embed_version()
    lite = _vendored("vega-lite")
    assert lite.rsplit(".", 1)[0] in vl_convert.get_vegalite_versions()
    _vendored("vega-interpreter")
    html = (Path(ambassade.__file__).parent / "templates/includes/chart_scripts.html").read_text()
    for name in ("vega", "vega-lite", "vega-embed", "vega-interpreter"):
        assert f"vendor/{name}-{_vendored(name)}." in html


def test_the_browser_draws_without_eval_or_injected_style() -> None:
    script = (STATIC / "ambassade/charts.js").read_text()
    assert "ast: true" in script and "expr: window.vegaExpressionInterpreter" in script
    assert "defaultStyle: false" in script and "disableDefaultStyle: true" in script
    wrapper = (
        STATIC / "vendor" / f"vega-interpreter-{_vendored('vega-interpreter')}.js"
    ).read_text()
    assert "window.vegaExpressionInterpreter = expression" in wrapper
    assert not re.search(r"^(import|export) ", wrapper, re.M)


def test_a_stacked_daily_spec_keeps_the_series_order_and_words() -> None:
    spec = stacked_daily(
        [(date(2026, 12, 1), "b", 2), (date(2026, 12, 1), "a", 1), (date(2026, 12, 2), "z", 9)],
        [SeriesStyle("a", "Alpha", "#000000"), SeriesStyle("b", "Bêta", "#ffffff")],
        description="Chart",
        y_title="Mentions",
        day_title="Jour",
        series_title="Série",
        day_format=LOCALES["fr"].day_format,
    )
    assert spec["data"]["values"] == [
        {"day": "2026-12-01", "series": "Bêta", "order": 1, "count": 2},
        {"day": "2026-12-01", "series": "Alpha", "order": 0, "count": 1},
    ]  # "z" is not a series of the chart
    assert spec["encoding"]["color"]["scale"] == {
        "domain": ["Alpha", "Bêta"],
        "range": ["#000000", "#ffffff"],
    }
    assert spec["width"] == "container" and spec["description"] == "Chart"
    assert LOCALES["en-us"].day_format == "%b %-d" and LOCALES["fr"].number["decimal"] == ","
