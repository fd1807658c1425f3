"""An event as a guest and the door staff click through it in Chromium at phone width: the RSVP in
French on the public page, the ticket with its QR code, then the check-in by the code typed at the
door, and a second scan that changes nothing; then the staff invite a saved segment and read the
invitations' states on the event's e-mails page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_guest_registers_on_a_phone_and_is_checked_in(
    browser: Any, live_server: Any, personas: Personas, tmp_path: Any
) -> None:
    from ambassade.community.models import Activity, Consent
    from ambassade.events import services
    from ambassade.events.models import Rsvp

    starts = timezone.now() + timedelta(days=2)
    event = services.create_event(
        personas.workspace_a,
        personas.alice,
        title_en="Latte art workshop",
        title_fr="Atelier latte art",
        description_fr="Apprenez à dessiner un cœur.",
        organiser="Café Lumière",
        format="physical",
        venue="Café Lumière",
        address="12 rue des Cafés, 75011 Paris",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone="Europe/Paris",
        capacity=12,
    )
    guest = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    guest.set_default_timeout(10_000)
    phone = guest.new_page()
    phone.goto(f"{live_server.url}/events/{event.token}/")
    expect(phone.get_by_role("heading", name="Atelier latte art")).to_be_visible()
    phone.screenshot(path=str(tmp_path / "public-fr.png"), full_page=True)
    phone.get_by_label("Votre nom").fill("Zoé Leroy")
    phone.get_by_label("Votre adresse e-mail").fill("zoe@example.com")
    phone.get_by_label("M’envoyer des e-mails", exact=False).check()
    phone.get_by_role("button", name="S’inscrire").click()
    phone.get_by_role("heading", name="Votre billet").wait_for()
    rsvp = Rsvp.objects.get()
    assert phone.locator("[data-ticket-code]").inner_text() == rsvp.code
    expect(phone.locator(".qr svg")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(tmp_path / "ticket-fr.png"), full_page=True)
    assert Consent.objects.get().purpose == "events"
    guest.close()

    door = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    door.set_default_timeout(10_000)
    staff = door.new_page()
    _log_in(staff, live_server.url, "bob@example.com")
    staff.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/events/{event.pk}/check-in/")
    staff.get_by_role("button", name="EN", exact=True).first.click()
    staff.wait_for_load_state()
    # Headless Chromium on Linux has no BarcodeDetector: the page says to type the code.
    expect(staff.locator("[data-no-camera]")).to_be_visible()
    expect(staff.locator("[data-scan]")).to_be_hidden()
    staff.get_by_label("Ticket code").fill(rsvp.code.lower().replace("-", ""))
    staff.get_by_role("button", name="Check in", exact=True).click()
    banner = staff.locator("[data-outcome]")
    expect(banner).to_have_attribute("data-outcome", "checked_in")
    assert "Zoé Leroy is checked in" in banner.inner_text()
    staff.screenshot(path=str(tmp_path / "checkin-en.png"), full_page=True)
    staff.get_by_label("Ticket code").fill(services.ticket_token(rsvp))
    staff.get_by_role("button", name="Check in", exact=True).click()
    expect(staff.locator("[data-outcome]")).to_have_attribute("data-outcome", "already")
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Invite the regulars (Zoé registered already: only Jules is invited), then read the states.
    from ambassade.community import consent
    from ambassade.community.models import Member, Segment

    jules = Member.objects.create(
        workspace=personas.workspace_a, display_name="Jules", email="jules@example.com"
    )
    consent.record(jules, personas.alice, "events", "granted", proof="At the counter")
    Segment.objects.create(
        workspace=personas.workspace_a, name="Regulars", definition={"consents": ["events"]}
    )
    staff.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/events/{event.pk}/")
    staff.get_by_label("Segment").select_option(label="Regulars")
    staff.get_by_role("button", name="Invite", exact=True).click()
    staff.wait_for_url("**/emails/")
    rows = staff.locator("tr[data-kind='invitation']")
    assert rows.count() == 1 and "jules@example.com" in rows.inner_text()
    assert "Not invited: registered already: 1" in staff.locator("main").inner_text()
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    staff.screenshot(path=str(tmp_path / "emails-en.png"), full_page=True)
    door.close()
    assert Activity.objects.filter(kind="event").count() == 1
    assert Rsvp.objects.get().checked_in_at is not None
