"""Accounts marked "needs reconnection" (issue #10, item 16): the composer and approvals say so before
a post is scheduled on them, a dated post on them shows it is at risk rather than plainly
"scheduled", and a post that fails lands in the notification centre of its author and of the
people who run the outbox."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.connectors.base import ConnectorError
from ambassade.publishing import approvals, authoring
from ambassade.publishing.models import Status
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Membership, Role
from ambassade.workspaces.services import create_user
from tests.conftest import PASSWORD, Personas
from tests.publishing.conftest import NOW, FakePublisher

pytestmark = pytest.mark.django_db

RECONNECT = "needs reconnection"


def url(personas: Personas, name: str, **kwargs: Any) -> str:
    return reverse(
        f"publishing:{name}", kwargs={"workspace_slug": personas.workspace_a.slug, **kwargs}
    )


@pytest.fixture
def disconnected(personas: Personas) -> Any:
    workspace_services.mark_needs_reconnection(
        personas.connection.pk, "The token was revoked (401)."
    )
    personas.connection.refresh_from_db()
    return personas.connection


@pytest.fixture
def approver(personas: Personas) -> Any:
    vera = create_user("vera@client.example", PASSWORD, "Vera Client")
    Membership.objects.create(workspace=personas.workspace_a, user=vera, role=Role.APPROVER)
    return vera


def _later() -> dict[str, str]:
    when = timezone.localtime(timezone.now() + timedelta(days=3))
    return {"date": when.strftime("%Y-%m-%d"), "time": "10:30"}


def test_the_composer_marks_the_account_and_warns_while_typing(
    personas: Personas, disconnected: Any, client: Any
) -> None:
    client.force_login(personas.bob)
    page = client.get(url(personas, "compose")).content.decode()
    assert f"@brand_a@mastodon.social · Mastodon · {RECONNECT}" in page
    checks = client.post(
        url(personas, "check"), {"text": "Bonjour", "accounts": [disconnected.pk]}
    ).content.decode()
    assert "@brand_a@mastodon.social needs reconnection: nothing can be sent" in checks


def test_scheduling_on_a_disconnected_account_warns(
    personas: Personas, disconnected: Any, client: Any
) -> None:
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "compose"),
        {"text": "Bonjour", "accounts": [disconnected.pk], "submit": "1", **_later()},
        follow=True,
    )
    body = response.content.decode()
    assert "The post is scheduled." in body
    assert (
        "@brand_a@mastodon.social needs reconnection: the post will fail there unless someone "
        "reconnects it before its time." in body
    )
    # On every page that shows its status, the post says it is at risk, not just "scheduled".
    posts = client.get(url(personas, "posts")).content.decode()
    assert "Account to reconnect" in posts


def test_the_approver_is_warned_before_and_after_approving(
    personas: Personas, disconnected: Any, approver: Any, client: Any
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Pour validation", connections=[disconnected]
    )
    approvals.submit_post(post, personas.bob)
    client.force_login(approver)
    page = client.get(url(personas, "post", post_id=post.pk)).content.decode()
    assert (
        "@brand_a@mastodon.social needs reconnection: this post will fail there unless someone "
        "reconnects it before its time." in page
    )
    response = client.post(url(personas, "post_approve", post_id=post.pk), {}, follow=True)
    assert post.variants.get().status == Status.SCHEDULED
    assert "the post will fail there unless someone reconnects it" in response.content.decode()


def test_a_connected_account_gets_no_warning(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "compose"),
        {"text": "Bonjour", "accounts": [personas.connection.pk], "submit": "1", **_later()},
        follow=True,
    )
    assert RECONNECT not in response.content.decode()


def test_a_failure_reaches_the_notification_centre(
    personas: Personas, scheduled: Any, fake: FakePublisher, factory: Any, client: Any
) -> None:
    from ambassade.crisis.models import Notification

    fake.outcomes = [ConnectorError("The status is too long.", permanent=True)]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "failed"
    notes = Notification.objects.filter(workspace=personas.workspace_a)
    # Bob wrote it; Alice (owner) runs the outbox. Nobody else, and once each.
    assert sorted(n.user.email for n in notes) == ["alice@example.com", "bob@example.com"]
    note = notes.get(user=personas.bob)
    assert note.severity == "high"
    assert note.title == "A post could not be published to @brand_a@mastodon.social (Mastodon)"
    assert "The status is too long." in str(note.body)
    client.force_login(personas.bob)
    page = client.get(
        reverse("crisis:notifications", kwargs={"workspace_slug": personas.workspace_a.slug})
    ).content.decode()
    assert "A post could not be published to @brand_a@mastodon.social" in page
    opened = client.post(
        reverse(
            "crisis:notification_open",
            kwargs={"workspace_slug": personas.workspace_a.slug, "notification_id": note.id},
        )
    )
    assert opened["Location"] == url(personas, "post", post_id=scheduled.post_id)
    # In French for a French reader.
    page = client.get(
        reverse("crisis:notifications", kwargs={"workspace_slug": personas.workspace_a.slug}),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert "Une publication n'a pas pu partir sur @brand_a@mastodon.social (Mastodon)" in unescape(
        page
    )


def test_a_failure_on_a_disconnected_account_is_notified_without_calling_the_network(
    personas: Personas, scheduled: Any, disconnected: Any, fake: FakePublisher, factory: Any
) -> None:
    from ambassade.crisis.models import Notification

    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "failed"
    assert fake.calls == []
    assert Notification.objects.filter(user=personas.bob).count() == 1
    assert "reconnect" in str(Notification.objects.get(user=personas.bob).body)
