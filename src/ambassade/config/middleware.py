"""Middleware of the whole product (mounted in settings.MIDDLEWARE)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

__all__ = ["RefuseNulMiddleware"]


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
