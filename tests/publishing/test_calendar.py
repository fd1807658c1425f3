"""The editorial calendar (issue #10, item 20): titles, every dated state with its colour and a legend,
an hour grid in the week, and moves (drag and drop or the move form) through the reschedule service,
for those who may reschedule, in the workspace's zone, asking for approval again when the rules say."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from ambassade.publishing import approvals, authoring, scheduling
from ambassade.publishing.models import Post, Status
from ambassade.workspaces.models import Membership, Role
from ambassade.workspaces.services import ServiceError, create_user
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db

DAY = "2030-01-10"
AT = datetime(2030, 1, 10, 8, 30, tzinfo=UTC)  # 09:30 in Paris


@pytest.fixture(autouse=True)
def paris(personas: Personas) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save(update_fields=["time_zone"])


def _url(personas: Personas, name: str = "calendar", **kwargs: Any) -> str:
    return reverse(
        f"publishing:{name}", kwargs={"workspace_slug": personas.workspace_a.slug, **kwargs}
    )


def _post(personas: Personas, text: str, when: datetime | None = AT, submit: bool = True) -> Post:
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text=text,
        connections=[personas.connection],
        scheduled_at=when,
    )
    if submit:
        approvals.submit_post(post, personas.bob)
    return post


def _cell(body: str, day: str, hour: int | None = None) -> str:
    """The HTML of one day of the month (or one hour of a day in the week)."""
    mark = f'data-drop-date="{day}"' + (f' data-drop-hour="{hour}"' if hour is not None else "")
    start = body.index(mark)
    ends = [body.find(stop, start + 1) for stop in ('role="cell"', "pub-week-slot", "</section>")]
    return body[start : min(end for end in ends if end > 0)]


def _page(client: Any, personas: Personas, user: Any, query: str, language: str = "en") -> str:
    client.force_login(user)
    response = client.get(_url(personas) + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_month_shows_each_post_with_its_title_time_and_networks(
    personas: Personas, client: Any
) -> None:
    _post(personas, "Nouvelle carte d'automne <b>gras</b>\nTous les détails en magasin.")
    cell = _cell(_page(client, personas, personas.bob, f"?date={DAY}"), DAY)
    assert "09:30" in cell
    assert "Nouvelle carte d&#x27;automne &lt;b&gt;gras&lt;/b&gt;" in cell
    assert "Mastodon" in cell and 'data-status="scheduled"' in cell
    assert "pub-cal-item pub-cal-scheduled" in cell


def test_posts_awaiting_approval_and_dated_drafts_are_on_their_day(
    personas: Personas, client: Any
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    _post(personas, "En attente de Vera")
    _post(personas, "Brouillon daté", submit=False)
    _post(personas, "Brouillon sans date", when=None, submit=False)
    body = _page(client, personas, personas.bob, f"?date={DAY}")
    cell = _cell(body, DAY)
    assert "En attente de Vera" in cell and "pub-cal-item pub-cal-pending_approval" in cell
    assert "Brouillon daté" in cell and "pub-cal-item pub-cal-draft" in cell
    assert "Brouillon sans date" not in cell
    drafts = body[body.index('id="drafts"') :]
    assert "Brouillon sans date" in drafts and "Brouillon daté" not in drafts


def test_the_week_is_an_hour_grid(personas: Personas, client: Any) -> None:
    _post(personas, "À neuf heures et demie")
    body = _page(client, personas, personas.bob, f"?view=week&date={DAY}")
    assert "À neuf heures et demie" in _cell(body, DAY, 9)
    assert "À neuf heures et demie" not in _cell(body, DAY, 8)
    for hour in range(7, 24):
        assert f"{hour:02d}:00</div>" in body
    assert re.search(r'data-drop-date="2030-01-13" data-drop-hour="23"', body)


def test_the_legend_names_every_status_in_french_and_english(
    personas: Personas, client: Any
) -> None:
    english = _page(client, personas, personas.bob, f"?date={DAY}")
    french = _page(client, personas, personas.bob, f"?date={DAY}", language="fr")
    legend = english[english.index("pub-cal-legend") :]
    legend = legend[: legend.index("</ul>")]
    for label in ("Draft", "Awaiting approval", "Scheduled", "Published", "Failed"):
        assert label in legend
    legend = french[french.index("pub-cal-legend") :]
    legend = legend[: legend.index("</ul>")]
    for label in ("Brouillon", "En attente de validation", "Programmée", "En vérification"):
        assert label in legend
    assert legend.count("pub-cal-swatch") == len(Status.choices)


def test_only_a_person_who_may_reschedule_can_drag_or_move(personas: Personas, client: Any) -> None:
    dave = create_user("dave@example.com", PASSWORD, "Dave Analyst")
    Membership.objects.create(workspace=personas.workspace_a, user=dave, role=Role.ANALYST)
    post = _post(personas, "À déplacer")
    editor = _cell(_page(client, personas, personas.bob, f"?date={DAY}"), DAY)
    assert 'draggable="true"' in editor and "pub-cal-move" in editor
    assert _url(personas, "post_reschedule", post_id=post.pk) in editor
    analyst = _cell(_page(client, personas, dave, f"?date={DAY}"), DAY)
    assert "À déplacer" in analyst
    assert 'draggable="true"' not in analyst and "pub-cal-move" not in analyst
    client.force_login(dave)
    response = client.post(
        _url(personas, "post_reschedule", post_id=post.pk), {"date": DAY, "time": "11:00"}
    )
    assert response.status_code == 403
    # What went out cannot be dragged, by anyone.
    post.variants.update(status=Status.PUBLISHED)
    published = _cell(_page(client, personas, personas.bob, f"?date={DAY}"), DAY)
    assert "À déplacer" in published and 'draggable="true"' not in published


def test_a_move_comes_back_to_the_calendar_and_stores_utc(personas: Personas, client: Any) -> None:
    post = _post(personas, "Le lendemain")
    back = _url(personas) + f"?view=week&date={DAY}"
    client.force_login(personas.bob)
    response = client.post(
        _url(personas, "post_reschedule", post_id=post.pk),
        {"date": "2030-01-11", "time": "14:30", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    variant = post.variants.get()
    assert variant.scheduled_at == variant.due_at == datetime(2030, 1, 11, 13, 30, tzinfo=UTC)
    # An address elsewhere is not followed.
    response = client.post(
        _url(personas, "post_reschedule", post_id=post.pk),
        {"date": "2030-01-11", "time": "15:30", "next": "https://evil.example/"},
    )
    assert response["Location"] == _url(personas, "post", post_id=post.pk)


def test_a_time_that_has_passed_is_refused(personas: Personas, client: Any) -> None:
    post = _post(personas, "Pas dans le passé")
    client.force_login(personas.bob)
    client.post(
        _url(personas, "post_reschedule", post_id=post.pk), {"date": "2020-01-11", "time": "14:30"}
    )
    assert post.variants.get().scheduled_at == AT


def test_a_move_by_someone_who_may_not_approve_asks_for_approval_again(
    personas: Personas,
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    post = _post(personas, "Validée pour jeudi")
    approvals.approve_post(post, personas.alice)
    assert post.variants.get().status == Status.SCHEDULED
    later = datetime(2030, 1, 11, 8, 30, tzinfo=UTC)
    scheduling.reschedule_post(post, personas.bob, later)
    post.refresh_from_db()
    assert post.status == Status.PENDING_APPROVAL and post.scheduled_at == later
    assert post.review_round == 2
    # A new round: Alice approves again, and it is scheduled at the new time.
    approvals.approve_post(post, personas.alice)
    assert post.variants.get().scheduled_at == later
    # Alice, who may approve, moves it without a new round.
    scheduling.reschedule_post(post, personas.alice, AT)
    assert post.variants.get().status == Status.SCHEDULED
    assert post.variants.get().due_at == AT


def test_a_post_that_went_out_cannot_be_moved(personas: Personas) -> None:
    post = _post(personas, "Partie")
    post.variants.update(status=Status.PUBLISHED)
    with pytest.raises(ServiceError):
        scheduling.reschedule_post(post, personas.bob, AT)
