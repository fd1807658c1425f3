"""The reader's language and the way their dates read.

The interface speaks French or English (``LANGUAGES``). English dates read day before month
(``ambassade/formats/en``), as everywhere English is written outside the United States; a reader
whose browser asks for American English (``Accept-Language: en-US`` first among its English tags)
gets month before day and the 12-hour clock (the ``en-us`` formats). Forms read and write ISO in
every case.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

__all__ = ["LocaleMiddleware", "prefers_american_english"]


def prefers_american_english(accept_language: str) -> bool:
    """Whether the first English tag of an ``Accept-Language`` header is American English."""
    for tag, _quality in parse_accept_lang_header(accept_language[:500]):
        if tag == "en" or tag.startswith("en-"):
            return tag == "en-us"
    return False


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's (cookie, then ``Accept-Language``, then ``LANGUAGE_CODE``), then American date
    formats for English readers whose browser asks for them."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if translation.get_language() == "en" and prefers_american_english(
            request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        ):
            translation.activate("en-us")
            request.LANGUAGE_CODE = "en-us"  # type: ignore[attr-defined]
