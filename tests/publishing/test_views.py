"""Pages and permissions of the publishing app: who may compose, approve, pause; the composer's live
checks; the time-zone form errors; one status shown the same way on every page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.publishing import approvals, authoring
from ambassade.publishing.models import Post, Status, Variant
from ambassade.publishing.outbox import hold
from ambassade.workspaces.models import Membership, Role
from ambassade.workspaces.services import ServiceError, create_user
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas, name: str, **kwargs: Any) -> str:
    return reverse(
        f"publishing:{name}", kwargs={"workspace_slug": personas.workspace_a.slug, **kwargs}
    )


@pytest.fixture
def approver(personas: Personas) -> Any:
    """Vera, the client: she approves A's posts and does nothing else."""
    vera = create_user("vera@client.example", PASSWORD, "Vera Client")
    Membership.objects.create(workspace=personas.workspace_a, user=vera, role=Role.APPROVER)
    return vera


@pytest.fixture
def analyst(personas: Personas) -> Any:
    dave = create_user("dave@example.com", PASSWORD, "Dave Analyst")
    Membership.objects.create(workspace=personas.workspace_a, user=dave, role=Role.ANALYST)
    return dave


def compose_data(personas: Personas, **extra: Any) -> dict[str, Any]:
    return {"text": "Bonjour le monde", "accounts": [personas.connection.pk], **extra}


def test_it_composes_a_draft_and_schedules_it_in_the_workspace_zone(
    personas: Personas, client: Any
) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save()
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "compose"),
        compose_data(
            personas,
            date="2030-07-01",
            time="09:30",
            **{f"text_{personas.connection.pk}": "Bonjour Mastodon"},
            submit="1",
        ),
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(personas, "post", post_id=post.pk)
    variant = post.variants.get()
    assert variant.status == Status.SCHEDULED
    assert variant.text == "Bonjour Mastodon"
    assert variant.scheduled_at == datetime(2030, 7, 1, 7, 30, tzinfo=UTC)  # 09:30 in Paris, summer


def test_it_explains_a_time_skipped_by_the_clock_change(personas: Personas, client: Any) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save()
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "compose"), compose_data(personas, date="2026-03-29", time="02:30")
    )
    assert response.status_code == 200
    assert "does not exist on 2026-03-29 in Europe/Paris" in response.content.decode()
    assert not Post.objects.exists()


def test_it_takes_the_first_0230_on_the_fall_back_day(personas: Personas, client: Any) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save()
    client.force_login(personas.bob)
    client.post(url(personas, "compose"), compose_data(personas, date="2026-10-25", time="02:30"))
    assert Post.objects.get().scheduled_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_it_counts_live_for_each_network(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "check"),
        {"text": "é" * 501, "accounts": [personas.connection.pk]},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="check-{personas.connection.pk}"' in body and 'hx-swap-oob="true"' in body
    assert "501 of 500 characters" in body
    assert "is-over" in body
    assert "Mastodon accepts 500" in body


def test_it_tags_links_with_utm_in_the_preview(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "check"),
        {
            "text": "Voir https://cafe.example/carte",
            "accounts": [personas.connection.pk],
            "utm_campaign": "automne",
        },
    )
    assert (
        "https://cafe.example/carte?utm_source=mastodon&amp;utm_medium=social&amp;utm_campaign=automne"
        in response.content.decode()
    )


def test_it_lets_the_approver_approve_but_not_compose(
    personas: Personas, client: Any, approver: Any
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Pour validation",
        connections=[personas.connection],
    )
    approvals.submit_post(post, personas.bob)
    client.force_login(approver)
    assert client.get(url(personas, "compose")).status_code == 403
    assert client.post(url(personas, "post_submit", post_id=post.pk)).status_code == 403
    assert client.post(url(personas, "outbox_pause"), {"reason": "x"}).status_code == 403
    page = client.get(url(personas, "post", post_id=post.pk)).content.decode()
    assert "Approve" in page and "Edit" not in page
    response = client.post(url(personas, "post_approve", post_id=post.pk), {"comment": "OK !"})
    assert response.status_code == 302
    variant = post.variants.get()
    assert variant.status == Status.SCHEDULED


