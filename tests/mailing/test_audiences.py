"""A campaign's audience: a saved segment (or every member), of which only the members with
consent for their address receive it; who is left out and why; the list frozen at the start; a
deleted segment never widens a campaign to everyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ambassade.community.models import Consent, Member, MemberTag
from ambassade.mailing import audiences, services
from ambassade.mailing.models import Campaign, Recipient
from tests.mailing.conftest import OPTIN_AT, add_member
from tests.mailing.test_views import page


def _tag(member: Any, name: str = "vip") -> None:
    MemberTag.objects.create(workspace_id=member.workspace_id, member=member, name=name)


def _segment(workspace: Any, actor: Any, name: str = "VIP", **definition: Any) -> Any:
    from ambassade.community import crm

    return crm.save_segment(
        workspace, actor, name=name, definition={"tags": {"any": ["vip"]}} | definition
    )


def _withdraw(member: Any, source: str) -> None:
    Consent.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        purpose=Consent.Purpose.EMAILING,
        state=Consent.State.WITHDRAWN,
        source=source,
        proof="-",
        email=member.email,
        recorded_at=OPTIN_AT + timedelta(days=2),
    )


@pytest.fixture
def vips(personas: Any) -> dict[str, Any]:
    """Members tagged "vip", one for each reason to be left out, and two who receive it."""
    ws = personas.workspace_a
    found = {
        "ana": add_member(ws, "Ana", "ana@reader.example"),
        "bea": add_member(ws, "Bea", "bea@reader.example", lang="en"),
        "staff": add_member(ws, "Sam Staff", "sam@brand.example"),
        "nomail": add_member(ws, "No Mail", "", consent=None, handle="nomail"),
        "never": add_member(ws, "Never", "never@reader.example", consent=None),
        "pending": add_member(ws, "Pending", "pending@reader.example", consent=None),
        "unsub": add_member(ws, "Unsub", "unsub@reader.example"),
        "bounced": add_member(ws, "Bounced", "bounced@reader.example"),
        "withdrawn": add_member(ws, "Withdrawn", "withdrawn@reader.example", consent="withdrawn"),
        "moved": add_member(ws, "Moved", "moved@reader.example"),
        "twin": add_member(ws, "Ana Twin", "ANA@reader.example", handle="anatwin"),
    }
    Member.objects.filter(pk=found["staff"].pk).update(staff=True)
    Consent.objects.create(
        workspace=ws,
        member=found["pending"],
        purpose=Consent.Purpose.EMAILING,
        state=Consent.State.PENDING,
        source=Consent.Source.DOUBLE_OPT_IN,
        email="pending@reader.example",
        recorded_at=OPTIN_AT,
    )
    _withdraw(found["unsub"], Consent.Source.UNSUBSCRIBE)
    _withdraw(found["bounced"], Consent.Source.BOUNCE)
    # Their address changed after they confirmed: the consent covers the old one only.
    Member.objects.filter(pk=found["moved"].pk).update(email="new@reader.example")
    for member in found.values():
        _tag(member)
    # Not in the segment, with consent: receives "every member" campaigns only.
    found["outsider"] = add_member(ws, "Outsider", "out@reader.example")
    return found


def test_it_counts_who_receives_a_segment_and_why_the_others_are_left_out(
    personas: Any, vips: dict[str, Any]
) -> None:
    segment = _segment(personas.workspace_a, personas.alice)
    found = audiences.breakdown(personas.workspace_a, segment)
    assert found.selected == 11
    assert found.recipients == 2
    assert found.left_out == {
        "staff": 1,
        "no_address": 1,
        "no_consent": 1,
        "pending": 1,
        "unsubscribed": 1,
        "bounced": 1,
        "withdrawn": 1,
        "address_changed": 1,
        "duplicate": 1,
    }
    readers = list(audiences.recipients(personas.workspace_a, segment))
    assert [(r.member_id, r.email, r.optin_lang) for r in readers] == [
        (vips["ana"].pk, "ana@reader.example", "fr"),
        (vips["bea"].pk, "bea@reader.example", "en"),
    ]


def test_it_keeps_the_staff_when_the_segment_asks_for_them(
    personas: Any, vips: dict[str, Any]
) -> None:
    segment = _segment(personas.workspace_a, personas.alice, staff="include")
    found = audiences.breakdown(personas.workspace_a, segment)
    assert "staff" not in found.left_out and found.recipients == 3
    only = _segment(personas.workspace_a, personas.alice, name="Staff", staff="only")
    assert [r.email for r in audiences.recipients(personas.workspace_a, only)] == [
        "sam@brand.example"
    ]


def test_every_member_leaves_the_staff_out(personas: Any, vips: dict[str, Any]) -> None:
    found = audiences.breakdown(personas.workspace_a)
    assert found.recipients == 3  # Ana, Bea and the outsider
    assert found.left_out["staff"] == 1


def test_the_campaigns_list_counts_who_a_campaign_to_everyone_reaches(
    personas: Any, vips: dict[str, Any], client: Client
) -> None:
    """The list's lead counts as the campaign page does: no staff, no changed address, one per
    address (the older count took every member whose latest consent was given: 6 here)."""
    client.force_login(personas.alice)
    client.cookies["django_language"] = "en"
    shown = page(client.get(f"/w/{personas.workspace_a.slug}/mailing/")).text
    assert "3 people receive a campaign sent to every member" in shown
    assert audiences.breakdown(personas.workspace_a).recipients == 3


def test_the_list_is_frozen_when_the_sending_starts(
    personas: Any, vips: dict[str, Any], campaign: Any, no_enqueue: None
) -> None:
    segment = _segment(personas.workspace_a, personas.alice)
    services.update_campaign(campaign, personas.alice, segment=segment)
    campaign.refresh_from_db()
    assert campaign.segment_name == "VIP"
    assert services.start(campaign, personas.alice) == 2
    campaign.refresh_from_db()
    assert campaign.audience_summary["left_out"]["staff"] == 1
    assert campaign.audience_summary["recipients"] == 2
    # Someone joins the segment afterwards: the campaign does not reach them.
    _tag(vips["outsider"])
    assert audiences.breakdown(personas.workspace_a, segment).recipients == 3
    emails = set(Recipient.objects.filter(campaign=campaign).values_list("email", flat=True))
    assert emails == {"ana@reader.example", "bea@reader.example"}


def test_a_deleted_segment_never_widens_a_draft_to_everyone(
    personas: Any, vips: dict[str, Any], campaign: Any, no_enqueue: None
) -> None:
    from ambassade.community import crm

    segment = _segment(personas.workspace_a, personas.alice)
    services.update_campaign(campaign, personas.alice, segment=segment)
    crm.delete_segment(segment, personas.alice)
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.segment is None and campaign.segment_deleted
    with translation.override("en"), pytest.raises(services.CampaignError, match="was deleted"):
        services.start(campaign, personas.alice)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT
    assert not Recipient.objects.filter(campaign=campaign).exists()
    # Choosing "every member" again makes it a campaign like any other.
    services.update_campaign(campaign, personas.alice, segment=None)
    campaign.refresh_from_db()
    assert not campaign.segment_deleted
    assert services.start(campaign, personas.alice) == 3


def test_a_started_campaign_keeps_its_list_when_its_segment_is_deleted(
    personas: Any, vips: dict[str, Any], campaign: Any, no_enqueue: None, client: Client
) -> None:
    from ambassade.community import crm

    segment = _segment(personas.workspace_a, personas.alice)
    services.update_campaign(campaign, personas.alice, segment=segment)
    services.start(campaign, personas.alice)
    crm.delete_segment(segment, personas.alice)
    assert Recipient.objects.filter(campaign=campaign).count() == 2
    client.force_login(personas.alice)
    client.cookies["django_language"] = "en"
    shown = page(client.get(f"/w/{personas.workspace_a.slug}/mailing/{campaign.pk}/")).text
    assert "The segment “VIP” (deleted since)" in shown
    assert "Frozen when the sending started: 2 people." in shown
    assert "staff of the brand" in shown


def test_a_segment_of_another_workspace_is_refused(personas: Any, campaign: Any) -> None:
    other = _segment(personas.workspace_b, personas.bob, name="Theirs")
    with pytest.raises(services.CampaignError) as refused:
        services.update_campaign(campaign, personas.alice, segment=other)
    assert refused.value.field == "segment"


def test_the_segment_page_leads_to_a_campaign_for_it(
    personas: Any, vips: dict[str, Any], connection: Any, client: Client
) -> None:
    segment = _segment(personas.workspace_a, personas.alice)
    client.force_login(personas.alice)
    client.cookies["django_language"] = "en"
    slug = personas.workspace_a.slug
    segments_page = page(client.get(f"/w/{slug}/community/segments/")).html
    link = f"/w/{slug}/mailing/new/?segment={segment.pk}"
    assert f'href="{link}"' in segments_page
    form = page(client.get(link)).html
    assert f'<option value="{segment.pk}" selected>VIP</option>' in form
    answer = client.post(
        f"/w/{slug}/mailing/new/",
        {
            "name": "To the VIPs",
            "connection": connection.pk,
            "segment": segment.pk,
            "subject_en": "Hello",
            "body_en": "Hello {{ first_name }}",
            "rate_per_hour": "3600",
        },
    )
    assert answer.status_code == 302
    campaign = Campaign.objects.get(name="To the VIPs")
    assert campaign.segment == segment
    shown = page(client.get(answer["Location"])).text
    assert "2 people will receive this campaign if it is sent now." in shown
    assert "The segment has 11 members." in shown and "Left out: 9 members." in shown
    assert "asked, have not confirmed yet (double opt-in)" in shown


def test_a_segment_that_no_longer_fits_is_said_on_the_draft(
    personas: Any, vips: dict[str, Any], campaign: Any, client: Client, no_enqueue: None
) -> None:
    from ambassade.community.models import CustomField

    field = CustomField.objects.create(
        workspace=personas.workspace_a, key="city", label="City", type="text"
    )
    segment = _segment(
        personas.workspace_a,
        personas.alice,
        fields=[{"field": "city", "op": "set"}],
    )
    services.update_campaign(campaign, personas.alice, segment=segment)
    field.delete()
    with translation.override("en"), pytest.raises(services.CampaignError, match="cannot be used"):
        services.start(campaign, personas.alice)
    client.force_login(personas.alice)
    client.cookies["django_language"] = "en"
    shown = page(client.get(f"/w/{personas.workspace_a.slug}/mailing/{campaign.pk}/")).text
    assert "The segment cannot be used" in shown
    assert "Choose an audience that can be read before sending." in shown


def test_saving_a_draft_whose_segment_was_deleted_asks_before_everyone(
    personas: Any, vips: dict[str, Any], campaign: Any, client: Client
) -> None:
    from ambassade.community import crm

    segment = _segment(personas.workspace_a, personas.alice)
    services.update_campaign(campaign, personas.alice, segment=segment)
    crm.delete_segment(segment, personas.alice)
    client.force_login(personas.alice)
    client.cookies["django_language"] = "en"
    url = f"/w/{personas.workspace_a.slug}/mailing/{campaign.pk}/edit/"
    form = {
        "name": "Fixed a typo",
        "connection": campaign.connection_id,
        "segment": "",
        "subject_fr": campaign.subject_fr,
        "body_fr": campaign.body_fr,
        "rate_per_hour": "3600",
    }
    refused = page(client.post(url, form)).text
    assert "Its segment was deleted: choose another segment, or confirm" in refused
    campaign.refresh_from_db()
    assert campaign.name == "Nouveau café" and campaign.segment_deleted
    assert client.post(url, form | {"everyone_instead": "on"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Fixed a typo" and not campaign.segment_deleted
