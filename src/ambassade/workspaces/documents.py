"""Standalone documents an app serves as a page of their own (the crisis report, the analytics
reports, a trend chart): their Content-Security-Policy. Every other page gets the product's
policy from ``config/middleware.py``, which leaves a response that set its own alone."""

from __future__ import annotations

__all__ = ["DOCUMENT_POLICY"]

#: For standalone documents with their own ``<style>`` (the crisis report, also downloaded and kept):
#: no script, nothing remote, styles inline only.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
