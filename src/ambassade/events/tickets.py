"""A ticket's QR code: an SVG drawn by ``segno`` (pure Python) from the signed ticket token
(``services.ticket_token``), put inline in the ticket page."""

from __future__ import annotations

import segno

from ambassade.events.models import Rsvp
from ambassade.events.services import ticket_token

__all__ = ["qr_svg"]


def qr_svg(rsvp: Rsvp, title: str = "") -> str:
    code = segno.make(ticket_token(rsvp), error="m", micro=False)
    svg = code.svg_inline(scale=6, border=4, dark="#111", light="#fff", title=title or None)
    return str(svg)
