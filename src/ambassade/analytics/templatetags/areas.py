"""Filters of the area pages: a table's cell written by the kind of its column, and a change in
percent with its sign."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ambassade.analytics.areas import DAY, DECIMAL, TEXT, URL
from ambassade.analytics.templatetags.analytics import kpi_value

register = template.Library()


@register.filter
def area_cell(value: Any, kind: str) -> str | SafeString:
    """A cell as shown: a number in its unit and the reader's locale, a local date, a link (only
    http and https addresses are links), or text (escaped by the template)."""
    if kind == TEXT:
        return "" if value is None else str(value)
    if kind == DAY:
        return str(date_filter(value, "SHORT_DATE_FORMAT")) if isinstance(value, date) else ""
    if kind == URL:
        text = str(value or "")
        if text.startswith(("https://", "http://")):
            return format_html(
                '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
                text,
                pgettext("link", "Open"),
            )
        return ""
    if kind == DECIMAL:
        return "—" if value is None else str(floatformat(value, "1g"))
    return kpi_value(value, kind)


@register.filter
def area_delta(value: float | None, unit: str) -> str:
    """A change with its sign in its unit: ``+12``, ``−0,4 pt``, ``+1 h 05``, ``+3 min``."""
    from ambassade.analytics.catalogue import MINUTES
    from ambassade.analytics.templatetags.audience import kpi_delta

    if value is not None and unit == MINUTES:
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return f"{sign}{kpi_value(abs(value), unit)}"
    return kpi_delta(value, unit)


@register.filter
def percent_change(value: float | None) -> str:
    """``+8,5 %``, ``−3 %``; empty when there is no percent to give (nothing before)."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return _("%(value)s %%") % {"value": f"{sign}{floatformat(abs(value), '1g')}"}


@register.inclusion_tag("analytics/includes/area_nav.html", takes_context=True)
def analytics_tabs(context: Any, current: str, query: str = "") -> dict[str, Any]:
    """The analytics pages as tabs: the areas the reader's role may open, then the others."""
    from ambassade.analytics.areas_views import AREAS

    actions = context.get("workspace_actions") or set()
    return {
        "areas": [kind for kind in AREAS.values() if kind.permission in actions],
        "current": current,
        "query": query,
        "current_workspace": context.get("current_workspace"),
    }
