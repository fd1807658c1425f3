"""The crisis's mentions per hour, the day before then during it, as a Vega-Lite chart
(``engine.charts.hourly_pairs``): the page ships the spec for the browser to draw, the post-mortem
(HTML and PDF) has it rendered by the server (vl-convert), each beside its table of hours."""

from __future__ import annotations

import json
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ambassade.engine import charts as specs
from ambassade.workspaces.charts import svg_data_uri

__all__ = ["REPORT_WIDTH", "hourly_spec", "hourly_spec_json", "hourly_svg_uri"]

#: The report's chart width in pixels (its A4 column).
REPORT_WIDTH = 640


def _labels(hours: list[dict[str, Any]]) -> list[str]:
    """Each hour in the active language and time zone ("1 Dec 14:00"), made unique (the hour
    that repeats when clocks go back)."""
    labels: list[str] = []
    seen: set[str] = set()
    for row in hours:
        label = formats.date_format(timezone.localtime(row["at"]), "j M H:i")
        while label in seen:
            label += "\u2009"
        seen.add(label)
        labels.append(label)
    return labels


def hourly_spec(
    figures: dict[str, Any], *, width: int | None = None, font: str = "system-ui, sans-serif"
) -> dict[str, Any]:
    """``figures`` as ``report.crisis_figures`` counts them."""
    hours = figures["hours"]
    during, before = _("During the crisis"), _("The day before")
    return specs.hourly_pairs(
        [
            (label, during if row["during"] else before, row["volume"], row["negative"])
            for label, row in zip(_labels(hours), hours, strict=True)
        ],
        description=_(
            "Mentions per hour, the day before the crisis then during it: %(total)s mentions "
            "during the crisis, %(negative)s negative, at most %(peak)s in an hour."
        )
        % {
            "total": figures["total_volume"],
            "negative": figures["total_negative"],
            "peak": figures["peak"],
        },
        volume_title=_("Mentions"),
        negative_title=_("Negative"),
        hour_title=_("Hour"),
        phase_title=_("Phase"),
        after_phase=during,
        width=width,
        font=font,
    )


def hourly_spec_json(figures: dict[str, Any]) -> str:
    return json.dumps(hourly_spec(figures))


def hourly_svg_uri(figures: dict[str, Any]) -> str:
    """The chart rendered by the server in the active language, as a ``data:`` URI."""
    from django.utils.translation import get_language

    spec = hourly_spec(figures, width=REPORT_WIDTH, font="DejaVu Sans, sans-serif")
    return svg_data_uri(spec, get_language())
