"""Where a form sends the person back to: the one reader of a ``next`` parameter.

A form carries the page it was posted from (``<input type="hidden" name="next"
value="{{ request.get_full_path }}">``) so that the view can bring the person back there. That value
is untrusted: anyone can post ``next=https://evil.example/`` and make the product's own address send
people off site (an open redirect). :func:`safe_next` accepts only a path of this site: it starts with
one ``/`` (never ``//host`` nor ``/\\host``, which browsers read as another site), names this host if
it names any (Django's ``url_has_allowed_host_and_scheme``), holds no control character and is at most
:data:`MAX_NEXT` characters long; anything else gives the view's own fallback.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

__all__ = ["MAX_NEXT", "safe_next"]

#: Longer than any page of ours with its filters; a longer ``next`` is refused, not cut.
MAX_NEXT = 2000


def safe_next(request: HttpRequest, fallback: str, field: str = "next") -> str:
    """The ``field`` parameter of the request (POST, else GET) when it is a path of this site, else
    ``fallback`` (a URL the view built itself, e.g. with ``reverse``)."""
    value = request.POST.get(field) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(field, "")
    return value if is_safe_path(value, request.get_host()) else fallback


def is_safe_path(value: str, host: str) -> bool:
    """Whether ``value`` is a path of this site (see the module's docstring)."""
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return False
    if value[1:2] in ("/", "\\"):  # scheme-relative: //evil.example, /\evil.example
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return False  # browsers drop tabs and newlines: "/\t/evil.example" is "//evil.example"
    return url_has_allowed_host_and_scheme(value, allowed_hosts={host})
