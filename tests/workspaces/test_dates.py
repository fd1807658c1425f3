"""Dates in forms are ISO, dates shown follow the reader's locale (issue 10, item 13).

A French page wrote ``11/12/2026`` into an ``<input type="date">``, which takes ISO only, so
editing a scheduled post lost its date. Every date, time and date-time field of every form of the
product must render and read ISO 8601 in every language; English dates read day before month
unless the browser asks for American English."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.apps import apps
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

import ambassade
from ambassade.workspaces.locale import LocaleMiddleware, prefers_american_english
from tests.conftest import PASSWORD

LANGUAGES = ["fr", "en", "en-us"]
WHEN = datetime(2026, 12, 11, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
ISO = {
    "date": (date(2026, 12, 11), "2026-12-11"),
    "time": (time(9, 30), "09:30"),
    "datetime-local": (WHEN, "2026-12-11T09:30"),
}
SKIPPED = ("migrations", "management", "wsgi", "asgi", "serving")


def product_forms() -> list[type[forms.BaseForm]]:
    """Every form class the product defines, its apps' modules all imported first."""
    for config in apps.get_app_configs():
        if not config.name.startswith("ambassade."):
            continue
        for info in pkgutil.walk_packages(config.module.__path__, config.name + "."):  # type: ignore[union-attr]
            if not any(part in SKIPPED for part in info.name.split(".")):
                importlib.import_module(info.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[Any]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("ambassade."):
            found.append(cls)
    return found


def temporal_fields() -> list[tuple[str, str, forms.Field]]:
    fields = []
    for form in product_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField):
                fields.append((f"{form.__module__}.{form.__qualname__}", name, field))
            assert not isinstance(field, forms.SplitDateTimeField), (form, name)
    return fields


def rendered_value(field: forms.Field, value: Any) -> str:
    html = field.widget.render("x", value)
    found = re.search(r'value="([^"]*)"', html)
    assert found, html
    return found.group(1)


def test_it_finds_the_date_fields_of_the_product() -> None:
    names = {f"{form}.{name}" for form, name, _field in temporal_fields()}
    assert "ambassade.publishing.forms.ScheduleMixin.date" in names
    assert len(names) >= 8, names


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_input_of_every_form_renders_and_reads_iso(language: str) -> None:
    with translation.override(language), timezone.override("Europe/Paris"):
        for form, name, field in temporal_fields():
            kind = field.widget.input_type
            assert kind in ISO, f"{form}.{name} is an <input type={kind}>, not a browser picker"
            value, iso = ISO[kind]
            assert rendered_value(field, value) == iso, f"{form}.{name} in {language}"
            cleaned = field.clean(iso)
            assert cleaned == (value if kind != "datetime-local" else WHEN), f"{form}.{name}"


def test_no_template_writes_a_localised_date_into_a_date_input() -> None:
    root = Path(ambassade.__file__).parent
    inputs = re.compile(r"<input\b[^>]*\btype=\"(date|time|datetime-local)\"[^>]*>")
    for path in root.rglob("templates/**/*.html"):
        for match in inputs.finditer(path.read_text(encoding="utf-8")):
            value = re.search(r'\bvalue="([^"]*)"', match.group(0))
            if value is None:
                continue
            wanted = {"date": "Y-m-d", "time": "H:i", "datetime-local": "Y-m-d\\TH:i"}
            assert f'|date:"{wanted[match.group(1)]}"' in value.group(1).replace("'", '"'), (
                f"{path.name}: {match.group(0)} must write ISO"
            )


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("fr", "11/12/2026 09:30", "11 décembre 2026"),
        ("en", "11/12/2026 09:30", "11 December 2026"),
        ("en-us", "12/11/2026 9:30 a.m.", "Dec. 11, 2026"),
    ],
)
def test_dates_shown_follow_the_locale(language: str, short: str, long: str) -> None:
    template = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }}|{{ when|date:"DATE_FORMAT" }}')
    with translation.override(language), timezone.override("Europe/Paris"):
        assert template.render(Context({"when": WHEN})) == f"{short}|{long}"


@pytest.mark.parametrize(
    ("header", "american"),
    [
        ("en-US,en;q=0.9", True),
        ("en-us", True),
        ("fr-FR,fr;q=0.9,en-US;q=0.8", True),
        ("en-GB,en;q=0.9,en-US;q=0.8", False),
        ("en-AU", False),
        ("en", False),
        ("fr-FR", False),
        ("", False),
    ],
)
def test_american_dates_only_for_browsers_asking_for_american_english(
    header: str, american: bool
) -> None:
    assert prefers_american_english(header) is american


@pytest.mark.parametrize(
    ("header", "cookie", "language"),
    [
        ("en-GB,en;q=0.9", None, "en"),
        ("en-US,en;q=0.9", None, "en-us"),
        ("fr-FR,fr;q=0.9", None, "fr"),
        ("en-US,en;q=0.9", "fr", "fr"),
        ("fr-FR,en-US;q=0.5", "en", "en-us"),
        ("fr-FR", "en", "en"),
    ],
)
def test_the_middleware_picks_the_date_formats(
    header: str, cookie: str | None, language: str
) -> None:
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
    if cookie:
        request.COOKIES["django_language"] = cookie
    middleware = LocaleMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    try:
        middleware.process_request(request)
        assert translation.get_language() == language
        assert language == request.LANGUAGE_CODE  # type: ignore[attr-defined]
    finally:
        translation.deactivate()


@pytest.mark.django_db
def test_it_remembers_the_language_a_person_logs_in_with_and_switches_to(
    personas: Any, client: Any
) -> None:
    from ambassade.workspaces.locale import by_language, language_of
    from ambassade.workspaces.models import Preferences

    page = client.post(
        "/login/",
        {"email": "bob@example.com", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    assert page.status_code == 302
    assert Preferences.objects.get(user=personas.bob).language == "en-us"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert Preferences.objects.get(user=personas.bob).language == "fr"
    assert language_of("BOB@example.com", "en") == "fr"
    assert language_of("nobody@example.com", "en") == "en"  # not a user: the workspace's
    assert by_language(["bob@example.com", "x@example.com"], "en") == {
        "fr": ["bob@example.com"],
        "en": ["x@example.com"],
    }
