"""Ambassadors told of a mission by e-mail (through the mailing app's sending, over a real SMTP
server on loopback): only those with consent, once each, in their language, with the one-click
unsubscribe; the team told in its notification centre when members complete one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from ambassade.community import services as community
from ambassade.community.models import Member
from ambassade.mailing import sending
from ambassade.mailing.models import Campaign
from ambassade.missions import announcements, services
from ambassade.missions.models import Announcement
from tests.listening.conftest import NOW, item
from tests.mailing.conftest import (  # noqa: F401  (fixtures used by these tests)
    Audience,
    _mailing_settings,
    add_member,
    audience,
    connection,
    dovecot,
    mailbox,
    mailbox_factory,
    no_enqueue,
    smtp,
)
from tests.mailing.test_sending import received, text_of
from tests.missions.test_services import URL, crowd, mission  # noqa: F401


def send_all(announcement: Announcement) -> None:
    Campaign.objects.filter(pk=announcement.campaign_id).update(rate_per_hour=360_000)
    assert sending.run(announcement.campaign_id).finished


def test_ambassadors_with_consent_are_told_once_in_their_language(
    personas: Any,
    audience: Audience,  # noqa: F811
    connection: Any,  # noqa: F811
    smtp: Any,  # noqa: F811
    no_enqueue: None,  # noqa: F811
) -> None:
    # Ana (French), Chloé (English), Denis (no consent) and Eve (withdrawn) are ambassadors.
    Member.objects.exclude(pk=audience.bruno.pk).update(ambassador=True)
    share = mission(personas, instructions="Say {{ brand }} made your morning.")
    assert set(announcements.untold(share)) == {audience.ana, audience.chloe}
    first = announcements.announce(share, personas.alice, connection)
    assert first.campaign.total == 2 and first.campaign.state == Campaign.State.SENDING
    send_all(first)
    got = received(smtp)
    assert sorted(got) == ["ana@reader.example", "chloe@reader.example"]
    ana = got["ana@reader.example"][0]
    assert ana["Subject"] == "Une mission pour vous : Share the new roast"
    assert ana["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_of(ana)
    assert body.startswith("Bonjour Ana,")
    assert "Partagez ce message : https://ambassade.example/l/" in body  # tracked like any link
    assert "Say { { brand } } made your morning." in body  # typed text is never a variable
    assert "10 points" in body
    chloe = text_of(got["chloe@reader.example"][0])
    assert chloe.startswith("Hello Chloe,") or chloe.startswith("Hello there,")
    assert "Share this post: https://ambassade.example/l/" in chloe
    # Told once: nobody is left, until someone new is asked.
    assert announcements.told(share) == 2
    with pytest.raises(services.MissionError) as nobody:
        announcements.announce(share, personas.alice, connection)
    assert nobody.value.message.code == "mission.nobody_to_tell"
    Member.objects.filter(pk=audience.bruno.pk).update(ambassador=True)
    second = announcements.announce(share, personas.alice, connection)
    send_all(second)
    assert second.campaign.total == 1 and len(smtp.handler.received) == 3
    assert sorted(received(smtp)) == sorted([*got, "bruno@reader.example"])
    # A member merged into one already told is not told again at the same address.
    twin = add_member(personas.workspace_a, "Ana bis", "ANA@reader.example", handle="ana_bis")
    Member.objects.filter(pk=twin.pk).update(ambassador=True)
    assert list(announcements.untold(share)) == []
    community.merge_members(audience.ana, twin, personas.alice)
    assert list(announcements.untold(share)) == []


def test_the_team_is_told_when_members_complete_a_mission(
    personas: Any,
    source: Any,
    ingest: Any,
    crowd: None,  # noqa: F811
) -> None:
    from ambassade.crisis.models import Notification

    share = mission(personas)
    ingest(source, [item("1", URL, handle="ana", at=NOW), item("2", URL, handle="ben", at=NOW)])
    services.match_new(personas.workspace_a.pk)
    # One line for the batch, in the author's centre, worded in the reader's language.
    found = Notification.objects.get(user=personas.alice)
    assert found.link == f"/w/{personas.workspace_a.slug}/missions/{share.pk}/"
    with translation.override("fr"):
        assert str(found.title) in {
            f"2 membres ont accompli la mission « Share the new roast », dont {name}"
            for name in ("Ana", "Ben")
        }
    with translation.override("en"):
        assert "2 members completed the mission “Share the new roast”, " in str(found.title)
    # Marked by hand: the team knows already.
    services.mark_done(share, Member.objects.get(identities__handle="cleo"), personas.bob)
    assert Notification.objects.filter(user=personas.alice).count() == 1
    # Its author gone from the workspace: the owners and managers are told.
    late = mission(personas, title="Later", starts_at=NOW + timedelta(hours=1))
    late.created_by = None
    late.save()
    ingest(source, [item("3", URL, handle="ana", at=NOW + timedelta(hours=2))])
    services.match_new(personas.workspace_a.pk)
    assert Notification.objects.filter(link__endswith=f"/missions/{late.pk}/").exists()


def tell_card(html: str) -> Any:
    from tests.workspaces.html import parse

    found = [
        s for s in parse(html).find_all("section") if s.attrs.get("aria-labelledby") == "h-tell"
    ]
    assert len(found) == 1
    return found[0]


def test_the_mission_page_tells_them_for_those_who_may_send(
    client: Any,
    personas: Any,
    audience: Audience,  # noqa: F811
    connection: Any,  # noqa: F811
    no_enqueue: None,  # noqa: F811
) -> None:
    from django.urls import reverse

    Member.objects.update(ambassador=True)
    share = mission(personas)
    slug = personas.workspace_a.slug
    page = reverse("missions:mission", args=[slug, share.pk])
    announce = reverse("missions:mission_announce", args=[slug, share.pk])
    # An editor manages missions but does not send e-mails to the community.
    client.force_login(personas.bob)
    assert "h-tell" not in client.get(page).content.decode()
    assert client.post(announce, {"announce_from": connection.pk}).status_code == 403
    client.force_login(personas.alice)
    card = tell_card(client.get(page).content.decode())
    assert "3 members it is for agreed to receive e-mails and were not told yet." in card.text
    refused = client.post(announce, {"announce_from": "nonsense"})
    assert refused.status_code == 200 and not Announcement.objects.exists()
    response = client.post(announce, {"announce_from": connection.pk}, follow=True)
    assert "3 members will be told by e-mail." in response.content.decode()
    card = tell_card(response.content.decode())
    assert "3 addresses told of it." in card.text and card.find("form") is None
    # From the mission's form too, when it is made.
    fields = {
        "title": "Tag us",
        "kind": "hashtag",
        "hashtag": "cafelumiere",
        "points": "5",
        "starts_at": (NOW - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "ends_at": (NOW + timedelta(days=7)).strftime("%Y-%m-%d %H:%M"),
        "audience": "ambassadors",
        "tell-announce_from": str(connection.pk),
    }
    client.post(reverse("missions:mission_new", args=[slug]), fields)
    assert Announcement.objects.filter(mission__title="Tag us").get().campaign.total == 3
