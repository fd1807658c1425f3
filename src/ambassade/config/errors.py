"""The server's error pages: a database too busy to write answers 503, not 500.

On SQLite one writer at a time holds the database's write lock; a request that waits for it longer
than the connection's ``timeout`` (20 s) fails with ``database is locked``. That is no bug of the
request, and trying again in a moment succeeds: it is answered 503 with ``Retry-After``, a page
in the reader's language saying so. Every other error is the usual 500 page. Django calls
``handler500`` within the ``except`` of whatever layer raised (a view, the session's save), so
the exception is read from ``sys.exc_info()``.
"""

from __future__ import annotations

import logging
import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

__all__ = ["RETRY_AFTER", "database_busy", "server_error"]

log = logging.getLogger(__name__)

#: Seconds a client is told to wait before trying again.
RETRY_AFTER = 10


def database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) is SQLite's busy or locked database."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError) and "is locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if database_busy(sys.exc_info()[1]):
        log.warning("the database was busy for %s %s: answered 503", request.method, request.path)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
