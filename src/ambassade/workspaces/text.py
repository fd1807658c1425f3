"""Text as people read it in lists and logs."""

from __future__ import annotations

__all__ = ["shorten"]

_TRAILING = " ,;:.-–—/«(\"'"


def shorten(text: str, width: int) -> str:
    """``text`` on one line and at most ``width`` characters: cut after the last whole word that fits,
    with an ellipsis (a title is never cut mid-word without saying so). A single word longer than
    ``width`` is cut, with the ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " ":
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    return cut.rstrip(_TRAILING) + "…"
