from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ambassade.engine.messages import Message

#: Directions of a KPI: more is better (mentions, CSAT) or less is better (first-response time).
HIGHER = "higher"
LOWER = "lower"
#: The longest period a KPI is computed over: ten years of days.
MAX_DAYS = 3660


class PeriodError(ValueError):
    """A period that cannot be measured: its ``message`` carries a code and parameters."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text)
        self.message = message
        self.code = message.code
        self.params = message.params


@dataclass(frozen=True)
class Period:
    """The local days ``start`` to ``end``, both included, in the time zone ``zone``.

    A KPI over 1–31 December in Europe/Paris counts what happened from 1 December 00:00 Paris time
    (30 November 23:00 UTC) to 1 January 00:00 Paris time, whatever the server's own zone."""

    start: date
    end: date
    zone: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                Message(
                    "period.end_before_start",
                    f"the period ends ({self.end}) before it starts ({self.start})",
                    {"start": self.start.isoformat(), "end": self.end.isoformat()},
                )
            )
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise PeriodError(
                Message(
                    "period.too_long",
                    f"a period covers at most {MAX_DAYS} days",
                    {"days": MAX_DAYS},
                )
            )
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise PeriodError(
                Message(
                    "period.unknown_zone", f"unknown time zone {self.zone}", {"zone": self.zone}
                )
            ) from error

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants: ``[first, after)`` (the end is excluded)."""
        zone = ZoneInfo(self.zone)
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first.astimezone(UTC), after.astimezone(UTC)

    def elapsed(self, now: datetime) -> float:
        """The share of the period gone by at ``now`` (an aware instant), from 0.0 to 1.0."""
        first, after = self.bounds()
        if now <= first:
            return 0.0
        if now >= after:
            return 1.0
        return (now - first) / (after - first)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``; None when there is nothing to divide (an empty period
    has no rate, which is not a rate of 0 %)."""
    if whole <= 0:
        return None
    return 100.0 * part / whole


def share(own: int, everyone: int) -> float | None:
    """Share of voice: the brand's mentions as a percentage of the brand's and its competitors'."""
    return rate(own, everyone)


def net_sentiment(positive: int, negative: int) -> float | None:
    """(positive − negative) / (positive + negative) × 100, from −100 to 100; neutral mentions are
    left out, as Brandwatch and Talkwalker do. None without any positive or negative mention."""
    total = positive + negative
    if total <= 0:
        return None
    return 100.0 * (positive - negative) / total


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def progress(value: float | None, target: float, direction: str = HIGHER) -> float | None:
    """How far ``value`` has come towards ``target``, as a percentage capped at 100.

    More is better: value / target. Less is better (a response time): 100 % once at or under the
    target, else target / value. None without a value (an empty period) or with a target of 0 that
    more-is-better can never measure against."""
    if value is None:
        return None
    if direction == LOWER:
        if value <= target:
            return 100.0
        return max(0.0, 100.0 * target / value) if value > 0 else 100.0
    if direction != HIGHER:
        raise ValueError(f"unknown direction {direction!r}")
    if target <= 0:
        return 100.0 if value >= target else 0.0
    return max(0.0, min(100.0, 100.0 * value / target))


def daily_series(counts: Mapping[date, int], start: date, end: date) -> list[tuple[date, int]]:
    """One ``(day, count)`` per day from ``start`` to ``end``, 0 for the days without any."""
    if end < start:
        return []
    return [
        (start + timedelta(days=offset), counts.get(start + timedelta(days=offset), 0))
        for offset in range((end - start).days + 1)
    ]
