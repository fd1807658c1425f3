"""Middleware of the whole product (mounted in settings.MIDDLEWARE)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ambassade.config.proxies import client_address, forwarded_scheme

__all__ = ["ProxyMiddleware", "RefuseNulMiddleware"]


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
