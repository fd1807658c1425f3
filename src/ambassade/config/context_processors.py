"""Template context of every page."""

from __future__ import annotations

from django.http import HttpRequest

__all__ = ["csp_nonce"]


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """``csp_nonce``: the nonce an inline ``<script>`` or ``<style>`` needs under the page's
    Content-Security-Policy (ambassade.config.middleware)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
