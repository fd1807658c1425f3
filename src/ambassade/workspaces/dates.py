"""Date and time fields for every form of the product: their widgets are the browser's own
pickers (``<input type="date">``, ``"time"``, ``"datetime-local"``), which take and give ISO 8601
whatever the page's language, so they write and read ISO only. Use these instead of Django's
``DateField``/``TimeField``/``DateTimeField``; tests/workspaces/test_dates.py checks every form."""

from __future__ import annotations

from typing import Any

from django import forms

__all__ = [
    "DATETIME_INPUT",
    "DATE_INPUT",
    "TIME_INPUT",
    "DateField",
    "DateInput",
    "DateTimeField",
    "DateTimeInput",
    "TimeField",
    "TimeInput",
]

DATE_INPUT = "%Y-%m-%d"
TIME_INPUT = "%H:%M"
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_INPUT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=TIME_INPUT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_INPUT)


class DateField(forms.DateField):
    widget = DateInput
    input_formats = [DATE_INPUT]


class TimeField(forms.TimeField):
    widget = TimeInput
    input_formats = [TIME_INPUT, "%H:%M:%S"]


class DateTimeField(forms.DateTimeField):
    widget = DateTimeInput
    input_formats = [DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
