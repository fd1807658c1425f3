"""Every app's charts in the reader's language (docs/architecture.md, "Charts"): the d3 number and
date formats of the active language for the browser (``locale_json``, given to
``includes/chart.html``), and the server's rendering of a Vega-Lite spec (``engine.charts``) to SVG
with vl-convert, the same Vega as the browser's, for documents and PDFs (``render_svg``,
``svg_data_uri``).

vl-convert runs Vega in an embedded JavaScript engine: loaded on the first rendering (about four
seconds), then some hundreds of milliseconds per chart. Pages therefore ship the spec and let the
browser draw it; the server renders for downloads and documents (reports, PDFs)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from django.utils.translation import get_language

from ambassade.engine.charts import LOCALES, ChartLocale

__all__ = ["chart_locale", "locale_json", "render_svg", "svg_data_uri"]


def chart_locale(language: str | None = None) -> tuple[str, ChartLocale]:
    code = (language or get_language() or "en").lower()
    if code in LOCALES:
        return code, LOCALES[code]
    base = code.split("-")[0]
    return (base, LOCALES[base]) if base in LOCALES else ("en", LOCALES["en"])


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


def svg_data_uri(spec: dict[str, Any], language: str | None = None) -> str:
    """The chart rendered by the server as a ``data:`` URI, for a standalone document's ``<img>``."""
    svg = render_svg(spec, language)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def locale_json(language: str | None = None) -> str:
    """The d3 number and time formats of the reader's language, for the browser (charts.js)."""
    _code, locale = chart_locale(language)
    return json.dumps({"number": dict(locale.number), "time": dict(locale.time)})