def test_it_refuses_approval_to_editors_and_analysts(
    personas: Personas, client: Any, analyst: Any
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    post = authoring.create_post(
        personas.workspace_a,
        personas.alice,
        text="Pour validation",
        connections=[personas.connection],
    )
    approvals.submit_post(post, personas.alice)
    for user in (personas.bob, analyst):
        client.force_login(user)
        assert client.post(url(personas, "post_approve", post_id=post.pk)).status_code == 403
        assert client.post(url(personas, "post_reject", post_id=post.pk)).status_code == 403
    with pytest.raises(ServiceError, match="other than the author"):
        approvals.approve_post(post, personas.alice)
    client.force_login(analyst)
    assert client.get(url(personas, "post", post_id=post.pk)).status_code == 200
    assert client.get(url(personas, "compose")).status_code == 403


def test_it_needs_two_different_people_for_two_steps(personas: Personas, approver: Any) -> None:
    approvals.set_approval_steps(personas.workspace_a, 2, personas.alice)
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Deux étapes", connections=[personas.connection]
    )
    approvals.submit_post(post, personas.bob)
    approvals.approve_post(post, approver, "Bien")
    with pytest.raises(ServiceError, match="already approved"):
        approvals.approve_post(post, approver)
    with pytest.raises(ServiceError, match="may not approve"):
        approvals.approve_post(post, personas.bob)  # an editor
    assert post.variants.get().status == Status.PENDING_APPROVAL
    approvals.approve_post(post, personas.alice)
    assert post.variants.get().status == Status.SCHEDULED


def test_it_sends_a_rejected_post_back_to_draft_with_its_reason(
    personas: Personas, client: Any, approver: Any
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Trop tôt", connections=[personas.connection]
    )
    approvals.submit_post(post, personas.bob)
    client.force_login(approver)
    client.post(url(personas, "post_reject", post_id=post.pk), {"reason": ""})
    assert post.variants.get().status == Status.PENDING_APPROVAL  # a reason is required
    client.post(url(personas, "post_reject", post_id=post.pk), {"reason": "Attendez lundi."})
    assert post.variants.get().status == Status.DRAFT
    client.force_login(personas.bob)
    page = client.get(url(personas, "post", post_id=post.pk)).content.decode()
    assert "Attendez lundi." in page
    # A new round: earlier approvals do not count.
    approvals.submit_post(post, personas.bob)
    post.refresh_from_db()
    assert post.review_round == 2


def test_it_shows_one_status_and_one_message_on_every_page(personas: Personas, client: Any) -> None:
    when = timezone.now() + timedelta(hours=1)
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Échec visible",
        connections=[personas.connection],
        scheduled_at=when,
    )
    approvals.submit_post(post, personas.bob)
    message = "The account @brand_a@mastodon.social must be reconnected."
    Variant.objects.filter(post=post).update(status=Status.FAILED, error=message)
    client.force_login(personas.bob)
    pages = [
        url(personas, "posts"),
        url(personas, "post", post_id=post.pk),
        url(personas, "calendar") + f"?date={when.date().isoformat()}",
        url(personas, "outbox"),
    ]
    for page in pages:
        body = client.get(page).content.decode()
        assert 'data-status="failed"' in body, page
        assert message in body, page


