"""Small filters of the inbox pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ambassade.workspaces.networks import network_label

register = template.Library()


@register.filter
def network_name(network: str) -> str:
    return network_label(network) if network else ""


@register.filter
def person(user: Any) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.email


@register.filter
def initials(name: str) -> str:
    words = [w for w in str(name or "").replace("@", " ").replace(".", " ").split() if w]
    if not words:
        return "?"
    return "".join(w[0] for w in words[:2]).upper()


@register.filter
def short_when(value: datetime | None) -> str:
    """ "12 min", "3 h" today; the day and month this year; a short date before."""
    if value is None:
        return ""
    now = timezone.now()
    seconds = (now - value).total_seconds()
    if 0 <= seconds < 3600:
        return _("%(count)s min") % {"count": max(int(seconds // 60), 1)}
    if 0 <= seconds < 86400:
        return _("%(count)s h") % {"count": int(seconds // 3600)}
    local = timezone.localtime(value)
    if local.year == timezone.localtime(now).year:
        return formats.date_format(local, "MONTH_DAY_FORMAT")
    return formats.date_format(local, "SHORT_DATE_FORMAT")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
