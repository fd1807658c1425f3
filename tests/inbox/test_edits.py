"""Mentions edited or deleted upstream: the new text replaces the old one, which is kept; the index
follows; the conversation shows both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from ambassade.inbox.models import Conversation
from ambassade.listening import search
from ambassade.listening.models import Mention, MentionRevision
from tests.inbox.conftest import days_ago, item


def test_it_keeps_the_earlier_text_of_an_edited_mention(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    ingest(source, [item("1", "@brand_a the croissant was stale", handle="ana", at=days_ago(1))])
    edited = days_ago(1) + timedelta(minutes=2)
    result = ingest(
        source,
        [
            item(
                "1",
                "@brand_a the pain au chocolat was stale",
                handle="ana",
                at=days_ago(1),
                edited_at=edited,
            )
        ],
    )
    assert result.updated == 1 and result.created == 0
    mention = Mention.objects.get()
    assert mention.text == "@brand_a the pain au chocolat was stale" and mention.edited_at == edited
    revision = MentionRevision.objects.get()
    assert (revision.text, revision.written_at, revision.replaced_at) == (
        "@brand_a the croissant was stale",
        days_ago(1),
        edited,
    )
    everything = Mention.objects.filter(workspace=personas.workspace_a)
    assert search.search(everything, "chocolat").exists()
    assert not search.search(everything, "croissant").exists()
    # The same edit again, or an older one, changes nothing.
    ingest(
        source, [item("1", "@brand_a older", handle="ana", at=days_ago(1), edited_at=days_ago(1))]
    )
    assert MentionRevision.objects.count() == 1
    client.force_login(personas.bob)
    page = client.get(
        reverse(
            "inbox:conversation", args=[personas.workspace_a.slug, Conversation.objects.get().pk]
        )
    ).content.decode()
    assert "Edited" in page and "the croissant was stale" in page


def test_it_marks_a_mention_deleted_and_keeps_its_text(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    ingest(source, [item("1", "@brand_a rude words", handle="ana")])
    result = ingest(source, [item("1", "", handle="ana", deleted=True)])
    assert result.updated == 1
    mention = Mention.objects.get()
    assert mention.deleted_at is not None and mention.text == "@brand_a rude words"
    client.force_login(personas.bob)
    page = client.get(
        reverse(
            "inbox:conversation", args=[personas.workspace_a.slug, Conversation.objects.get().pk]
        )
    ).content.decode()
    assert "Deleted by its author" in page and "rude words" in page


def test_it_ignores_the_deletion_of_an_unknown_item(
    personas: Any, source: Any, ingest: Any
) -> None:
    result = ingest(source, [item("9", "", handle="ana", deleted=True)])
    assert result.created == 0 and not Mention.objects.exists()
