"""Scheduled campaigns: a time in the workspace's time zone, started once by the minute's task
(even when two workers run it), moved or cancelled before it starts, and back to a draft with the
reason when it cannot start."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from ambassade.mailing import services, tasks
from ambassade.mailing.models import Campaign, Recipient
from ambassade.workspaces.models import AuditEntry
from tests.mailing.conftest import Audience
from tests.mailing.test_views import page


def _later(minutes: int = 60) -> dt.datetime:
    return timezone.now() + timedelta(minutes=minutes)


def test_it_starts_a_due_campaign_once(
    personas: Any, audience: Audience, campaign: Any, no_enqueue: None
) -> None:
    services.schedule(campaign, personas.alice, _later(30))
    assert campaign.state == Campaign.State.SCHEDULED
    assert services.start_due() == []  # not yet
    at = timezone.now() + timedelta(minutes=31)
    assert services.start_due(at) == [campaign.pk]
    # A second worker running the same minute's task, or the next minute's: nothing more.
    assert services.start_due(at) == []
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.SENDING
    assert Recipient.objects.filter(campaign=campaign).count() == 3
    assert AuditEntry.objects.filter(action="mailing.campaign.started").count() == 1


def test_a_stale_copy_cannot_start_it_a_second_time(
    personas: Any, audience: Audience, campaign: Any, no_enqueue: None
) -> None:
    """Two workers read the due campaign at the same moment: the conditional UPDATE lets one
    through; the other's copy still says "scheduled" and freezes nothing."""
    services.schedule(campaign, personas.alice, _later(1))
    copy = Campaign.objects.get(pk=campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert services.start_due() == [campaign.pk]
    with pytest.raises(services.CampaignError):
        services._start(copy, None, None, Campaign.State.SCHEDULED)
    assert Recipient.objects.filter(campaign=campaign).count() == 3


def test_it_is_moved_or_cancelled_before_it_starts(
    personas: Any, audience: Audience, campaign: Any, no_enqueue: None
) -> None:
    services.schedule(campaign, personas.alice, _later(10))
    services.schedule(campaign, personas.alice, _later(120))  # moved later
    assert services.start_due(timezone.now() + timedelta(minutes=11)) == []
    with translation.override("en"), pytest.raises(services.CampaignError, match="scheduling"):
        services.update_campaign(campaign, personas.alice, name="Changed")
    services.unschedule(campaign, personas.alice)
    assert campaign.state == Campaign.State.DRAFT and campaign.send_at is None
    assert services.start_due(timezone.now() + timedelta(hours=3)) == []
    assert not Recipient.objects.filter(campaign=campaign).exists()


@pytest.mark.parametrize(
    ("when", "error"),
    [(-5, "in the future"), (60 * 24 * 400, "within a year")],
)
def test_it_refuses_a_time_in_the_past_or_too_far(
    personas: Any, audience: Audience, campaign: Any, when: int, error: str
) -> None:
    with translation.override("en"), pytest.raises(services.CampaignError, match=error):
        services.schedule(campaign, personas.alice, _later(when))
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT


def test_a_campaign_that_cannot_start_becomes_a_draft_with_the_reason(
    personas: Any, audience: Audience, campaign: Any, no_enqueue: None
) -> None:
    from ambassade.community.models import Consent

    personas.workspace_a.language = "fr"
    personas.workspace_a.save(update_fields=["language"])
    services.schedule(campaign, personas.alice, _later(5))
    # Everyone withdraws before the time comes.
    Consent.objects.filter(state=Consent.State.GRANTED).update(state=Consent.State.WITHDRAWN)
    assert services.start_due(timezone.now() + timedelta(minutes=6)) == []
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT
    # The reason is in the workspace's language (French here), the sentence around it in the
    # reader's.
    with translation.override("fr"):
        reason = translation.gettext("Nobody of this audience has agreed to receive e-mails yet.")
    assert campaign.last_error.code == "mailing.scheduled_not_started"
    assert campaign.last_error.params == {"reason": reason}
    with translation.override("en"):
        assert str(campaign.last_error).startswith(
            "The scheduled sending did not start and the campaign is a draft again: "
        )
    assert AuditEntry.objects.filter(action="mailing.campaign.schedule_failed").count() == 1


def test_the_task_starts_due_campaigns(
    personas: Any, audience: Audience, campaign: Any, no_enqueue: None
) -> None:
    services.schedule(campaign, personas.alice, _later(1))
    Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now() - timedelta(seconds=5))
    assert tasks.start_scheduled.call_local() == 1
    assert tasks.start_scheduled.call_local() == 0


def test_the_page_schedules_in_the_workspace_time_zone(
    personas: Any, audience: Audience, campaign: Any, client: Client
) -> None:
    workspace = personas.workspace_a
    workspace.time_zone = "America/New_York"
    workspace.save(update_fields=["time_zone"])
    client.force_login(personas.alice)
    client.cookies["django_language"] = "fr"
    base = f"/w/{workspace.slug}/mailing/"
    # Outside summer time in New York (UTC-5), whatever month the test runs in.
    day = dt.datetime(timezone.now().year + 1, 1, 15, 9, 30)
    answer = client.post(
        f"{base}{campaign.pk}/schedule/", {"send_at": day.strftime("%Y-%m-%dT%H:%M")}
    )
    assert answer.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.SCHEDULED
    assert campaign.send_at == dt.datetime(day.year, 1, 15, 14, 30, tzinfo=dt.UTC)
    shown = page(client.get(f"{base}{campaign.pk}/"))
    assert f"15 janvier {day.year} 09:30 (America/New_York)" in shown.text
    assert f'value="{day.year}-01-15T09:30"' in shown.html  # the form moves it from there
    listing = page(client.get(base)).text
    assert f"15/01/{day.year} 09:30" in listing and "Programmée" in listing
    # Cancelled: a draft again, sendable at once.
    assert client.post(f"{base}{campaign.pk}/unschedule/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT


def test_an_editor_cannot_schedule(personas: Any, campaign: Any, client: Client) -> None:
    from ambassade.workspaces.models import Membership

    Membership.objects.filter(user=personas.bob, workspace=personas.workspace_a).update(
        role="editor"
    )
    client.force_login(personas.bob)
    answer = client.post(
        f"/w/{personas.workspace_a.slug}/mailing/{campaign.pk}/schedule/",
        {"send_at": "2099-01-01T10:00"},
    )
    assert answer.status_code == 403
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT
