"""The agency's logo on a report: an uploaded PNG, JPEG or WebP, checked and re-encoded by the app.

The upload is read in memory (at most ``MAX_BYTES``), its dimensions checked from its header before
any pixel is decoded (no decompression bomb), then decoded and written again as a PNG of at most
``BOX`` pixels: whatever the file carried besides its pixels (metadata, a script in a polyglot
file) is gone. The PNG is stored in the database with the report, never as a file at a path."""

from __future__ import annotations

import io
from dataclasses import dataclass

__all__ = ["BOX", "MAX_BYTES", "LogoError", "normalise"]

#: The largest upload accepted.
MAX_BYTES = 1024 * 1024
#: The largest image decoded, in pixels (width × height).
MAX_PIXELS = 25_000_000
#: The logo is kept within this box (width, height), its proportions kept.
BOX = (600, 200)
FORMATS = {"PNG", "JPEG", "WEBP"}


@dataclass(frozen=True)
class Logo:
    png: bytes
    width: int
    height: int


class LogoError(ValueError):
    """Why an upload is not a logo: ``code`` and ``params`` for the reader's language."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def normalise(data: bytes) -> Logo:
    if not data:
        raise LogoError("empty")
    if len(data) > MAX_BYTES:
        raise LogoError("too_large", size=len(data), limit=MAX_BYTES)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise LogoError("format", format=image.format or "?")
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise LogoError("dimensions", width=width, height=height)
            image.load()
            converted = image.convert("RGBA")
    except LogoError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise LogoError("unreadable") from None
    converted.thumbnail(BOX)
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return Logo(out.getvalue(), converted.width, converted.height)
