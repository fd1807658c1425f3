"""Invitations to a saved segment (events/invitations.py) and the event's e-mails with their states
(events/deliveries.py): consent respected, each member and address once, all or nothing; the page
in English and French, and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambassade.community import consent
from ambassade.community.models import Consent, Member, MemberTag, Segment
from ambassade.events import invitations, services, withdrawal
from ambassade.events import mail as event_mail
from ambassade.events.models import Email, Invitation
from ambassade.publishing import links
from tests.events.conftest import STARTS
from tests.workspaces.html import parse

NOW = STARTS - timedelta(days=7)


def _member(personas: Any, name: str, email: str, *, events: str = "", lang: str = "") -> Member:
    member = Member.objects.create(
        workspace=personas.workspace_a, display_name=name, email=email, language=lang
    )
    MemberTag.objects.create(workspace=personas.workspace_a, member=member, name="guests")
    if events:
        consent.record(
            member, personas.alice, "events", events, proof="Said yes at the counter", at=NOW
        )
    return member


@pytest.fixture
def guests(personas: Any, make_event: Any) -> dict[str, Any]:
    people = {
        "ana": _member(personas, "Ana", "ana@x.org", events="granted", lang="fr"),
        "ben": _member(personas, "Ben", "ben@x.org"),  # no consent
        "cleo": _member(personas, "Cleo", "", events="granted"),  # no address
        "dan": _member(personas, "Dan", "dan@x.org", events="granted"),
        "eve": _member(personas, "Eve", "Eve@X.org", events="granted"),  # registered already
        "fia": _member(personas, "Fia", "fia@x.org", events="granted"),
        "fia2": _member(personas, "Fia again", "FIA@x.org", events="granted"),  # same address
    }
    consent.record(
        people["dan"], personas.alice, "events", "withdrawn", proof="Asked", at=NOW + timedelta(1)
    )
    event = make_event(capacity=None)
    services.register(event, name="Eve", email="eve@x.org", lang="en", consent=False, now=NOW)
    segment = Segment.objects.create(
        workspace=personas.workspace_a, name="Guests", definition={"tags": {"any": ["guests"]}}
    )
    return {"event": event, "segment": segment, **people}


def test_it_invites_the_segment_with_consent_each_member_and_address_once(
    guests: dict[str, Any], personas: Any
) -> None:
    event, segment = guests["event"], guests["segment"]
    outcome = invitations.invite_segment(event, personas.alice, segment, now=NOW)
    assert outcome.invited == 2
    assert outcome.left_out == {"no_consent": 2, "no_address": 1, "registered": 1, "duplicate": 1}
    rows = {i.email: i for i in Invitation.objects.filter(event=event)}
    assert set(rows) == {"ana@x.org", "fia@x.org"}
    assert rows["ana@x.org"].lang == "fr" and rows["fia@x.org"].member == guests["fia"]
    # Again: nobody is invited twice.
    again = invitations.invite_segment(event, personas.alice, segment, now=NOW)
    assert again.invited == 0 and again.left_out["already_invited"] == 2
    assert Invitation.objects.filter(event=event).count() == 2
    # The e-mails, each in the person's language, sent once.
    assert event_mail.send_invitations(event.pk).sent == 2
    assert event_mail.send_invitations(event.pk).sent == 0
    by_address = {m.to[0]: m for m in mail.outbox}
    french = by_address["ana@x.org"]
    assert french.subject == "Invitation : Soirée latte art"
    assert "Café Lumière SAS" in french.body
    # Its link to the event's page is counted (events/tracking.py) and leads there.
    (link,) = [word for word in french.body.split() if "/l/" in word]
    code, _sep, query = link.split("/l/")[1].partition("?r=")
    assert links.count_click(code, {"r": query}) == services.public_url(event)
    # Its link withdraws the consent: a later invitation to her is not sent.
    link = french.body.split("/events/consent/")[1].split()[0].rstrip("/")
    invitation = withdrawal.invitation_for_token(link)
    assert invitation is not None and invitation.email == "ana@x.org"
    assert withdrawal.withdraw_invitation(invitation, now=NOW).recorded
    assert not consent.has_consent(guests["ana"], "events")


def test_a_withdrawal_before_sending_skips_the_invitation(
    guests: dict[str, Any], personas: Any
) -> None:
    invitations.invite_segment(guests["event"], personas.alice, guests["segment"], now=NOW)
    consent.record(
        guests["fia"], personas.alice, "events", "withdrawn", proof="Phoned", at=NOW + timedelta(1)
    )
    result = event_mail.send_invitations()
    assert (result.sent, result.skipped) == (1, 1)
    assert [m.to for m in mail.outbox] == [["ana@x.org"]]


def test_it_invites_nobody_when_the_segment_or_the_event_refuses(
    guests: dict[str, Any], personas: Any, make_event: Any
) -> None:
    broken = Segment.objects.create(
        workspace=personas.workspace_a,
        name="Broken",
        definition={"fields": [{"field": "city", "op": "eq", "value": "Paris"}]},
    )
    with pytest.raises(services.EventError) as refused:
        invitations.invite_segment(guests["event"], personas.alice, broken, now=NOW)
    assert refused.value.message.code == "event.segment_broken"
    assert refused.value.message.params == {"segment": "Broken"}
    closed = make_event(rsvp_open=False)
    with pytest.raises(services.EventError) as late:
        invitations.invite_segment(closed, personas.alice, guests["segment"], now=NOW)
    assert late.value.message.code == "event.invite_closed"
    other = Segment.objects.create(workspace=personas.workspace_b, name="B", definition={})
    with pytest.raises(services.EventError):
        invitations.invite_segment(guests["event"], personas.alice, other, now=NOW)
    assert not Invitation.objects.exists()


def test_the_emails_page_shows_each_state_with_counts_reasons_and_csv(
    guests: dict[str, Any], personas: Any, client: Any
) -> None:
    event, slug = guests["event"], personas.workspace_a.slug
    client.force_login(personas.alice)
    response = client.post(
        reverse("events:event_invite", args=[slug, event.pk]), {"segment": guests["segment"].pk}
    )
    assert response.status_code == 302 and Invitation.objects.count() == 2
    # Eve's ticket went; Ana's invitation failed for good; Fia's is queued; one ticket perhaps sent.
    rsvp = event.rsvps.get()
    ticket = Email.objects.create(
        workspace=personas.workspace_a, rsvp=rsvp, what="status", status="confirmed", state="sent"
    )
    Email.objects.filter(pk=ticket.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    Email.objects.create(
        workspace=personas.workspace_a, rsvp=rsvp, what="reminder", state="unknown", attempts=1
    )
    Invitation.objects.filter(email="ana@x.org").update(
        state="failed", attempts=5, error="SMTPRecipientsRefused: {'ana@x.org': (550, b'no')}"
    )
    # Eve's address bounced (read back by the campaigns) after her ticket was sent.
    Consent.objects.create(
        workspace=personas.workspace_a,
        member=rsvp.identity.member,
        purpose="emailing",
        state="withdrawn",
        source="bounce",
        proof="5.1.1",
    )
    url = reverse("events:emails", args=[slug, event.pk])
    page = parse(client.get(url).content)
    counts = {
        s.attrs["data-state"]: s.find("span", class_="stat-value").text
        for s in page.find("div", data_email_counts=True).find_all("div", class_="stat")
        if "data-state" in s.attrs
    }
    assert counts == {
        "queued": "1",
        "sending": "0",
        "sent": "0",
        "bounced": "1",
        "failed": "1",
        "unknown": "1",
        "skipped": "0",
    }
    states = {
        (r.attrs["data-kind"], r.attrs["data-state"])
        for r in page.find_all("tr")
        if "data-kind" in r.attrs
    }
    assert states == {
        ("invitation", "failed"),
        ("invitation", "queued"),
        ("confirmed", "bounced"),
        ("reminder", "unknown"),
    }
    assert "The e-mail server refused the address." in page.text
    french = parse(client.get(url + "?state=failed", HTTP_ACCEPT_LANGUAGE="fr").content)
    assert len([r for r in french.find_all("tr") if "data-kind" in r.attrs]) == 1
    assert "Le serveur de messagerie a refusé l’adresse." in french.text
    assert "Échec" in french.text
    csv_url = reverse("events:emails_csv", args=[slug, event.pk])
    body = b"".join(client.get(csv_url + "?kind=invitation").streaming_content).decode()
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert lines[0][:5] == ["E-mail", "Name", "E-mail address", "State", "Reason"]
    assert sorted((line[2], line[3], line[4]) for line in lines[1:]) == [
        ("ana@x.org", "Failed", "The e-mail server refused the address."),
        ("fia@x.org", "Queued", ""),
    ]
    # The event page links there and offers the segments.
    event_page = parse(client.get(reverse("events:event", args=[slug, event.pk])).content)
    assert [o.text for o in event_page.find("select", id="invite-segment").find_all("option")] == [
        "Guests"
    ]
    assert "2 people invited so far." in event_page.text


def test_a_failure_stored_coded_by_the_queue_reads_in_the_readers_language(
    guests: dict[str, Any], personas: Any
) -> None:
    import smtplib

    from django.utils import translation

    from ambassade.events import deliveries
    from ambassade.workspaces import mailqueue

    invitations.invite_segment(guests["event"], personas.alice, guests["segment"], now=NOW)
    refused = smtplib.SMTPRecipientsRefused({"ana@x.org": (550, b"no such user")})
    Invitation.objects.filter(email="ana@x.org").update(
        state="failed", error=mailqueue.reason(refused)
    )
    (row,) = [r for r in deliveries.of_event(guests["event"]) if r.email == "ana@x.org"]
    assert row.reason is not None and row.reason.code == "mail.recipients_refused"
    with translation.override("en"):
        english = str(row.reason)
    with translation.override("fr"):
        french = str(row.reason)
    assert "550 no such user" in english and english != french
