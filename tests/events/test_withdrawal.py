"""Consent to event e-mails withdrawn from the link in them (events/withdrawal.py)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils import translation

from ambassade.community.models import Consent
from ambassade.events import mail as event_mail
from ambassade.events import services, withdrawal
from ambassade.events.models import Rsvp


def _link(body: str) -> str:
    found = re.search(r"https?://\S+/events/consent/(\S+)/", body)
    assert found, body
    return reverse("events:withdraw", args=[found.group(1)])


def test_it_withdraws_consent_from_the_link_in_the_emails(
    client: Any, personas: Any, make_event: Any, mailoutbox: list[Any]
) -> None:
    event = make_event(organiser="Café <b>Lumière</b>")
    rsvp = services.register(
        event, name="Zoé", email="zoe@example.com", lang="fr", consent=True
    ).rsvp
    assert event_mail.send(rsvp.pk, "status") and event_mail.send(rsvp.pk, "reminder")
    bodies = [message.body for message in mailoutbox]
    assert len(bodies) == 2
    url = _link(bodies[0])
    assert url == _link(bodies[1])
    assert services.private_token(rsvp) not in url  # the link does not open the ticket
    assert "Plus d'e-mails sur les événements de cet organisateur" in bodies[0]

    # The page, in the registration's language; nothing changes on GET (mail scanners open links).
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "fr"
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Café &lt;b&gt;Lumière&lt;/b&gt;" in body and "Soirée latte art" in body
    assert personas.workspace_a.name not in body and "zoe@example.com" not in body
    assert Rsvp.objects.get(pk=rsvp.pk).consent
    # The person switches the page to English.
    client.cookies["django_language"] = "en"
    assert "Stop e-mails about" in client.get(url).content.decode()

    response = client.post(url, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox")
    assert response.status_code == 200 and b"data-withdrawn" in response.content
    rsvp.refresh_from_db()
    assert not rsvp.consent and rsvp.status == Rsvp.Status.CONFIRMED  # the seat stays
    member = rsvp.identity.member
    latest = member.consents.filter(purpose=Consent.Purpose.EVENTS).first()
    assert latest.state == Consent.State.WITHDRAWN
    assert latest.source == Consent.Source.UNSUBSCRIBE
    assert "203.0.113.9" in latest.proof and f"RSVP #{rsvp.pk}" in latest.proof
    # Once: a second click records nothing more.
    client.post(url)
    assert member.consents.filter(state=Consent.State.WITHDRAWN).count() == 1

    # The member's consent record shows it, with its date and source.
    client.force_login(personas.alice)
    with translation.override("en"):
        page = client.get(
            reverse("community:member", args=[personas.workspace_a.slug, member.pk])
        ).content.decode()
    assert "Unsubscribe link in an e-mail" in page
    assert latest.recorded_at.strftime("%d/%m/%Y") in page


def test_it_cancels_the_registration_when_asked(
    client: Any, make_event: Any, mailoutbox: list[Any]
) -> None:
    event = make_event(capacity=1)
    first = services.register(event, name="A", email="a@example.com", lang="en", consent=True).rsvp
    second = services.register(
        event, name="B", email="b@example.com", lang="en", consent=False
    ).rsvp
    url = reverse("events:withdraw", args=[withdrawal.token(first)])
    response = client.post(url, {"cancel": "yes"})
    assert response.status_code == 200 and b"data-cancelled" in response.content
    assert Rsvp.objects.get(pk=first.pk).status == Rsvp.Status.CANCELLED
    assert Rsvp.objects.get(pk=second.pk).status == Rsvp.Status.CONFIRMED  # the seat went on
    # The link keeps working once cancelled (no registration to cancel any more).
    again = client.get(url)
    assert again.status_code == 200 and b'name="cancel"' not in again.content


def test_it_refuses_a_forged_link(client: Any, make_event: Any) -> None:
    event = make_event()
    rsvp = services.register(event, name="A", email="a@example.com", lang="en", consent=True).rsvp
    ticket = services.private_token(rsvp)
    for token in (ticket, withdrawal.token(rsvp) + "x", "C1.forged", "x" * 5000):
        assert client.get(reverse("events:withdraw", args=[token])).status_code == 404
        assert client.post(reverse("events:withdraw", args=[token])).status_code == 404
    assert Rsvp.objects.get(pk=rsvp.pk).consent
