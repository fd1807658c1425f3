"""Reddit posts have a title: Ambassade takes it from the first line of the text."""

from __future__ import annotations

__all__ = ["split_title"]


def split_title(text: str) -> tuple[str, str]:
    """The title (the first non-blank line, stripped) and the body (the rest, blank lines around it
    removed) of a Reddit post written as one text. Validation and the Reddit publisher both use it,
    so what is checked is what is sent."""
    lines = text.strip("\r\n").splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return "", ""
    return lines[0].strip(), "\n".join(lines[1:]).strip("\r\n").strip()
