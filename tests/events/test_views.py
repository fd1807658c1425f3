"""Event pages: the organiser's, the public page with its RSVP form, the ticket with cancellation,
the calendar files, and the check-in page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from icalendar import Calendar

from ambassade.events import services
from ambassade.events.models import Event, Rsvp
from tests.events.conftest import STARTS

HOSTILE = '<script>alert("x")</script>'


def test_it_creates_an_event_from_the_form(client: Any, personas: Any) -> None:
    client.force_login(personas.bob)  # an editor
    url = reverse("events:event_new", args=[personas.workspace_a.slug])
    assert client.get(url).status_code == 200
    data = {
        "title_en": "Cupping",
        "title_fr": "Dégustation",
        "organiser": "Café Lumière SAS",
        "format": "online",
        "online_url": "https://meet.example/cupping",
        "starts_at": "2031-05-02T18:00",
        "ends_at": "2031-05-02T20:00",
        "time_zone": "Europe/Paris",
        "capacity": "30",
        "waitlist": "on",
        "rsvp_open": "on",
        "reminder_hours": "24",
        "followup_en": "Thanks {name}",
    }
    bad = client.post(
        url, {**data, "ends_at": "2031-05-02T17:00", "online_url": "", "followup_en": "Hi {nom}"}
    )
    assert bad.status_code == 200 and not Event.objects.exists()
    for text in (b"must end after it starts", b"needs its link", b"Use only the variables"):
        assert text in bad.content
    response = client.post(url, data)
    event = Event.objects.get()
    assert response.status_code == 302 and event.capacity == 30
    # 18:00 in Paris in May is 16:00 UTC.
    assert event.starts_at.isoformat() == "2031-05-02T16:00:00+00:00"
    page = client.get(reverse("events:event", args=[personas.workspace_a.slug, event.pk]))
    assert services.public_url(event).encode() in page.content


def test_it_refuses_the_organisers_actions_to_an_analyst(
    client: Any, personas: Any, make_event: Any
) -> None:
    from ambassade.workspaces import services as ws
    from ambassade.workspaces.models import Membership, Role

    analyst = ws.create_user("an@example.com", "pw-long-enough-123", "An")
    Membership.objects.create(workspace=personas.workspace_a, user=analyst, role=Role.ANALYST)
    event = make_event()
    client.force_login(analyst)
    slug = personas.workspace_a.slug
    assert client.get(reverse("events:event", args=[slug, event.pk])).status_code == 200
    assert client.get(reverse("events:event_new", args=[slug])).status_code == 403
    assert client.get(reverse("events:check_in", args=[slug, event.pk])).status_code == 403


def test_it_takes_an_rsvp_on_the_public_page_in_french(
    client: Any, personas: Any, make_event: Any
) -> None:
    event = make_event(title_fr=HOSTILE, description_fr=HOSTILE, organiser=HOSTILE)
    url = reverse("events:public", args=[event.token])
    client.cookies["django_language"] = "fr"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    body = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex, nofollow"
    assert HOSTILE not in body and "&lt;script&gt;" in body
    assert personas.workspace_a.name not in body
    assert "2 places restantes" in body and "18:30" in body  # Paris time
    response = client.post(
        url,
        {"name": "Zoé", "email": "zoe@example.com", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="fr",
        REMOTE_ADDR="203.0.113.5",
    )
    rsvp = Rsvp.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:ticket", args=[services.private_token(rsvp)])
    assert rsvp.lang == "fr" and rsvp.consent and rsvp.status == "confirmed"
    ticket = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    assert b"<svg" in ticket.content and rsvp.code.encode() in ticket.content
    again = client.post(url, {"name": "Zoé", "email": "ZOE@example.com"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert again.status_code == 200 and rsvp.code.encode() not in again.content
    assert Rsvp.objects.count() == 1


def test_it_refuses_robots_and_floods(client: Any, make_event: Any) -> None:
    event = make_event(capacity=None)
    url = reverse("events:public", args=[event.token])
    robot = {"name": "Bot", "email": "bot@example.com", "website": "x"}
    page = client.post(url, robot, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.9")
    # A clear error (a browser's autofill may fill it too), not a 404 that says nothing.
    assert page.status_code == 200 and b"a field meant to stay empty was filled" in page.content
    page = client.post(url, robot, HTTP_ACCEPT_LANGUAGE="fr", REMOTE_ADDR="198.51.100.9")
    assert "un champ qui doit rester vide" in page.content.decode()
    assert b"Leave this field empty" not in page.content  # its label is in French too
    assert 'name="website" id="id_website" tabindex="-1" autocomplete="off">' in (
        page.content.decode()
    )  # never given back its value: sent again, the form goes through
    assert not Rsvp.objects.exists()
    for n in range(services.RSVPS_PER_HOUR):
        client.post(url, {"name": f"P{n}", "email": f"p{n}@example.com"})
    refused = client.post(url, {"name": "One more", "email": "more@example.com"})
    assert refused.status_code == 200 and b"Too many registrations" in refused.content
    assert Rsvp.objects.count() == services.RSVPS_PER_HOUR


def test_it_cancels_from_the_private_link_and_promotes(client: Any, make_event: Any) -> None:
    event = make_event(capacity=1)
    first = services.register(event, name="A", email="a@example.com", lang="en", consent=False).rsvp
    second = services.register(
        event, name="B", email="b@example.com", lang="en", consent=False
    ).rsvp
    waiting = client.get(reverse("events:ticket", args=[services.private_token(second)]))
    assert b"number 1 in line" in waiting.content and b"<svg" not in waiting.content
    url = reverse("events:ticket", args=[services.private_token(first)])
    response = client.post(url, {"cancel": "yes"})
    assert response.status_code == 200 and b"Your registration is cancelled" in response.content
    assert Rsvp.objects.get(pk=first.pk).status == "cancelled"
    assert Rsvp.objects.get(pk=second.pk).status == "confirmed"
    assert client.get(url + "x").status_code == 404
    assert client.get(reverse("events:ticket", args=["1-abc.forged"])).status_code == 404


def test_it_serves_calendar_files_that_parse_back(client: Any, make_event: Any) -> None:
    long_text = "Bring your cup; we'll pour, taste, and compare. " * 6 + "Ligne\navec, virgule"
    event = make_event(description_en=long_text, format="physical")
    response = client.get(reverse("events:ics", args=[event.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded (RFC 5545 §3.1)
    unfolded = raw.replace(b"\r\n ", b"")
    assert b"\\;" in unfolded and b"\\," in unfolded and b"\\n" in unfolded  # §3.3.11
    calendar = Calendar.from_ical(raw)
    (item,) = calendar.walk("VEVENT")
    assert str(item["SUMMARY"]) == "Latte art evening"
    assert str(item["DESCRIPTION"]) == long_text
    assert item.decoded("DTSTART") == STARTS
    assert str(item["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    assert "Café Lumière, 12 rue des Cafés" in str(item["LOCATION"])


def test_it_gives_the_online_link_only_to_confirmed_attendees(client: Any, make_event: Any) -> None:
    event = make_event(
        format="online",
        online_url="https://meet.example/secret-room",
        venue="",
        address="",
        capacity=1,
    )
    public = client.get(reverse("events:public", args=[event.token]))
    ics = client.get(reverse("events:ics", args=[event.token]))
    assert b"secret-room" not in public.content and b"secret-room" not in ics.content
    first = services.register(event, name="A", email="a@example.com", lang="en", consent=False).rsvp
    second = services.register(
        event, name="B", email="b@example.com", lang="en", consent=False
    ).rsvp
    token = services.private_token(first)
    assert b"secret-room" in client.get(reverse("events:ticket", args=[token])).content
    assert b"secret-room" in client.get(reverse("events:ticket_ics", args=[token])).content
    other = services.private_token(second)
    assert b"secret-room" not in client.get(reverse("events:ticket", args=[other])).content
    assert b"secret-room" not in client.get(reverse("events:ticket_ics", args=[other])).content


def test_it_checks_in_at_the_door(client: Any, personas: Any, make_event: Any) -> None:
    event = make_event(capacity=5)
    rsvp = services.register(
        event, name=HOSTILE, email="h@example.com", lang="en", consent=False
    ).rsvp
    client.force_login(personas.bob)
    url = reverse("events:check_in", args=[personas.workspace_a.slug, event.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"data-checkin-form" in page.content
    done = client.post(url, {"code": services.ticket_token(rsvp)})
    assert b'data-outcome="checked_in"' in done.content and HOSTILE.encode() not in done.content
    again = client.post(url, {"code": rsvp.code})
    assert b'data-outcome="already"' in again.content
    found = client.get(url, {"q": "script"})
    assert b"In at" in found.content
    unknown = client.post(url, {"code": "ZZZZ-ZZZZ"})
    assert b'data-outcome="unknown"' in unknown.content
    undo = client.post(
        reverse("events:rsvp_undo", args=[personas.workspace_a.slug, event.pk, rsvp.pk])
    )
    assert undo.status_code == 302 and Rsvp.objects.get().checked_in_at is None
    listed = client.post(url, {"rsvp": str(rsvp.pk)})
    assert b'data-outcome="checked_in"' in listed.content


def test_it_lists_and_exports_attendees(client: Any, personas: Any, make_event: Any) -> None:
    event = make_event(capacity=1)
    for n in range(3):
        services.register(
            event,
            name=f"=cmd{n}",
            email=f"p{n}@example.com",
            lang="en",
            consent=False,
            now=STARTS - timedelta(days=1, minutes=-n),
        )
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    page = client.get(reverse("events:event", args=[slug, event.pk]), {"show": "waitlisted"})
    assert page.content.count(b"p1@example.com") == 1 and b"p0@example.com" not in page.content
    csv = b"".join(client.get(reverse("events:attendees_csv", args=[slug, event.pk])))
    assert b"'=cmd0" in csv and b"p2@example.com" in csv  # formulas neutralised
    listing = client.get(reverse("events:events", args=[slug]))
    assert b"Latte art evening" in listing.content


def test_it_reads_the_times_in_the_events_own_time_zone(
    client: Any, personas: Any, make_event: Any
) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save()
    event = make_event(time_zone="America/New_York")
    client.force_login(personas.alice)
    url = reverse("events:event_edit", args=[personas.workspace_a.slug, event.pk])
    form = client.get(url).content.decode()
    assert 'value="2031-03-14T13:30"' in form  # 17:30 UTC is 13:30 in New York (EDT)
    data = {
        "title_en": "Latte art evening",
        "title_fr": "Soirée latte art",
        "organiser": "Café Lumière SAS",
        "format": "physical",
        "venue": "Café Lumière",
        "starts_at": "2031-03-14T13:30",
        "ends_at": "2031-03-14T15:30",
        "time_zone": "America/New_York",
        "capacity": "2",
        "reminder_hours": "24",
    }
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.starts_at == STARTS and event.ends_at == STARTS + timedelta(hours=2)
    assert client.post(url, {**data, "time_zone": "Asia/Tokyo"}).status_code == 302
    event.refresh_from_db()
    assert event.starts_at.isoformat() == "2031-03-14T04:30:00+00:00"  # 13:30 in Tokyo


def test_it_names_the_organiser_and_keeps_the_time_zone_short(
    client: Any, make_event: Any, settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Café Lumière <events@cafe.example>"
    event = make_event()
    calendar = Calendar.from_ical(client.get(reverse("events:ics", args=[event.token])).content)
    (item,) = calendar.walk("VEVENT")
    assert str(item["ORGANIZER"]) == "mailto:events@cafe.example"
    assert item["ORGANIZER"].params["CN"] == "Café Lumière SAS"
    (zone,) = calendar.walk("VTIMEZONE")
    assert len(zone.to_ical()) < 2000  # the rules around the event, not fifty years of them
