"""Objects of workspace A for tests/test_access.py's URL walk: an event and an RSVP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class EventSamples:
    event: Any
    rsvp: Any
    rsvp_token: str
    withdraw_token: str


def samples(personas: Any) -> EventSamples:
    cached = getattr(personas, "_events", None)
    if cached is not None:
        return cached
    from ambassade.events import services, withdrawal

    starts = datetime(2031, 1, 10, 18, tzinfo=UTC)
    event = services.create_event(
        personas.workspace_a,
        personas.alice,
        title_en="A's meet-up",
        title_fr="Rencontre de A",
        organiser="A",
        format="physical",
        venue="A's shop",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=10,
    )
    rsvp = services.register(
        event,
        name="Ann",
        email="ann@example.com",
        lang="en",
        consent=False,
        now=starts - timedelta(days=3),
    ).rsvp
    result = EventSamples(event, rsvp, services.private_token(rsvp), withdrawal.token(rsvp))
    personas._events = result
    return result
