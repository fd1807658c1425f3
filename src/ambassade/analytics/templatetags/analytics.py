"""Filters of the analytics templates: a KPI's value written in its unit and the reader's locale."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from ambassade.analytics.catalogue import COUNT, MINUTES, PERCENT, SCORE

register = template.Library()


@register.filter
def kpi_value(value: float | None, unit: str) -> str:
    """``1 234``, ``42,5 %``, ``+12``, ``1 h 05`` …, or a dash when the period has nothing to
    measure."""
    if value is None:
        return "—"
    if unit == COUNT:
        return str(floatformat(value, "0g"))
    if unit == PERCENT:
        return _("%(value)s %%") % {"value": floatformat(value, "1g")}
    if unit == SCORE:
        sign = "+" if value > 0 else ""
        return f"{sign}{floatformat(value, '0g')}"
    if unit == MINUTES:
        minutes = round(value)
        if minutes < 60:
            return _("%(minutes)s min") % {"minutes": minutes}
        return _("%(hours)s h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}
    return str(floatformat(value, "-1g"))


@register.filter
def table_number(value: object) -> object:
    """A number of a report's table as the reader writes it (``1 499``, ``52,7``); anything else
    (a name, a date, an empty cell) as it is. The CSV keeps the plain number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return str(floatformat(value, "-1g"))
