"""Template helpers of the listening pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ambassade.connectors._text import sanitize_html

register = template.Library()


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """``<option>`` elements, escaped, rendered in one pass: a workspace may have a thousand
    queries, and a widget template per option would dominate the page's time."""
    chosen = "" if selected in (None, "") else str(selected)
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<option value="{}"{}>{}</option>',
                    value,
                    " selected" if str(value) == chosen else "",
                    label,
                ),
            )
            for value, label in choices
        ),
    )


@register.filter
def kind_description(kind: str) -> str:
    """What a kind of source listens to (shown where a new source's kind is chosen)."""
    from ambassade.listening.source_settings import DESCRIPTIONS

    return str(DESCRIPTIONS.get(kind, ""))


@register.filter
def mention_html(value: str) -> SafeString:
    """A mention's stored HTML, sanitised again under today's policy (images dropped: a mention
    stored before that rule still carries its tracking pixels)."""
    return SafeString(sanitize_html(value or ""))
