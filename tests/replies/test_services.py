"""Writing replies: the network's rules before anything is saved, two people answering at once make
one reply, approval by role, notes that notify the colleagues they mention, saved replies filled in
the conversation's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from ambassade.inbox.models import Event, Message
from ambassade.replies import services, variables
from ambassade.replies.models import Reply, ReplyStatus, SavedReply
from tests.replies.conftest import conversation_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Any:
    with translation.override("en"):
        yield


def test_the_networks_rules_are_checked_before_anything_is_saved(
    conversation: Any, personas: Any
) -> None:
    checked = services.check("mastodon", "Bonjour")
    assert (checked.length, checked.limit, checked.errors) == (7, 500, [])
    too_long = "a" * 501
    assert services.check("mastodon", too_long).errors
    with pytest.raises(services.ReplyError, match="501"):
        services.submit(conversation, text=too_long, author=personas.bob, seen=0)
    with pytest.raises(services.ReplyError):
        services.submit(conversation, text="   ", author=personas.bob, seen=0)
    assert not Reply.objects.exists()
    # X counts a URL as 23 and an emoji as 2; a reply needs no medium; Reddit's has no title.
    assert services.check("x", "🙂 https://example.com/a/very/long/path").length == 2 + 1 + 23
    assert services.check("instagram", "Merci !").errors == []
    assert services.check("reddit", "Thanks").errors == []
    assert services.check("youtube", "y" * 10_001).errors


def test_two_people_answering_at_once_make_one_reply(conversation: Any, personas: Any) -> None:
    seen = services.last_sequence(conversation)
    first = services.submit(conversation, text="Réponse de Bob", author=personas.bob, seen=seen)
    with pytest.raises(services.ReplyError, match="Someone else answered"):
        services.submit(conversation, text="Réponse d'Alice", author=personas.alice, seen=seen)
    assert list(Reply.objects.values_list("id", flat=True)) == [first.id]
    # Having read it, Alice may add another.
    second = services.submit(
        conversation, text="Et un complément", author=personas.alice, seen=first.sequence
    )
    assert second.sequence == 2 and second.status == ReplyStatus.SCHEDULED
    assert (first.in_reply_to, first.private) == ("toot-1", False)
    # The thread says it was written, not that it went out (the outbox may still fail it).
    from ambassade.inbox.messages import event_words

    event = Event.objects.filter(code="reply_submitted").first()
    assert event is not None and event_words(event) == "Bob Durand wrote a reply"


def test_a_private_reply_goes_to_the_person(personas: Any) -> None:
    conversation = conversation_with(personas, private=True)
    reply = services.submit(conversation, text="En privé", author=personas.bob, seen=0)
    assert (reply.private, reply.recipient, reply.thread_ref, reply.in_reply_to) == (
        True,
        "10987",
        "dm-ana",
        "toot-1",
    )


def test_replies_by_a_role_wait_for_an_approver(
    conversation: Any, personas: Any, people: Any
) -> None:
    from ambassade.crisis.models import Notification

    settings = services.settings_for(personas.workspace_a)
    settings.approval_roles = ["editor"]
    settings.save()
    assert services.needs_approval(personas.workspace_a, personas.bob)
    assert not services.needs_approval(personas.workspace_a, personas.alice)
    reply = services.submit(conversation, text="À valider", author=personas.bob, seen=0)
    assert reply.status == ReplyStatus.PENDING_APPROVAL and reply.due_at is None
    # The approvers (owner, manager, approver) are told; the author is not.
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {personas.alice.id, people["manager"].id, people["approver"].id}
    with pytest.raises(services.ReplyError):
        services.approve(reply, personas.bob)  # not one's own
    with pytest.raises(services.ReplyError):
        services.reject(reply, personas.alice, "  ")  # a reason is needed
    services.reject(reply, personas.alice, "Ton trop sec")
    reply.refresh_from_db()
    assert (reply.status, reply.review_note) == (ReplyStatus.REJECTED, "Ton trop sec")
    assert Notification.objects.filter(user=personas.bob).count() == 1
    again = services.submit(conversation, text="Mieux", author=personas.bob, seen=reply.sequence)
    services.approve(again, personas.alice)
    again.refresh_from_db()
    assert again.status == ReplyStatus.SCHEDULED and again.reviewed_by == personas.alice
    with pytest.raises(services.ReplyError):
        services.approve(again, personas.alice)  # already approved
    codes = list(Event.objects.values_list("code", flat=True))
    assert codes.count("reply_pending") == 2 and "reply_approved" in codes


def test_a_note_notifies_the_colleagues_it_mentions(conversation: Any, personas: Any) -> None:
    from ambassade.crisis.models import Notification

    assert dict(services.mentionable(personas.workspace_a)).keys() == {"Alice", "Bob"}
    note, people = services.add_note(
        conversation, text="@alice regarde, et @Bob aussi. @personne", author=personas.bob
    )
    assert people == [personas.alice]  # not the author, nobody unknown
    assert note.direction == Message.Direction.NOTE
    notification = Notification.objects.get()
    assert notification.user == personas.alice
    assert notification.link.endswith(f"#message-{note.pk}")
    # Charlie, of another workspace, is never reached.
    services.add_note(conversation, text="@charlie", author=personas.bob)
    assert Notification.objects.count() == 1
    with pytest.raises(services.ReplyError):
        services.add_note(conversation, text=" ", author=personas.bob)


def test_saved_replies_are_filled_in_the_conversations_language(personas: Any) -> None:
    SavedReply.objects.create(
        workspace=personas.workspace_a,
        name="Remboursement",
        shortcut="rembourse",
        text_en="Hi {first_name}, {agent_first_name} here: refund on its way ({ticket}).",
        text_fr="Bonjour {first_name}, ici {agent_first_name} : remboursement en cours ({ticket}).",
    )
    french = conversation_with(personas, lang="fr")
    (filled,) = services.saved_replies_for(french, personas.bob)
    assert filled.text == f"Bonjour Ana, ici Bob : remboursement en cours (#{french.pk})."
    assert filled.missing == []
    french.lang = "en"
    (filled,) = services.saved_replies_for(french, personas.bob)
    assert filled.text.startswith("Hi Ana, Bob here")


def test_variables_without_a_value_are_left_for_the_person() -> None:
    text, missing = variables.fill(
        "Bonjour {first_name} {first_name}, {unknown} {agent}", {"agent": "Léa", "first_name": ""}
    )
    assert text == "Bonjour {first_name} {first_name}, {unknown} Léa"
    assert missing == ["first_name"]
