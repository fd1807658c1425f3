"""Private messages (direct messages, e-mails) reach the inbox and never listening: no mention, so no
stream, search, share of voice, rollup or export shows them. Edits and deletions upstream are kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from ambassade.connectors.base import ItemKind
from ambassade.inbox.models import Conversation, Message
from ambassade.listening import rollup, search
from ambassade.listening.models import Mention, MentionMatch, MentionRollup, TermRollup
from tests.inbox.conftest import BRAND, days_ago, item

SECRET = "lumiere my card number ends 4242 and my address is 3 rue Secrète"


def direct(external_id: str, text: str = SECRET, **extra: Any) -> Any:
    extra.setdefault("handle", "ana")
    return item(external_id, text, kind=ItemKind.MESSAGE, **extra)


def test_it_keeps_direct_messages_out_of_listening(
    personas: Any, source: Any, ingest: Any, brand_query: Any, client: Any
) -> None:
    rollup.rebuild(personas.workspace_a)
    result = ingest(source, [direct("dm-1", thread_id="t-1"), item("p-1", "lumiere is public")])
    assert result.private == 1 and result.created == 1
    # Listening: only the public mention, in every read.
    assert list(Mention.objects.values_list("external_id", flat=True)) == ["p-1"]
    assert MentionMatch.objects.count() == 1
    assert sum(MentionRollup.objects.values_list("count", flat=True)) == 1
    assert not TermRollup.objects.filter(term__in=["secrete", "address", "card"]).exists()
    everything = Mention.objects.filter(workspace=personas.workspace_a)
    assert not search.search(everything, "4242").exists()
    assert not search.search(everything, "secrète").exists()
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    for url in (
        f"/w/{slug}/listening/",
        f"/w/{slug}/listening/?q=4242",
        f"/w/{slug}/listening/export.csv",
        f"/w/{slug}/listening/insights/",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert b"card number" not in body and "Secrète".encode() not in body, url
    # The inbox: a private conversation holding its own text.
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.thread_key) == ("message", "t-1")
    assert conversation.is_private
    message = conversation.messages.get()
    assert message.mention is None and message.text == SECRET
    assert message.sentiment and message.lang


def test_it_threads_direct_messages_and_the_brands_answers(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [direct("dm-1", "Hello, a question", thread_id="t-1", at=days_ago(1))])
    ingest(
        source,
        [
            direct("dm-2", "Hi Ana, tell us", handle=BRAND, thread_id="t-1", at=days_ago(0.9)),
            direct("dm-3", "Here it is", thread_id="t-1", at=days_ago(0.8)),
        ],
    )
    conversation = Conversation.objects.get()
    assert [m.direction for m in conversation.messages.order_by("created_at")] == [
        "inbound", "outbound", "inbound",
    ]  # fmt: skip
    assert conversation.first_response_at == days_ago(0.9)
    assert conversation.contact_handle == "ana"


def test_it_threads_direct_messages_without_a_thread_id_by_person(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [direct("dm-1", "one", handle="ana"), direct("dm-2", "two", handle="bob")])
    ingest(source, [direct("dm-3", "three", handle="ana", at=days_ago(-0.01))])
    assert sorted(Conversation.objects.values_list("contact_handle", "message_count")) == [
        ("ana", 2),
        ("bob", 1),
    ]


def test_it_keeps_the_same_direct_message_once(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [direct("dm-1", thread_id="t")])
    ingest(source, [direct("dm-1", thread_id="t")])
    assert Message.objects.count() == 1
    assert Conversation.objects.get().message_count == 1


def test_it_keeps_edits_and_deletions_of_direct_messages(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [direct("dm-1", "first words", thread_id="t", at=days_ago(1))])
    edited = days_ago(1) + timedelta(minutes=3)
    ingest(
        source, [direct("dm-1", "better words", thread_id="t", at=days_ago(1), edited_at=edited)]
    )
    message = Message.objects.get()
    assert (message.text, message.edited_at) == ("better words", edited)
    assert [r["text"] for r in message.revisions] == ["first words"]
    # An older edit coming late changes nothing.
    ingest(source, [direct("dm-1", "stale", thread_id="t", at=days_ago(1), edited_at=days_ago(1))])
    ingest(source, [direct("dm-1", "", thread_id="t", at=days_ago(1), deleted=True)])
    message.refresh_from_db()
    assert message.text == "better words" and message.deleted_at is not None
    assert Message.objects.count() == 1


def test_it_reads_mastodons_direct_visibility_as_private(
    personas: Any, source: Any, ingest: Any
) -> None:
    from ambassade.connectors.mastodon.parse import status_item

    status = {
        "id": "110",
        "uri": "https://social.example/users/ana/statuses/110",
        "created_at": "2026-11-20T10:00:00.000Z",
        "content": "<p>@brand_a my private order number is 555</p>",
        "visibility": "direct",
        "account": {"acct": "ana", "username": "ana", "display_name": "Ana"},
    }
    ingest(source, [status_item(status)])
    assert not Mention.objects.exists()
    assert Conversation.objects.get().channel == "message"


def test_the_conversation_shows_a_direct_message_edited_then_deleted_with_its_earlier_text(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    ingest(source, [direct("dm-1", "first words", thread_id="t", at=days_ago(1))])
    edited = days_ago(1) + timedelta(minutes=3)
    ingest(
        source, [direct("dm-1", "better words", thread_id="t", at=days_ago(1), edited_at=edited)]
    )
    url = reverse(
        "inbox:conversation", args=[personas.workspace_a.slug, Conversation.objects.get().pk]
    )
    client.force_login(personas.alice)
    page = client.get(url).content.decode()
    assert "Edited" in page and "Earlier versions" in page
    assert "first words" in page and "better words" in page
    assert "Deleted by its author" not in page
    ingest(source, [direct("dm-1", "", thread_id="t", at=days_ago(1), deleted=True)])
    page = client.get(url).content.decode()
    # Deleted upstream: shown as such, and nothing of it silently lost.
    assert "Deleted by its author" in page and "better words" in page and "first words" in page
