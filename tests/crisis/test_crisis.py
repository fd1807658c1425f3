"""The crisis mode: opening (from an alert or by hand) holds the outbox, copies the playbook and
notifies the escalation contacts; working and closing it; the post-mortem in HTML and PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ambassade.crisis import outbox, services
from ambassade.crisis.models import (
    AlertRule,
    Crisis,
    CrisisEvent,
    EscalationContact,
    HoldingStatement,
    Notification,
)
from tests.conftest import Personas


def _scheduled_post(p: Personas) -> Any:
    from ambassade.publishing import approvals, authoring

    post = authoring.create_post(
        p.workspace_a,
        p.bob,
        text="Our summer collection is here",
        connections=[p.connection],
        scheduled_at=timezone.now() + timedelta(hours=2),
    )
    return approvals.submit_post(post, p.bob)


def _alert(p: Personas) -> Any:
    rule = AlertRule.objects.create(
        workspace=p.workspace_a, name="Stars", kind="influencer", severity="critical"
    )
    return services.trigger(
        rule, dedup_key="author:@star", title="@star mentioned the brand", value=1e6
    )


def test_it_creates_default_statements_and_playbook_once(personas: Personas) -> None:
    services.ensure_defaults(personas.workspace_a)
    services.ensure_defaults(personas.workspace_a)
    statements = HoldingStatement.objects.filter(workspace=personas.workspace_a)
    assert sorted(s.language for s in statements) == ["en", "en", "fr", "fr"]
    assert sum("Brand A" in s.text for s in statements) == 2
    assert not any("{brand}" in s.text for s in statements)
    playbook = personas.workspace_a.playbook
    assert {item["section"] for item in playbook.items} == {"call", "prepare", "validate"}


def test_it_opens_a_crisis_from_an_alert(
    personas: Personas, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from ambassade.publishing.outbox import hold

    EscalationContact.objects.create(
        workspace=personas.workspace_a, name="Head of comms", email="head@example.com"
    )
    EscalationContact.objects.create(
        workspace=personas.workspace_a, name="Lawyer", email="law@example.com", notify=False
    )
    post = _scheduled_post(personas)
    alert = _alert(personas)
    with django_capture_on_commit_callbacks(execute=True):
        crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    assert crisis.title == alert.title and crisis.alert == alert and crisis.is_open
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    # The outbox is held and the post is listed.
    assert hold.is_paused(personas.workspace_a) and outbox.is_held(personas.workspace_a)
    assert [p.pk for p in outbox.held_posts(personas.workspace_a)] == [post.pk]
    # The checklist comes from the playbook, in order.
    sections = list(crisis.checklist.values_list("section", flat=True))
    assert sections == sorted(sections, key=["call", "prepare", "validate"].index)
    assert len(sections) == len(personas.workspace_a.playbook.items)
    # The contacts who asked are e-mailed; the team is notified in the app.
    assert [m.to for m in mailoutbox] == [["head@example.com"]]
    assert "Crisis opened" in mailoutbox[0].subject
    assert Notification.objects.filter(crisis=crisis).count() == 2
    kinds = list(crisis.events.values_list("kind", flat=True))
    assert kinds[:4] == ["alert", "opened", "outbox", "contacts"]  # in time order
    # Notifying again does nothing (idempotent task).
    assert services.notify_crisis_opened(crisis.id) == 0
    assert len(mailoutbox) == 1


def test_it_refuses_a_second_open_crisis(personas: Personas) -> None:
    services.open_crisis(personas.workspace_a, personas.alice, title="First")
    with pytest.raises(services.ServiceError, match="already open"):
        services.open_crisis(personas.workspace_a, personas.alice, title="Second")
    # Another workspace is independent.
    services.open_crisis(personas.workspace_b, personas.charlie, title="B's own")


def test_it_works_the_checklist_and_logs_the_timeline(personas: Personas) -> None:
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    item = crisis.checklist.first()
    services.set_item_done(item, True, personas.bob)
    services.set_item_done(item, True, personas.bob)  # twice: one event
    item.refresh_from_db()
    assert item.done_by == personas.bob and item.done_at is not None
    services.set_item_done(item, False, personas.bob)
    statement = HoldingStatement.objects.filter(
        workspace=personas.workspace_a, language="fr"
    ).first()
    services.log_statement(crisis, statement, personas.bob, "X")
    services.log_action(crisis, "Called the plant manager", personas.alice)
    checklist = crisis.events.filter(kind=CrisisEvent.Kind.CHECKLIST)
    assert checklist.count() == 2
    assert crisis.events.filter(kind="statement", text__endswith="— X").exists()
    with pytest.raises(services.ServiceError):
        services.log_action(crisis, "   ", personas.alice)


def test_it_reschedules_a_held_post_and_resumes_the_outbox(personas: Personas) -> None:
    from ambassade.publishing.outbox import hold

    post = _scheduled_post(personas)
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    when = timezone.now() + timedelta(days=2)
    services.reschedule_held_post(crisis, post, when, personas.alice)
    post.refresh_from_db()
    assert post.scheduled_at == when
    assert services.resume_outbox(crisis, personas.alice) is True
    assert not hold.is_paused(personas.workspace_a)


def test_it_closes_with_a_post_mortem_in_html_and_pdf(personas: Personas) -> None:
    from ambassade.publishing.outbox import hold

    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=_alert(personas))
    services.set_item_done(crisis.checklist.first(), True, personas.bob)
    services.log_action(crisis, "Apologised on X", personas.alice)
    services.close_crisis(
        crisis, personas.alice, summary="Answer faster next time.", undone_confirmed=True
    )
    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.CLOSED and crisis.closed_by == personas.alice
    assert not hold.is_paused(personas.workspace_a)
    html = crisis.report_html
    for text in (
        "@star mentioned the brand",
        "Apologised on X",
        "Answer faster next time.",
        "Bob Durand",
    ):
        assert text in html
    assert "Volume and negativity" in html
    pdf = services.report_pdf(crisis)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    crisis.refresh_from_db()
    assert bytes(crisis.report_pdf) == pdf
    with pytest.raises(services.ServiceError, match="already closed"):
        services.close_crisis(crisis, personas.alice)
    with pytest.raises(services.ServiceError, match="closed"):
        services.log_action(crisis, "late", personas.alice)


def test_it_can_close_without_resuming_the_outbox(personas: Personas) -> None:
    from ambassade.publishing.outbox import hold

    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    services.close_crisis(crisis, personas.alice, resume=False, undone_confirmed=True)
    assert hold.is_paused(personas.workspace_a)


def test_it_writes_the_report_in_the_workspace_language(personas: Personas) -> None:
    personas.workspace_a.language = "fr"
    personas.workspace_a.save()
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Rappel")
    services.close_crisis(crisis, personas.alice, undone_confirmed=True)
    crisis.refresh_from_db()
    assert '<html lang="fr">' in crisis.report_html
