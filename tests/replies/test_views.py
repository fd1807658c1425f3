"""The composer on the conversation page: live counter, sending once (a second person is told),
the draft kept on an error, saved replies, notes, approval, and who may do what."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.inbox.models import Message
from ambassade.replies import tasks
from ambassade.replies.models import Reply, ReplyStatus, SavedReply

pytestmark = pytest.mark.django_db


def url(personas: Any, name: str, *args: Any) -> str:
    return reverse(f"replies:{name}", args=[personas.workspace_a.slug, *args])


def page(personas: Any, conversation: Any) -> str:
    return reverse("inbox:conversation", args=[personas.workspace_a.slug, conversation.pk])


@pytest.fixture(autouse=True)
def english_pages(client: Any) -> None:
    client.cookies["django_language"] = "en"


@pytest.fixture
def sent(monkeypatch: Any) -> list[int]:
    """The send task's calls (the outbox itself is tested in test_outbox)."""
    calls: list[int] = []
    monkeypatch.setattr(tasks, "send_reply", calls.append)
    return calls


def test_the_composer_sends_once_and_tells_the_second_person(
    personas: Any,
    conversation: Any,
    client: Any,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    SavedReply.objects.create(
        workspace=personas.workspace_a,
        name="Excuses",
        shortcut="excuses",
        text_fr="Bonjour {first_name} <b>!</b>",
        text_en="Hello {first_name}",
    )
    client.force_login(personas.bob)
    html = client.get(page(personas, conversation)).content.decode()
    assert "data-reply-text" in html and 'name="seen" value="0"' in html
    assert "0 of 500 characters" in html
    assert 'data-shortcut="excuses" data-text="Bonjour Ana &lt;b&gt;!&lt;/b&gt;"' in html
    checked = client.post(url(personas, "check", conversation.pk), {"text": "a" * 501})
    assert "501 of 500 characters" in checked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(personas, "send", conversation.pk), {"text": "Bonjour Ana", "seen": "0"}
        )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert sent == [reply.id] and reply.status == ReplyStatus.SCHEDULED
    # Alice wrote on the same page at the same time: told, her text kept.
    client.force_login(personas.alice)
    response = client.post(
        url(personas, "send", conversation.pk),
        {"text": "Bonjour <Ana>", "seen": "0"},
        follow=True,
    )
    html = response.content.decode()
    assert Reply.objects.count() == 1
    assert "Someone else answered" in html
    assert "Bonjour &lt;Ana&gt;</textarea>" in html
    # The waiting reply shows under the thread.
    assert "Sending" in html and "Bonjour Ana" in html


def test_a_bad_form_is_refused_without_a_500(
    personas: Any, conversation: Any, client: Any, sent: list[int]
) -> None:
    client.force_login(personas.bob)
    for data in ({"text": "x"}, {"text": "x", "seen": "-1"}, {"text": "", "seen": "0"}):
        response = client.post(url(personas, "send", conversation.pk), data, follow=True)
        assert response.status_code == 200
    assert not Reply.objects.exists() and sent == []


def test_notes_and_approval_from_the_page(
    personas: Any,
    conversation: Any,
    client: Any,
    sent: list[int],
    people: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from ambassade.replies import services

    client.force_login(personas.bob)
    client.post(url(personas, "note", conversation.pk), {"text": "@Alice <i>vu</i> ?"})
    note = Message.objects.get(direction="note")
    assert note.sender == personas.bob
    settings = services.settings_for(personas.workspace_a)
    settings.approval_roles = ["editor"]
    settings.save()
    html = client.get(page(personas, conversation)).content.decode()
    assert "Submit for approval" in html and "&lt;i&gt;vu&lt;/i&gt;" in html
    client.post(url(personas, "send", conversation.pk), {"text": "Bonjour", "seen": "0"})
    reply = Reply.objects.get()
    assert reply.status == ReplyStatus.PENDING_APPROVAL and sent == []
    # The analyst reads but neither answers nor approves.
    client.force_login(people["analyst"])
    assert client.post(url(personas, "approve", reply.pk)).status_code == 403
    assert client.post(url(personas, "note", conversation.pk), {"text": "x"}).status_code == 403
    client.force_login(personas.alice)
    html = client.get(page(personas, conversation)).content.decode()
    assert "Approve and send" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(personas, "approve", reply.pk))
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SCHEDULED and sent == [reply.id]


def test_saved_replies_and_approval_settings_pages(personas: Any, client: Any, people: Any) -> None:
    client.force_login(personas.bob)  # an editor writes saved replies
    response = client.post(
        url(personas, "saved_create"),
        {"name": "Merci", "shortcut": "Merci", "text_en": "Thanks {first_name}", "text_fr": ""},
    )
    assert response.status_code == 302
    saved = SavedReply.objects.get()
    assert saved.shortcut == "merci"
    response = client.post(
        url(personas, "saved_create"), {"name": "Doublon", "shortcut": "merci", "text_en": "x"}
    )
    assert "already has this shortcut" in response.content.decode()
    response = client.post(
        url(personas, "saved_edit", saved.pk), {"name": "Merci", "shortcut": "merci"}
    )
    assert "Write the text in English, in French, or both." in response.content.decode()
    html = client.get(url(personas, "saved_list")).content.decode()
    assert "Merci" in html and "{first_name}" in html
    # Only an inbox manager sets which replies need approval.
    assert client.post(url(personas, "settings"), {"approval_roles": ["editor"]}).status_code == 403
    client.force_login(personas.alice)
    client.post(url(personas, "settings"), {"approval_roles": ["editor", "moderator"]})
    from ambassade.replies.models import ReplySettings

    assert ReplySettings.objects.get().approval_roles == ["editor", "moderator"]
    client.post(url(personas, "saved_delete", saved.pk))
    assert not SavedReply.objects.exists()
