"""Middleware of the whole product (mounted in settings.MIDDLEWARE)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ambassade.config.proxies import client_address, forwarded_scheme
from ambassade.workspaces.documents import DOCUMENT_POLICY  # the apps' documents' own policy

__all__ = [
    "DOCUMENT_POLICY",
    "POLICY",
    "ContentSecurityPolicyMiddleware",
    "ProxyMiddleware",
    "RefuseNulMiddleware",
]

#: The Content-Security-Policy of every page: scripts, styles, images, fonts and requests from this
#: server only, so that nothing an attacker slips into a page can run or call home, and no remote
#: image (a tracking pixel in a mention's HTML) loads. Inline ``<script>`` and ``<style>`` elements
#: need the request's nonce (``{{ csp_nonce }}``); there are none today, htmx's own injected style is
#: turned off in base.html. No ``style`` attribute applies either: charts draw their bars with SVG
#: geometry (``height``, ``fill``), and tests/test_csp.py refuses a template that writes one.
POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'nonce-{nonce}'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "media-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Give each request a nonce (``request.csp_nonce``, ``{{ csp_nonce }}`` in templates) and each
    response :data:`POLICY`, unless the view set a policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY.format(nonce=nonce)
        return response


class ProxyMiddleware:
    """Behind trusted reverse proxies (``AMBASSADE_TRUSTED_PROXIES``), the visitor's own address in
    ``REMOTE_ADDR`` and scheme in ``wsgi.url_scheme``, read from the proxies' headers
    (:mod:`ambassade.config.proxies`). First in the chain, so every later step sees them. Without
    trusted proxies the headers are ignored: anybody can send them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = list(getattr(settings, "TRUSTED_PROXIES", []))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            meta = request.META
            remote = str(meta.get("REMOTE_ADDR", ""))
            scheme = forwarded_scheme(remote, meta.get("HTTP_X_FORWARDED_PROTO", ""), self.trusted)
            forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
            meta["REMOTE_ADDR"] = client_address(remote, forwarded, self.trusted)
            if scheme:
                meta["wsgi.url_scheme"] = scheme
        return self.get_response(request)


class RefuseNulMiddleware:
    """Answer 400, naming the field, to a query string or form that holds a NUL character.

    No page of ours sends one, PostgreSQL cannot store one in a text column (the query fails with a
    server error), and SQLite would store it silently. Django's form fields refuse it already; this
    covers the parameters views read themselves (``request.GET.get(…)``), everywhere at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for params in (request.GET, request.POST):
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return render(
                        request, "400.html", {"field": key.replace("\x00", "")}, status=400
                    )
        return self.get_response(request)
