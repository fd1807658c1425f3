"""A person's contest entries in the RGPD export, and gone from the erasure but for the code."""

from __future__ import annotations

from typing import Any

from ambassade.contests import drawing, entries, privacy
from ambassade.contests.models import Contest, Entry
from ambassade.engine.draw import verify
from tests.contests.conftest import CLOSES, OPENS
from tests.listening.conftest import item


def test_it_exports_and_erases_a_persons_entries_keeping_the_draw_verifiable(
    make_contest: Any, source: Any, ingest: Any, personas: Any
) -> None:
    contest = make_contest(form_entry=True)
    ingest(source, [item("1", "#lumiere", handle="Ana"), item("2", "#lumiere", handle="ben")])
    entries.collect(contest.pk)
    entries.enter_by_form(contest, name="Ana B", email="ana@example.com", lang="fr", now=OPENS)
    drawing.freeze(contest.pk, now=CLOSES)
    drawn = drawing.draw(Contest.objects.get(pk=contest.pk), personas.alice)
    workspace = personas.workspace_a
    exported = privacy.export_person(workspace, [("mastodon", "@ana")], ["ANA@example.com"])
    assert {row["via"] for row in exported} == {"message", "form"}
    assert {row["email"] for row in exported} == {"", "ana@example.com"}
    assert privacy.export_person(personas.workspace_b, [("mastodon", "ana")], []) == []
    assert privacy.erase_person(workspace, [("mastodon", "ana")], ["ana@example.com"]) == 2
    left = Entry.objects.filter(contest=contest).exclude(handle="ben")
    assert all(not (e.name or e.email or e.handle or e.identity_id or e.mention_id) for e in left)
    assert Entry.objects.get(handle="ben").identity_id is not None
    published = drawing.published(Contest.objects.get(pk=drawn.pk))
    assert published is not None and verify(published).ok and len(published.entries) == 3