def test_it_pauses_and_resumes_from_the_outbox_page(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    client.post(url(personas, "outbox_pause"), {"reason": "Bad buzz"})
    assert hold.is_paused(personas.workspace_a)
    body = client.get(url(personas, "posts")).content.decode()
    assert "The outbox is paused" in body and "Bad buzz" in body
    client.force_login(personas.bob)
    assert client.post(url(personas, "outbox_resume")).status_code == 403
    client.force_login(personas.alice)
    client.post(url(personas, "outbox_resume"))
    assert not hold.is_paused(personas.workspace_a)


def test_it_reschedules_from_the_calendar_form(personas: Personas, client: Any) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save()
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Déplacé",
        connections=[personas.connection],
        scheduled_at=datetime(2030, 1, 10, 8, 0, tzinfo=UTC),
    )
    approvals.submit_post(post, personas.bob)
    client.force_login(personas.bob)
    client.post(
        url(personas, "post_reschedule", post_id=post.pk), {"date": "2030-01-12", "time": "10:00"}
    )
    variant = post.variants.get()
    assert variant.scheduled_at == variant.due_at == datetime(2030, 1, 12, 9, 0, tzinfo=UTC)
    body = client.get(url(personas, "calendar") + "?view=week&date=2030-01-12").content.decode()
    assert "Déplacé" in body and 'data-drop-date="2030-01-12"' in body


@pytest.mark.parametrize("language", ["fr", "en-GB", "en-US"])
def test_a_scheduled_post_keeps_its_date_when_edited_in_any_language(
    personas: Personas, client: Any, language: str
) -> None:
    # French pages wrote 11/12/2026 into <input type=date>, which the browser dropped: saving the
    # form again lost the date (issue 10, item 13).
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save()
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Le 11 décembre",
        connections=[personas.connection],
        scheduled_at=datetime(2030, 12, 11, 8, 30, tzinfo=UTC),
    )
    client.force_login(personas.bob)
    for name in ("post_edit", "post"):  # a dated draft, then the scheduled post
        if name == "post":
            approvals.submit_post(post, personas.bob)
        page = client.get(url(personas, name, post_id=post.pk), HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert 'type="date" name="date" value="2030-12-11"' in html, name
        assert 'type="time" name="time" value="09:30"' in html, name
    client.post(
        url(personas, "post_reschedule", post_id=post.pk),
        {"date": "2030-12-11", "time": "09:30"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert post.variants.get().scheduled_at == datetime(2030, 12, 11, 8, 30, tzinfo=UTC)


def test_it_lists_posts_in_a_fixed_number_of_queries(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(8):
        authoring.create_post(
            personas.workspace_a,
            personas.bob,
            text=f"Post {index}",
            connections=[personas.connection],
        )
    client.force_login(personas.bob)
    with django_assert_max_num_queries(12):
        assert client.get(url(personas, "posts")).status_code == 200


def test_it_renders_every_page_in_french(personas: Personas, client: Any) -> None:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Bonjour", connections=[personas.connection]
    )
    client.force_login(personas.alice)
    for name, kwargs in [
        ("posts", {}),
        ("compose", {}),
        ("calendar", {}),
        ("outbox", {}),
        ("post", {"post_id": post.pk}),
    ]:
        response = client.get(url(personas, name, **kwargs), HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, name
        assert 'lang="fr"' in response.content.decode()


def test_it_adds_publishing_to_the_navigation_of_every_role(
    personas: Personas, client: Any, approver: Any
) -> None:
    for user in (personas.alice, personas.bob, approver):
        client.force_login(user)
        body = client.get(f"/w/{personas.workspace_a.slug}/").content.decode()
        assert f'href="{url(personas, "posts")}"' in body


def test_it_shows_the_calendar_and_the_outbox_in_a_fixed_number_of_queries(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    when = datetime(2030, 6, 12, 10, 0, tzinfo=UTC)
    for index in range(8):
        post = authoring.create_post(
            personas.workspace_a,
            personas.bob,
            text=f"Post {index}",
            connections=[personas.connection],
            scheduled_at=when + timedelta(minutes=index),
        )
        approvals.submit_post(post, personas.bob)
    client.force_login(personas.alice)
    with django_assert_max_num_queries(12):
        body = client.get(url(personas, "calendar") + f"?date={when.date()}").content.decode()
    assert body.count('data-status="scheduled"') == 8
    with django_assert_max_num_queries(14):
        assert client.get(url(personas, "outbox")).status_code == 200
