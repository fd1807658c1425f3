"""Opens and clicks of events' e-mails (events/tracking.py), counted as the campaigns' are: tracked
links through /l/<code>, the open pixel when the event asks, each first open and click once on the
member's timeline, on the event's E-mails page and in its CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.urls import reverse

from ambassade.community import consent
from ambassade.community.models import Activity, Member, MemberTag, Segment
from ambassade.events import invitations, services, tracking
from ambassade.events import mail as event_mail
from ambassade.events.models import Email, EventLink, Invitation
from tests.workspaces.html import parse

TRACKED = re.compile(re.escape(settings.BASE_URL) + r"/l/\S+")


def tracked_links(body: str) -> list[str]:
    return TRACKED.findall(body)


def follow(client: Any, url: str) -> Any:
    parts = urlsplit(url)
    return client.get(parts.path + "?" + parts.query)


def test_the_links_of_an_events_e_mails_are_counted_and_lead_where_they_did(
    client: Any, make_event: Any
) -> None:
    event = make_event(capacity=5)
    other_event = make_event(title_en="Another")
    rsvp = services.register(event, name="Zoé", email="zoe@example.com", lang="en", consent=True)
    assert event_mail.send(rsvp.rsvp.pk, "status")
    (message,) = mail.outbox
    ticket = services.ticket_url(rsvp.rsvp)
    assert ticket not in message.body and services.private_token(rsvp.rsvp) not in message.body
    assert "/events/consent/" in message.body  # the withdrawal link is never tracked
    assert not message.alternatives  # opens are not counted: no HTML, no image
    (link,) = tracked_links(message.body)
    email = Email.objects.get()
    assert email.token and f"r={email.token}" in link
    # The ticket link leads to the person's ticket; counted once on the timeline.
    response = follow(client, link)
    assert response.status_code == 302 and response["Location"] == ticket
    follow(client, link)
    email.refresh_from_db()
    assert email.clicks == 2 and email.clicked_at is not None
    member = rsvp.rsvp.identity.member
    clicks = Activity.objects.filter(identity__member=member, kind="email_click")
    assert [(a.source, a.source_id) for a in clicks] == [("events.email_click", email.pk)]
    assert EventLink.objects.get(kind="ticket").clicks == 2
    # Without the recipient's token, or with another event's, the ticket link leads to the
    # event's page and counts for nobody.
    code = urlsplit(link).path.rsplit("/", 1)[1]
    bare = client.get(reverse("publishing:short_link", args=[code]))
    assert bare["Location"] == services.public_url(event)
    stranger = services.register(
        other_event, name="Al", email="al@example.com", lang="en", consent=True
    )
    event_mail.send(stranger.rsvp.pk, "status")
    foreign = tracking.ensure_token(Email.objects.get(rsvp=stranger.rsvp))
    crossed = client.get(reverse("publishing:short_link", args=[code]), {"r": foreign})
    assert crossed["Location"] == services.public_url(event)
    assert Email.objects.get(rsvp=stranger.rsvp).clicks == 0


def test_opens_are_counted_when_the_event_asks_once_on_the_timeline(
    client: Any, make_event: Any
) -> None:
    event = make_event(track_opens=True, followup_en="Thanks {name}: https://example.org/photos")
    rsvp = services.register(event, name="Zoé", email="zoe@example.com", lang="en", consent=True)
    rsvp.rsvp.checked_in_at = rsvp.rsvp.registered_at
    rsvp.rsvp.save()
    assert event_mail.send(rsvp.rsvp.pk, "followup")
    (message,) = mail.outbox
    (html, kind) = message.alternatives[0]
    assert kind == "text/html"
    email = Email.objects.get()
    pixel = reverse("events:open", args=[email.token])
    assert pixel in html
    # The follow-up's own link is tracked, in the text and the HTML.
    (link,) = tracked_links(message.body)
    assert f'href="{link.replace("&", "&amp;")}"' in html
    assert follow(client, link)["Location"] == "https://example.org/photos"
    for _ in range(2):
        image = client.get(pixel)
        assert image.status_code == 200 and image["Content-Type"] == "image/gif"
    email.refresh_from_db()
    assert email.opened_at is not None
    member = rsvp.rsvp.identity.member
    assert Activity.objects.filter(identity__member=member, kind="email_open").count() == 1
    # An event that does not ask counts no open, and any token gets the same image.
    event.track_opens = False
    event.save()
    Email.objects.filter(pk=email.pk).update(opened_at=None)
    assert client.get(pixel).status_code == 200
    assert client.get(reverse("events:open", args=["e" + "x" * 40])).status_code == 200
    assert Email.objects.get(pk=email.pk).opened_at is None


def test_an_event_that_counts_no_clicks_keeps_its_links(make_event: Any) -> None:
    event = make_event(track_clicks=False)
    rsvp = services.register(event, name="Zoé", email="zoe@example.com", lang="en", consent=True)
    assert event_mail.send(rsvp.rsvp.pk, "status")
    (message,) = mail.outbox
    assert services.ticket_url(rsvp.rsvp) in message.body and not tracked_links(message.body)
    assert not EventLink.objects.exists()


def test_invitations_opens_and_clicks_show_on_the_emails_page_its_csv_and_the_timeline(
    client: Any, personas: Any, make_event: Any
) -> None:
    ws = personas.workspace_a
    ana = Member.objects.create(workspace=ws, display_name="Ana", email="ana@x.org")
    ana.identities.create(workspace=ws, network="email", handle="ana@x.org")
    MemberTag.objects.create(workspace=ws, member=ana, name="guests")
    consent.record(ana, personas.alice, "events", "granted", proof="Said yes")
    segment = Segment.objects.create(
        workspace=ws, name="Guests", definition={"tags": {"any": ["guests"]}}
    )
    event = make_event(capacity=None, track_opens=True)
    invitations.invite_segment(event, personas.alice, segment)
    assert event_mail.send_invitations(event.pk).sent == 1
    (message,) = mail.outbox
    (link,) = tracked_links(message.body)
    assert follow(client, link)["Location"] == services.public_url(event)
    invitation = Invitation.objects.get()
    client.get(reverse("events:open", args=[invitation.token]))
    invitation.refresh_from_db()
    assert invitation.clicks == 1 and invitation.clicked_at and invitation.opened_at
    sources = set(Activity.objects.filter(identity__member=ana).values_list("source", flat=True))
    assert {"events.invitation_open", "events.invitation_click"} <= sources

    client.force_login(personas.bob)
    page = parse(client.get(reverse("events:emails", args=[ws.slug, event.pk])).content)
    stats = {
        s.attrs["data-tracked"]: s.find("span", class_="stat-value").text  # type: ignore[union-attr]
        for s in page.find_all("div", class_="stat")
        if "data-tracked" in s.attrs
    }
    assert stats == {"opened": "1", "clicked": "1"}
    row = page.find("tr", data_kind="invitation")
    assert row is not None
    clicked, opened = row.find("td", data_clicked=True), row.find("td", data_opened=True)
    assert clicked is not None and "(1 click)" in clicked.text
    assert opened is not None and opened.find("time") is not None
    body = b"".join(
        client.get(reverse("events:emails_csv", args=[ws.slug, event.pk])).streaming_content
    ).decode()
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert lines[0][-3:] == ["Opened", "Clicked", "Clicks"]
    assert lines[1][-1] == "1" and lines[1][-2] and lines[1][-3]
    # The member's timeline says which event and e-mail, linked to the E-mails page.
    member_page = client.get(reverse("community:member", args=[ws.slug, ana.pk])).content.decode()
    assert "Link clicked in an e-mail" in member_page and "Latte art evening — invitation" in (
        member_page
    )
    assert reverse("events:emails", args=[ws.slug, event.pk]) in member_page
    # In French too.
    french = client.get(
        reverse("events:emails", args=[ws.slug, event.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    headers = [th.text for th in parse(french.content).find_all("th")]
    assert "Ouverts" in headers and "Cliqués" in headers
