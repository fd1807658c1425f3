"""The history of the stored scores (docs/community.md, "Score history").

Each time the scores are stored (``scores.store_scores``: every 15 minutes for the active members,
every night for everyone) two things are kept, on the day in the workspace's time zone:

- **per member**, a 9-byte record when their scores changed since their last record
  (:data:`RECORD`: day of the year, engagement in tenths, sentiment in hundredths, influence,
  level and classes in one byte), appended to one row per member and year
  (:class:`~ambassade.community.models.ScoreHistory`); a second change the same day replaces that
  day's record. A member whose scores did not move costs one record a year (the first scoring of
  the year); one whose scores moved every day, 3.3 KB. Read back as :class:`Point` s, each valid
  until the next.
- **per workspace**, the day's counts of members in each class and of active members
  (:class:`~ambassade.community.models.ClassCount`, one row a day: the last storing of the day
  wins), for the community area's classes over time.

Records are written in the transaction that stores the scores, after locking the member's row of
the year where the database can (PostgreSQL), so two storings do not lose each other's record.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q

from ambassade.community.models import ClassCount, Member, ScoreHistory
from ambassade.engine.scoring import CLASSES

__all__ = [
    "RECORD",
    "Point",
    "class_counts",
    "day_of",
    "each_day",
    "member_history",
    "record_classes",
    "record_members",
]

#: Day of the year (1–366), engagement × 10, sentiment × 100, influence, level and class bits.
RECORD = struct.Struct("<HIbBB")
#: Seen within this many days before a count: an *active* member.
ACTIVE_DAYS = 30
_LOVE_MAX = 2**32 - 1


@dataclass(frozen=True)
class Point:
    """A member's stored scores from ``day`` until the next point."""

    day: dt.date
    love: float
    sentiment: float
    influence: float
    level: int
    classes: tuple[str, ...]


def day_of(workspace_id: int, now: dt.datetime) -> dt.date:
    """``now``'s day in the workspace's time zone."""
    from ambassade.workspaces.models import Workspace

    zone = Workspace.objects.filter(pk=workspace_id).values_list("time_zone", flat=True).first()
    return now.astimezone(ZoneInfo(zone or "UTC")).date()


def _payload(member: Member) -> bytes:
    """The record of a member's stored scores, without its day."""
    flags = max(1, min(4, member.level)) - 1
    for bit, name in enumerate(CLASSES):
        if getattr(member, name):
            flags |= 4 << bit
    return RECORD.pack(
        0,
        min(_LOVE_MAX, max(0, round(member.love * 10))),
        max(-100, min(100, round(member.sentiment * 100))),
        max(0, min(255, round(member.influence))),
        flags,
    )[2:]


def _unpack(year: int, points: bytes) -> list[Point]:
    found = []
    start = dt.date(year, 1, 1)
    for offset in range(0, len(points) - RECORD.size + 1, RECORD.size):
        day, love, sentiment, influence, flags = RECORD.unpack_from(points, offset)
        found.append(
            Point(
                start + dt.timedelta(days=day - 1),
                love / 10,
                sentiment / 100,
                float(influence),
                (flags & 3) + 1,
                tuple(name for bit, name in enumerate(CLASSES) if flags & (4 << bit)),
            )
        )
    return found


def record_members(workspace_id: int, day: dt.date, members: Sequence[Member]) -> int:
    """Append each member's stored scores (set on the objects) to their history of ``day``'s
    year when they changed since their last record. Call it inside the transaction that stores
    them. Returns how many records were written."""
    if not members:
        return 0
    year = day.year
    prefix = struct.pack("<H", day.timetuple().tm_yday)
    rows = {
        member_id: (pk, bytes(points))
        for pk, member_id, points in ScoreHistory.objects.select_for_update()
        .filter(member_id__in=[m.pk for m in members], year=year)
        .values_list("pk", "member_id", "points")
    }
    updates: list[tuple[bytes, int]] = []
    new: list[ScoreHistory] = []
    for member in members:
        payload = _payload(member)
        record = prefix + payload
        found = rows.get(member.pk)
        if found is None:
            new.append(
                ScoreHistory(workspace_id=workspace_id, member=member, year=year, points=record)
            )
            continue
        pk, points = found
        last = points[-RECORD.size :]
        if len(last) == RECORD.size and last[2:] == payload:
            continue  # unchanged since the last record
        if len(last) == RECORD.size and last[:2] == prefix:
            points = points[: -RECORD.size]  # changed again today: today's record is replaced
        updates.append((points + record, pk))
    if updates:
        table = ScoreHistory._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET points = %s WHERE id = %s",  # noqa: S608 (the table's name)
                updates,
            )
    if new:
        ScoreHistory.objects.bulk_create(new, ignore_conflicts=True)
    return len(updates) + len(new)


def record_classes(workspace_id: int, day: dt.date, now: dt.datetime) -> ClassCount:
    """Count the community's members in each class now (staff left out) as ``day``'s counts."""
    counts = Member.objects.filter(workspace_id=workspace_id, staff=False).aggregate(
        members=Count("id"),
        ambassadors=Count("id", filter=Q(ambassador=True)),
        detractors=Count("id", filter=Q(detractor=True)),
        rising=Count("id", filter=Q(rising=True)),
        dormant=Count("id", filter=Q(dormant=True)),
        active=Count("id", filter=Q(last_seen_at__gt=now - dt.timedelta(days=ACTIVE_DAYS))),
    )
    found, _created = ClassCount.objects.update_or_create(
        workspace_id=workspace_id, day=day, defaults={**counts, "counted_at": now}
    )
    return found


def member_history(member: Member | int, since: dt.date | None = None) -> list[Point]:
    """The member's points, oldest first; with ``since``, from the point in force that day."""
    pk = member.pk if isinstance(member, Member) else member
    rows = ScoreHistory.objects.filter(member_id=pk).order_by("year")
    if since is not None:
        rows = rows.filter(year__gte=since.year - 1)
    points = [p for year, blob in rows.values_list("year", "points") for p in _unpack(year, blob)]
    if since is None:
        return points
    before = [p for p in points if p.day <= since]
    return before[-1:] + [p for p in points if p.day > since]


def class_counts(workspace_id: int, first: dt.date, last: dt.date) -> list[ClassCount]:
    """The counts of the days from ``first`` to ``last`` that have one, oldest first."""
    return list(ClassCount.objects.filter(workspace_id=workspace_id, day__gte=first, day__lte=last))


def each_day(points: Iterable[Point], first: dt.date, last: dt.date) -> list[tuple[dt.date, Point]]:
    """The point in force on each day from ``first`` to ``last`` (days before the first point
    left out)."""
    ordered = sorted(points, key=lambda p: p.day)
    found: list[tuple[dt.date, Point]] = []
    index, current = 0, None
    day = first
    while day <= last:
        while index < len(ordered) and ordered[index].day <= day:
            current = ordered[index]
            index += 1
        if current is not None:
            found.append((day, current))
        day += dt.timedelta(days=1)
    return found
