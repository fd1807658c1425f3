"""What recipients do: one-click unsubscribe (RFC 8058) and the public page, clicks through the
short links, opens when counted; each once on the member's timeline, unsubscription as a consent
withdrawal with its proof."""

from __future__ import annotations

from typing import Any

from django.test import Client

from ambassade.community import consent
from ambassade.community.models import Activity, Consent
from ambassade.mailing import audiences, sending, services
from ambassade.mailing.models import Campaign, CampaignLink, Recipient
from tests.mailing.conftest import Audience


def sent(personas: Any, campaign: Any) -> None:
    services.start(campaign, personas.alice)
    assert sending.run(campaign.pk).finished


def test_one_click_unsubscribe_withdraws_consent_once(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    sent(personas, campaign)
    row = Recipient.objects.get(email="ana@reader.example")
    client = Client()
    url = f"/u/{row.token}/"
    # Opening the page (a link scanner does) unsubscribes nobody; it is in the e-mail's language
    # and shows the brand and the person's own address, nothing else.
    page = client.get(url)
    assert page.status_code == 200 and page["Content-Language"] == "fr"
    assert "ana@reader.example" in page.content.decode() and "Brand A" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert consent.has_consent(audience.ana, "emailing")
    # The mail client's one-click POST: no cookie, no CSRF token.
    answer = Client(enforce_csrf_checks=True).post(
        url, {"List-Unsubscribe": "One-Click"}, HTTP_USER_AGENT="GMail"
    )
    assert answer.status_code == 200
    assert not consent.has_consent(audience.ana, "emailing")
    latest = Consent.objects.filter(member=audience.ana).first()
    assert latest is not None and latest.source == Consent.Source.UNSUBSCRIBE
    assert "one-click" in latest.proof and f"campaign #{campaign.pk}" in latest.proof
    assert "GMail" in latest.proof
    # Again: nothing more recorded.
    client.post(url, {"List-Unsubscribe": "One-Click"})
    assert Consent.objects.filter(member=audience.ana).count() == 2
    assert Activity.objects.filter(kind="email_unsubscribe").count() == 1
    done = client.get(url).content.decode()
    assert "désinscrit" in done
    # The next campaign leaves them out.
    assert not list(audiences.recipients(personas.workspace_a, only=[audience.ana.pk]))
    assert client.get("/u/not-a-token/").status_code == 404


def test_the_unsubscribe_page_button(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    sent(personas, campaign)
    row = Recipient.objects.get(email="chloe@reader.example")
    page = Client().post(f"/u/{row.token}/")
    assert page.status_code == 200 and "You are unsubscribed" in page.content.decode()
    assert not consent.has_consent(audience.chloe, "emailing")
    assert "unsubscribe page" in Consent.objects.filter(member=audience.chloe).first().proof


def test_clicks_go_through_the_short_links_and_count_per_person(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    sent(personas, campaign)
    link = CampaignLink.objects.get(campaign=campaign, target="https://cafe.example/nouveau?x=1")
    row = Recipient.objects.get(email="bruno@reader.example")
    client = Client()
    for _ in range(2):
        answer = client.get(f"/l/{link.code}?r={row.token}")
        assert (
            answer.status_code == 302 and answer["Location"] == "https://cafe.example/nouveau?x=1"
        )
    # Without a recipient (forwarded, the token cut): counted on the link only.
    assert client.get(f"/l/{link.code}").status_code == 302
    link.refresh_from_db()
    row.refresh_from_db()
    assert link.clicks == 3 and row.clicks == 2 and row.clicked_at is not None
    assert Activity.objects.filter(kind="email_click").count() == 1
    assert sending.progress(campaign).clicked == 1
    assert client.get("/l/mnothing1").status_code == 404


def test_opens_are_counted_only_when_the_campaign_asks(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    sent(personas, campaign)
    row = Recipient.objects.get(email="ana@reader.example")
    client = Client()
    pixel = client.get(f"/m/o/{row.token}.gif")
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    row.refresh_from_db()
    assert row.opened_at is None  # the campaign does not count opens
    assert "/m/o/" not in str(smtp.handler.received[0][1])
    Campaign.objects.filter(pk=campaign.pk).update(track_opens=True)
    client.get(f"/m/o/{row.token}.gif")
    client.get(f"/m/o/{row.token}.gif")
    row.refresh_from_db()
    assert row.opened_at is not None
    assert Activity.objects.filter(kind="email_open").count() == 1
    # Any token gets the same image: nothing tells a guesser what exists.
    assert client.get("/m/o/nothing.gif").status_code == 200
