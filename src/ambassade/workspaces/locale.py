"""The reader's language and the way their dates read.

The interface speaks French or English (``LANGUAGES``). English dates read day before month
(``ambassade/formats/en``), as everywhere English is written outside the United States; a reader
whose browser asks for American English (``Accept-Language: en-US`` first among its English tags)
gets month before day and the 12-hour clock (the ``en-us`` formats). Forms read and write ISO in
every case.

What is e-mailed to a person (an alert, a crisis notice, an invitation) is written in the language
chose or logged in with (:class:`~ambassade.workspaces.models.Preferences`), else in the
workspace's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header

__all__ = [
    "LocaleMiddleware",
    "by_language",
    "language_of",
    "prefers_american_english",
    "remember_language",
]


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

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        # The language switch (Django's set_language) sets the cookie: remember the choice.
        cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie is not None and cookie.value in dict(settings.LANGUAGES):
            language = cookie.value
            if language == "en" and prefers_american_english(
                request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            ):
                language = "en-us"
            remember_language(getattr(request, "user", None), language)
        return response


def remember_language(user: Any, language: str) -> None:
    """Record the language a person reads the product in (at log-in, and when they switch), for
    what is e-mailed to them. Never on other requests: a page costs no query for it."""
    if not language or user is None or not getattr(user, "is_authenticated", False):
        return
    from ambassade.workspaces.models import Preferences

    Preferences.objects.update_or_create(
        user=user, defaults={"language": language, "updated_at": timezone.now()}
    )


def remember_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the language the log-in page was read in."""
    remember_language(user, translation.get_language() or "")


def language_of(email: str, default: str) -> str:
    """The language to write to ``email`` in: that of the person with this address, as they last
    read the product, else ``default`` (the workspace's, for people who are not users)."""
    from ambassade.workspaces.models import Preferences

    found = (
        Preferences.objects.filter(user__email__iexact=email.strip(), user__is_active=True)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    return found or default


def by_language(emails: Iterable[str], default: str) -> dict[str, list[str]]:
    """``emails`` grouped by the language to write to them in (:func:`language_of`)."""
    groups: dict[str, list[str]] = {}
    for email in emails:
        groups.setdefault(language_of(email, default), []).append(email)
    return groups
