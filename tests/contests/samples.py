"""Objects of workspace A for tests/test_access.py's URL walk: a drawn contest and an entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass
class ContestSamples:
    contest: Any
    entry: Any


def samples(personas: Any) -> ContestSamples:
    cached = getattr(personas, "_contests", None)
    if cached is not None:
        return cached
    from ambassade.contests import drawing, services

    contest = services.create_contest(
        personas.workspace_a,
        personas.alice,
        name="A's contest",
        organiser="A",
        prize="a mug",
        starts_at=datetime(2026, 11, 1, tzinfo=UTC),
        closes_at=datetime(2026, 11, 2, tzinfo=UTC),
        winners=1,
        reserves=0,
        form_entry=True,
    )
    from ambassade.contests.models import Entry

    entry = Entry.objects.create(
        workspace=personas.workspace_a,
        contest=contest,
        code="AAAA-BBBB",
        via=Entry.Via.FORM,
        name="Ann",
        email="ann@example.com",
        entered_at=datetime(2026, 11, 1, 12, tzinfo=UTC),
    )
    drawing.freeze(contest.pk)
    contest.refresh_from_db()
    drawing.draw(contest, personas.alice)
    contest.refresh_from_db()
    result = ContestSamples(contest, entry)
    personas._contests = result
    return result
