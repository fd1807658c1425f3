"""Filters of the audience pages: a change written with its sign, and what a network hides."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

from ambassade.analytics.catalogue import PERCENT

register = template.Library()


@register.filter
def kpi_delta(value: float | None, unit: str) -> str:
    """``+12``, ``−3``, ``+0,4 pt`` for a rate, or a dash."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if unit == PERCENT:
        return f"{sign}{floatformat(abs(value), '1g')}\u00a0pt"
    return f"{sign}{floatformat(abs(value), '0g')}"


@register.filter
def hidden_names(names: list[str]) -> str:
    from ambassade.analytics.audience_views import hidden_words

    return hidden_words(list(names or []))
