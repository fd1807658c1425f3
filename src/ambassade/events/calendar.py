"""An event as an iCalendar file (RFC 5545), written by the ``icalendar`` library: times in the
event's own time zone with its VTIMEZONE, so a calendar shows the event at the local hour wherever
the reader is. The file holds what the public page shows (the online link only in a confirmed
attendee's copy)."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ambassade.events.models import Event

__all__ = ["ics"]


def _location(event: Event, with_link: bool) -> str:
    if event.online:
        return event.online_url if with_link else ""
    return ", ".join(part for part in (event.venue, event.address) if part.strip())


def ics(
    event: Event, lang: str, *, url: str, with_link: bool = False, now: dt.datetime | None = None
) -> bytes:
    zone = ZoneInfo(event.time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Ambassade//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    item = CalendarEvent()
    # Stable across downloads and languages, so a calendar updates the event instead of adding it.
    digest = hashlib.sha256(event.token.encode()).hexdigest()[:32]
    host = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "ambassade"
    item.add("uid", f"event-{digest}@{host}")
    item.add("dtstamp", (now or event.updated_at).astimezone(dt.UTC))
    item.add("last-modified", event.updated_at.astimezone(dt.UTC))
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", event.title_in(lang))
    description = event.description_in(lang)
    if with_link and event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    if description:
        item.add("description", description)
    location = _location(event, with_link)
    if location:
        item.add("location", location)
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if address:
        item.add("organizer", f"mailto:{address}", parameters={"CN": event.organiser})
    item.add("url", url)
    item.add("status", "CONFIRMED")
    calendar.add_component(item)
    # The zone's rules around the event only (a few lines), not fifty years of them.
    calendar.add_missing_timezones(
        first_date=event.starts_at.date() - dt.timedelta(days=366),
        last_date=event.ends_at.date() + dt.timedelta(days=366),
    )
    return bytes(calendar.to_ical())
