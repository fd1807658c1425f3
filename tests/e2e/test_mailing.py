"""A campaign as its author clicks through it in Chromium: started from a segment's "Write an
e-mail to this segment", composed in French and English with a variable, previewed, test-sent,
sent, and received by a real SMTP server (aiosmtpd on loopback) once per person of the segment
with consent (and by nobody outside it); the recipient then unsubscribes in one click."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in
from tests.mailing.conftest import (  # noqa: F401  (fixtures used by this test)
    _mailing_settings,
    audience,
    connection,
    dovecot,
    mailbox,
    mailbox_factory,
    smtp,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def immediate() -> Iterator[None]:
    """The task the "Send" button enqueues runs at once, in the request."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


def test_a_campaign_is_composed_tested_sent_and_received(
    page: Any,
    live_server: Any,
    personas: Personas,
    audience: Any,  # noqa: F811
    connection: Any,  # noqa: F811
    smtp: Any,  # noqa: F811
    immediate: None,
) -> None:
    from ambassade.community import crm
    from ambassade.community.models import MemberTag
    from ambassade.mailing.models import Campaign, Recipient

    workspace = personas.workspace_a
    for member in (audience.ana, audience.bruno, audience.denis):
        MemberTag.objects.create(workspace=workspace, member=member, name="vip")
    crm.save_segment(workspace, personas.alice, name="VIP", definition={"tags": {"any": ["vip"]}})

    _log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/w/{workspace.slug}/mailing/")
    page.get_by_text("3 people receive a campaign sent to every member").wait_for()
    page.goto(f"{live_server.url}/w/{workspace.slug}/community/segments/")
    page.get_by_role("link", name="Write an e-mail to this segment").click()
    page.wait_for_url("**/mailing/new/?segment=*")
    assert page.locator("#id_segment option:checked").inner_text() == "VIP"
    page.get_by_label("Name", exact=True).fill("Winter news")
    page.get_by_label("Subject (French)").fill("Du nouveau, {{ first_name }}")
    page.get_by_label("Text (French)").fill("Bonjour {{ prenom }},\n\nhttps://cafe.example/hiver")
    page.get_by_label("Subject (English)").fill("Something new")
    page.get_by_label("Text (English)").fill('Hello {{ first_name|"there" }}!')
    page.get_by_role("button", name="Save").click()
    page.get_by_text("unknown variable {{ prenom }}").wait_for()
    page.get_by_label("Text (French)").fill(
        'Bonjour {{ first_name|"à vous" }},\n\nhttps://cafe.example/hiver'
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Campaign saved.").wait_for()
    assert page.locator("[data-subject]").first.inner_text() == "Du nouveau, Ana"
    assert (
        "2 people will receive this campaign" in page.locator("[data-audience-count]").inner_text()
    )
    assert page.locator("[data-left-out] li").all_inner_texts() == [
        "1 never agreed to receive e-mails"
    ]

    page.get_by_label("Send a test to").fill("camille@brand.example")
    page.locator("#id_lang").select_option("fr")
    page.get_by_role("button", name="Send the test").click()
    page.get_by_text("Test sent to camille@brand.example.").wait_for()
    assert smtp.handler.received[-1][0].rcpt_tos == ["camille@brand.example"]

    page.get_by_label("I have checked the preview and a test").check()
    page.get_by_role("button", name="Send the campaign").click()
    page.get_by_text("Sending to 2 people.").wait_for()
    page.get_by_text("2 of 2 done (100 %).").wait_for()
    campaign = Campaign.objects.get(name="Winter news")
    assert campaign.state == Campaign.State.SENT
    people = [rcpt for envelope, _data in smtp.handler.received[1:] for rcpt in envelope.rcpt_tos]
    # Chloé gave consent but is not in the segment; Denis is in it without consent.
    assert sorted(people) == ["ana@reader.example", "bruno@reader.example"]

    # Ana unsubscribes from the page of her e-mail's link.
    token = Recipient.objects.get(campaign=campaign, email="ana@reader.example").token
    page.goto(f"{live_server.url}/u/{token}/")
    page.get_by_role("button", name="Se désinscrire").click()
    page.get_by_text("Vous êtes désinscrit.").wait_for()
