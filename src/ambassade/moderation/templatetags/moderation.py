"""Template helpers of the moderation pages: a message's text with the watched words found marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def highlighted(text: str, spans: Any) -> SafeString:
    """``text`` escaped, with each ``[start, end]`` span in ``<mark>``; overlapping or malformed
    spans are skipped. Untrusted text never reaches the page unescaped."""
    text = str(text or "")
    parts: list[str] = []
    at = 0
    for span in spans or []:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if start < at or end <= start or end > len(text):
            continue
        parts.append(str(escape(text[at:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    parts.append(str(escape(text[at:])))
    return mark_safe("".join(parts))  # noqa: S308  (every piece escaped above)


@register.filter
def get_count(counts: Any, key: str) -> int:
    """``counts[key]``, 0 when absent."""
    try:
        return int(counts.get(key, 0))
    except (AttributeError, TypeError, ValueError):
        return 0
