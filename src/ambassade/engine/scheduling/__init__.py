"""Business hours and the waiting time counted in them (response-time targets of the inbox):
see docs/inbox.md, "Response-time targets"."""

from ambassade.engine.scheduling._calendar import (
    MAX_CLOSED_DAYS,
    WEEKDAYS,
    BusinessCalendar,
    Holiday,
    NoBusinessHours,
    Opening,
    SchedulingError,
    add_business_time,
    business_time_between,
)

__all__ = [
    "MAX_CLOSED_DAYS",
    "WEEKDAYS",
    "BusinessCalendar",
    "Holiday",
    "NoBusinessHours",
    "Opening",
    "SchedulingError",
    "add_business_time",
    "business_time_between",
]
