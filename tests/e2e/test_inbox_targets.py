"""Response-time targets as a manager sets them and a breach as the team meets it, in Chromium: a
target is set on its page, a complaint waits past it, the breach watch raises the crisis app's
"response time" alert once, and the alert leads back to the late conversation, which says how late
it is."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_breach_raises_the_alert_which_leads_to_the_late_conversation(
    page: Any, live_server: Any, personas: Personas
) -> None:
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from ambassade.crisis.models import Alert, AlertRule
    from ambassade.inbox import services as inbox
    from ambassade.inbox.models import Conversation, Message
    from ambassade.inbox.targets import services
    from ambassade.inbox.targets.models import Target

    workspace = personas.workspace_a
    slug = workspace.slug
    AlertRule.objects.create(
        workspace=workspace, name="Late answers", kind=AlertRule.Kind.RESPONSE_TIME
    )
    _log_in(page, live_server.url, "alice@example.com")

    # The target, set on its page (business hours stay off: every hour counts).
    page.goto(f"{live_server.url}/w/{slug}/inbox/targets/")
    page.get_by_role("link", name="New target").click()
    page.get_by_label("Name").fill("Standard")
    page.locator("[name=first_response_0]").fill("30")
    page.locator("[name=first_response_1]").select_option("minutes")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="Standard").wait_for()
    assert "30 min" in page.locator("#targets").inner_text()
    assert Target.objects.get(workspace=workspace).first_response_minutes == 30

    # A complaint that has waited 45 minutes for its first answer.
    arrived = timezone.now() - timedelta(minutes=45)
    conversation = Conversation.objects.create(
        workspace=workspace,
        network="mastodon",
        channel="message",
        thread_key="late-1",
        contact_name="Jeanne Client",
    )
    inbox.add_message(
        conversation,
        Message(
            direction=Message.Direction.INBOUND,
            network="mastodon",
            external_id="late-1",
            text="I was charged twice and nobody answers.",
            author_handle="jeanne",
            created_at=arrived,
        ),
    )
    conversation.refresh_from_db()
    assert conversation.due_at is not None and conversation.due_at < timezone.now()

    # The breach watch (every minute in the worker): one alert, however often it runs.
    HUEY.immediate = True
    try:
        assert len(services.find_breaches()) == 1
        assert services.find_breaches() == []
    finally:
        HUEY.immediate = False
    alert = Alert.objects.get()
    assert alert.kind == "response_time"

    page.goto(f"{live_server.url}/w/{slug}/alerts/")
    page.get_by_role(
        "link", name=re.compile("Jeanne Client passed its first-response target")
    ).click()
    page.wait_for_url(re.compile(rf"/alerts/{alert.pk}/"))
    page.get_by_role("link", name="Jeanne Client").click()
    page.wait_for_url(re.compile(rf"/inbox/{conversation.pk}/"))
    timer = page.locator("[data-target-timer]")
    assert re.search(r"First response:\s*late by 1[45] min", timer.inner_text())
    assert "late by" in page.locator(".targets-card").inner_text()
    # The list's breaching view has it.
    page.goto(f"{live_server.url}/w/{slug}/inbox/?view=breaching")
    assert page.locator("[data-inbox-row]").count() == 1
