"""Shared parsing helpers: untrusted HTML made safe (nh3) or flattened to text, and dates."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import nh3

__all__ = ["as_int", "html_to_text", "parse_datetime", "sanitize_html"]

# Paragraph and line boundaries (HN separates paragraphs with a bare opening <p>).
_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/?p|/div|/li|/h[1-6]|/blockquote|/tr|/pre)(\s[^>]*)?>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r"\n(\s*\n)+")


#: nh3's safe subset without what the browser would fetch by itself: an ``<img>`` in a mention is a
#: request to its author's server each time someone opens the mention (a tracking pixel), so images
#: are dropped (the mention's link leads to the original).
_TAGS = frozenset(nh3.ALLOWED_TAGS - {"img", "map", "area"})
_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items() if tag in _TAGS}


def sanitize_html(value: str) -> str:
    """Untrusted HTML reduced to a safe subset: no script, style, event handler, js: link, nor
    anything that loads by itself (images). The product runs stored HTML through it again when it
    shows it, so HTML stored under an older policy is shown under this one."""
    return nh3.clean(
        value, tags=set(_TAGS), attributes=_ATTRIBUTES, link_rel="noopener noreferrer nofollow"
    )


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment: block ends become line breaks, tags go, entities decode."""
    if "<" not in value and "&" not in value:
        return value.strip()
    marked = _BLOCK_END.sub("\n", value)
    stripped = nh3.clean(marked, tags=set(), attributes={}, strip_comments=True)
    text = html.unescape(stripped)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _NEWLINES.sub("\n", "\n".join(lines)).strip()


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (``Z`` accepted) or epoch seconds; None if unusable.
    A naive value is taken as UTC."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        try:
            return int(value)
        except ValueError:
            return None
    return None
