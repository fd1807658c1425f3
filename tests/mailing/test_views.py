"""The campaign pages: written with a template error named in the form, previewed per language,
tested to an address, sent with a confirmation, followed; who may do what."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

from ambassade.mailing import services
from ambassade.mailing.models import Campaign
from tests.mailing.conftest import BODY_EN, BODY_FR, Audience


class Page:
    def __init__(self, content: str) -> None:
        self.html = content
        self.text = html.unescape(re.sub(r"<[^>]+>", "", content))


def page(response: Any) -> Page:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode())


def test_a_campaign_is_written_previewed_tested_and_sent(
    personas: Any,
    people: dict[str, Any],
    audience: Audience,
    connection: Any,
    smtp: Any,
    client: Client,
    no_enqueue: None,
) -> None:
    client.force_login(personas.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.cookies["django_language"] = "en"
    base = f"/w/{personas.workspace_a.slug}/mailing/"
    listing = page(client.get(base)).text
    assert "3 people receive a campaign sent to every member" in listing
    form = {
        "name": "Nouveau café",
        "connection": connection.pk,
        "subject_fr": "Du nouveau, {{ first_name }}",
        "body_fr": "Bonjour {{ prenom }}",
        "subject_en": "Something new",
        "body_en": BODY_EN,
        "rate_per_hour": "3600",
        "track_clicks": "on",
    }
    refused = page(client.post(base + "new/", form))
    assert "unknown variable {{ prenom }}" in refused.text and "line 1" in refused.text
    assert not Campaign.objects.exists()
    answer = client.post(base + "new/", form | {"body_fr": BODY_FR})
    campaign = Campaign.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"{base}{campaign.pk}/"
    detail = page(client.get(f"{base}{campaign.pk}/"))
    subjects = [
        html.unescape(s) for s in re.findall(r"<span data-subject>([^<]*)</span>", detail.html)
    ]
    # The preview shows the first person of the audience reading each language.
    assert subjects == ["Du nouveau, Ana", "Something new"]
    framed = client.get(f"{base}{campaign.pk}/preview/fr/")
    assert framed.status_code == 200
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert "Bonjour Ana" in framed.content.decode()
    assert client.get(f"{base}{campaign.pk}/preview/de/").status_code == 404
    # A test to an address, in the chosen language.
    client.post(f"{base}{campaign.pk}/test/", {"email": "camille@brand.example", "lang": "en"})
    (envelope, data) = smtp.handler.received[-1]
    assert envelope.rcpt_tos == ["camille@brand.example"] and b"[Test] Something new" in data
    # Sending needs the box ticked.
    client.post(f"{base}{campaign.pk}/send/", {})
    assert Campaign.objects.get().state == "draft"
    client.post(f"{base}{campaign.pk}/send/", {"confirm": "send"})
    campaign.refresh_from_db()
    assert campaign.state == "sending" and campaign.total == 3
    progress = page(client.get(f"{base}{campaign.pk}/progress/"))
    assert "0 of 3 done" in progress.text
    recipients = page(client.get(f"{base}{campaign.pk}/recipients/?state=queued"))
    assert "ana@reader.example" in recipients.text
    # Once sent, it cannot change.
    assert client.get(f"{base}{campaign.pk}/edit/").status_code == 302
    # An editor writes and tests but does not send; an analyst only reads.
    client.force_login(personas.bob)
    assert client.post(f"{base}{campaign.pk}/pause/").status_code == 403
    assert client.get(base + "new/").status_code == 200
    client.force_login(people["analyst"])
    assert client.get(f"{base}{campaign.pk}/").status_code == 200
    assert client.get(base + "new/").status_code == 403


def test_a_test_send_names_the_server_refusal(
    personas: Any, audience: Audience, campaign: Any, smtp: Any
) -> None:
    smtp.handler.refuse_rcpt = "550 5.7.1 Relaying denied"
    try:
        services.test_send(campaign, personas.alice, "x@elsewhere.example", "fr")
    except services.CampaignError as error:
        assert "Relaying denied" in str(error)
    else:
        raise AssertionError("the refusal was not reported")
