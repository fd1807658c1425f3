"""The targets' settings page (hours, holidays, targets) and the timers on the conversation page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.inbox.targets import services
from ambassade.inbox.targets.models import BusinessHours, Holiday, Target
from ambassade.workspaces.models import AuditEntry
from tests.conftest import Personas
from tests.inbox.targets.conftest import conversation, inbound, reply, target
from tests.workspaces.html import parse

pytestmark = pytest.mark.django_db


def settings_url(personas: Personas) -> str:
    return reverse("inbox_targets:settings", args=[personas.workspace_a.slug])


def week(**days: tuple[str, str]) -> dict[str, str]:
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    data = {}
    for name, (start, end) in days.items():
        day = names.index(name.rstrip("2"))
        n = 1 if name.endswith("2") else 0
        data[f"day{day}_{n}_start"], data[f"day{day}_{n}_end"] = start, end
    return data


def test_it_saves_business_hours_with_a_night_shift(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    data = {
        "enabled": "on",
        "time_zone": "America/New_York",
        "due_soon_minutes": "45",
        **week(monday=("09:00", "12:30"), monday2=("13:30", "18:00"), friday=("22:00", "06:00")),
    }
    response = client.post(settings_url(personas), data)
    assert response.status_code == 302
    hours = BusinessHours.objects.get(workspace=personas.workspace_a)
    assert hours.enabled and hours.time_zone == "America/New_York"
    assert hours.due_soon_minutes == 45
    assert hours.week == [
        {"weekday": 0, "start": "09:00", "end": "12:30"},
        {"weekday": 0, "start": "13:30", "end": "18:00"},
        {"weekday": 4, "start": "22:00", "end": "06:00"},
    ]
    assert AuditEntry.objects.filter(action="inbox.business_hours.saved").exists()
    # The form shows them back (ISO times).
    page = parse(client.get(settings_url(personas)).content.decode())
    assert page.find("input", name="day4_0_start").attrs["value"] == "22:00"
    assert page.find("input", name="day4_0_end").attrs["value"] == "06:00"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"enabled": "on"}, "Give at least one opening"),
        ({"enabled": "on", **week(tuesday=("09:00", ""))}, "give both the opening and the closing"),
        ({"enabled": "on", **week(tuesday=("09:00", "09:00"))}, "closes when it opens"),
        ({"enabled": "on", **week(tuesday=("9h", "17h"))}, "Enter a valid time."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"due_soon_minutes": "0"}, "from 1 to 1440"),
    ],
)
def test_it_refuses_business_hours_that_cannot_be_counted(
    personas: Personas, client: Any, data: dict[str, str], error: str
) -> None:
    client.force_login(personas.alice)
    form = {"time_zone": "Europe/Paris", "due_soon_minutes": "30", **data}
    response = client.post(settings_url(personas), form)
    assert response.status_code == 400
    assert error in response.content.decode()
    hours = BusinessHours.objects.get(workspace=personas.workspace_a)
    assert not hours.enabled and hours.week == []  # nothing half-saved


def test_it_keeps_the_settings_to_managers(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)  # an editor
    assert client.get(settings_url(personas)).status_code == 403
    assert client.post(settings_url(personas), {"enabled": "on"}).status_code == 403
    assert not BusinessHours.objects.filter(workspace=personas.workspace_a, enabled=True).exists()


def test_it_adds_and_deletes_holidays(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = reverse("inbox_targets:holiday_create", args=[personas.workspace_a.slug])
    assert (
        client.post(url, {"day": "2026-12-25", "name": "Noël", "yearly": "on"}).status_code == 302
    )
    again = client.post(url, {"day": "2026-12-25", "yearly": "on"})
    assert again.status_code == 400
    assert "already there" in again.content.decode()
    assert client.post(url, {"day": "25/12/2026"}).status_code == 400
    holiday = Holiday.objects.get()
    assert (holiday.day.isoformat(), holiday.yearly, holiday.name) == ("2026-12-25", True, "Noël")
    page = client.get(settings_url(personas)).content.decode()
    assert "Noël" in page and "25 December" in page
    delete = reverse("inbox_targets:holiday_delete", args=[personas.workspace_a.slug, holiday.pk])
    assert client.post(delete).status_code == 302
    assert not Holiday.objects.exists()


def test_it_edits_a_target_in_hours_and_minutes(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = reverse("inbox_targets:target_create", args=[personas.workspace_a.slug])
    response = client.post(
        url,
        {
            "name": "Standard",
            "first_response_0": "2",
            "first_response_1": "hours",
            "next_response_0": "45",
            "next_response_1": "minutes",
            "resolution_0": "",
            "resolution_1": "hours",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    made = Target.objects.get()
    assert (made.first_response_minutes, made.next_response_minutes) == (120, 45)
    assert made.resolution_minutes is None
    page = parse(client.get(settings_url(personas)).content.decode()).text
    assert "2 h" in page and "45 min" in page
    edit = reverse("inbox_targets:target_edit", args=[personas.workspace_a.slug, made.pk])
    form = parse(client.get(edit).content.decode())
    assert form.find("input", name="first_response_0").attrs["value"] == "2"
    # Empty: refused, nothing saved.
    empty = client.post(edit, {"name": "Standard", "first_response_1": "hours"})
    assert empty.status_code == 400
    assert "at least one of the three targets" in empty.content.decode()
    assert Target.objects.get().first_response_minutes == 120
    too_long = client.post(
        edit, {"name": "x", "first_response_0": "9999", "first_response_1": "hours"}
    )
    assert too_long.status_code == 400


def test_it_shows_the_timer_on_the_conversation(personas: Personas, client: Any) -> None:
    target(personas.workspace_a, first_response_minutes=60, resolution_minutes=24 * 60)
    c = conversation(personas.workspace_a, contact_name="Jeanne")
    now = timezone.now()
    inbound(c, now - timedelta(minutes=20))
    client.force_login(personas.bob)
    url = reverse("inbox:conversation", args=[personas.workspace_a.slug, c.pk])
    page = parse(client.get(url).content.decode())
    timer = page.find("span", data_target_timer=True)
    assert timer is not None
    assert (
        "First response" in timer.text and "due in 39 min" in timer.text
    ) or "due in 40 min" in timer.text
    remaining = int(timer.attrs["data-remaining"])
    assert 39 * 60 <= remaining <= 40 * 60
    assert timer.attrs["data-spans"].startswith("0,")  # every hour counts: open now
    side = page.find("section", class_="side-card targets-card")
    assert side is not None and "Resolution" in side.text

    # Answered late: the side panel says it was missed, and the timer moves to the resolution.
    reply(c, now + timedelta(minutes=50), sender=personas.bob)
    c.refresh_from_db()
    services.refresh(c)
    page = parse(client.get(url).content.decode())
    side = page.find("section", class_="side-card targets-card")
    assert side is not None and "met, in 1 h 10 min" not in side.text
    assert "missed, took 1 h 10 min" in side.text
    timer = page.find("span", data_target_timer=True)
    assert timer is not None and "Resolution" in timer.text


def test_it_shows_no_timer_without_a_target(personas: Personas, client: Any) -> None:
    c = conversation(personas.workspace_a)
    inbound(c, timezone.now())
    client.force_login(personas.bob)
    url = reverse("inbox:conversation", args=[personas.workspace_a.slug, c.pk])
    page = parse(client.get(url).content.decode())
    assert page.find("span", data_target_timer=True) is None


def test_it_is_reached_from_the_inbox(personas: Personas, client: Any) -> None:
    slug = personas.workspace_a.slug
    client.force_login(personas.alice)
    settings = parse(client.get(reverse("inbox:settings", args=[slug])).content.decode())
    assert settings.find("a", href=settings_url(personas)) is not None
    listing = parse(client.get(reverse("inbox:list", args=[slug])).content.decode())
    report = reverse("inbox_targets:report", args=[slug])
    assert listing.find("a", href=report) is not None


def test_it_says_late_once_in_the_conversation_header(personas: Personas, client: Any) -> None:
    target(personas.workspace_a, first_response_minutes=30)
    c = conversation(personas.workspace_a, contact_name="Jeanne")
    inbound(c, timezone.now() - timedelta(hours=2))
    client.force_login(personas.bob)
    url = reverse("inbox:conversation", args=[personas.workspace_a.slug, c.pk])
    text = parse(client.get(url).content.decode()).text
    assert "late by 1 h 30 min" in text
    assert "Late on its target" not in text  # the core's badge gives way to the timer


def test_it_shows_each_rows_timer_in_the_list_in_a_fixed_number_of_queries(
    personas: Personas, client: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    target(personas.workspace_a, first_response_minutes=60)
    now = timezone.now()
    late = conversation(personas.workspace_a, key="late", contact_name="Late One")
    inbound(late, now - timedelta(hours=3))
    soon = conversation(personas.workspace_a, key="soon", contact_name="Soon One")
    inbound(soon, now - timedelta(minutes=45))
    client.force_login(personas.bob)
    url = reverse("inbox:list", args=[personas.workspace_a.slug])

    def rows() -> dict[str, str]:
        page = parse(client.get(url, {"view": "all"}).content.decode())
        return {
            row.find("span", class_="conv-name").text: row.find("span", class_="conv-meta").text
            for row in page.find_all("li", data_inbox_row=True)
        }

    found = rows()
    assert "late by 2 h" in found["Late One"]
    assert "due in 1" in found["Soon One"]  # 14 or 15 min left: due soon

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"view": "all"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        more = conversation(personas.workspace_a, key=f"more-{n}")
        inbound(more, now - timedelta(minutes=10 + n))
    assert count() == few
