"""Consent per purpose with date, source and proof; the double opt-in for e-mailing through a public
page in French or English that shows nothing else of the workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from ambassade.community import consent, services
from ambassade.community.models import Consent, Member
from tests.listening.conftest import item
from tests.workspaces.html import parse


@pytest.fixture
def ana(source: Any, ingest: Any) -> Member:
    ingest(source, [item("1", "Hello", handle="ana")])
    return Member.objects.get()


def test_the_team_records_consent_with_its_proof(
    personas: Any, ana: Member, client: Any, people: dict[str, Any]
) -> None:
    client.force_login(personas.bob)
    base = f"/w/{personas.workspace_a.slug}/community/members/{ana.pk}/"
    response = client.post(
        base + "consents/",
        {"purpose": "contests", "state": "granted", "proof": "Paper form signed at the shop"},
    )
    assert response.status_code == 302
    (status,) = [s for s in consent.statuses(ana) if s.purpose == "contests"]
    assert status.granted and status.current.proof == "Paper form signed at the shop"
    assert status.current.recorded_by == personas.bob
    assert consent.has_consent(ana, "contests")
    # Without proof, or e-mailing given by the team: refused, nothing saved.
    client.post(base + "consents/", {"purpose": "events", "state": "granted", "proof": " "})
    client.post(base + "consents/", {"purpose": "emailing", "state": "granted", "proof": "said so"})
    assert Consent.objects.count() == 1
    # Withdrawn: the latest decides, the log keeps both.
    client.post(base + "consents/", {"purpose": "contests", "state": "withdrawn", "proof": "call"})
    assert not consent.has_consent(ana, "contests")
    assert Consent.objects.count() == 2
    page = parse(client.get(base).content)
    assert "Withdrawn" in page.find("li", class_="consent consent-contests").text
    # An analyst sees consents but cannot record one.
    client.force_login(people["analyst"])
    assert client.post(base + "consents/", {"purpose": "events"}).status_code == 403


def test_the_double_opt_in_gives_consent_from_the_public_page(
    personas: Any, ana: Member, client: Any
) -> None:
    client.force_login(personas.alice)
    base = f"/w/{personas.workspace_a.slug}/community/members/{ana.pk}/"
    client.post(base + "consents/optin/", {"email": "ana@example.org", "lang": "fr"})
    (sent,) = mail.outbox
    assert sent.to == ["ana@example.org"]
    assert sent.subject.startswith("Merci de confirmer que vous souhaitez recevoir les e-mails")
    link = next(line for line in sent.body.splitlines() if "/consent/" in line).strip()
    path = link[link.index("/consent/") :]
    assert not consent.has_consent(ana, "emailing")
    assert [s.pending is not None for s in consent.statuses(ana) if s.purpose == "emailing"] == [
        True
    ]
    client.logout()  # the person has no account
    page = client.get(path)
    assert page.status_code == 200 and page["Content-Language"] == "fr"
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    text = parse(page.content).text
    assert personas.workspace_a.name in text and "ana@example.org" in text
    assert "Voulez-vous recevoir" in text
    assert personas.workspace_a.slug not in page.content.decode()
    response = client.post(path, HTTP_USER_AGENT="Test browser", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"
    assert consent.has_consent(ana, "emailing")
    given = Consent.objects.get(state="granted")
    assert given.source == "double_opt_in"
    assert "203.0.113.9" in given.proof and "Test browser" in given.proof
    # The link works once; an altered one is unknown.
    assert client.post(path).status_code == 404
    assert client.get(path + "x").status_code == 404
    assert Consent.objects.filter(state="granted").count() == 1


def test_a_bad_address_sends_nothing(personas: Any, ana: Member, client: Any) -> None:
    client.force_login(personas.alice)
    base = f"/w/{personas.workspace_a.slug}/community/members/{ana.pk}/"
    client.post(base + "consents/optin/", {"email": "not an address", "lang": "en"})
    assert mail.outbox == [] and Consent.objects.count() == 0


def test_a_merge_keeps_both_members_consents(
    personas: Any, source: Any, ingest: Any, ana: Member
) -> None:
    ingest(source, [item("2", "Hi", handle="ana", source="bluesky")])
    other = Member.objects.exclude(pk=ana.pk).get()
    consent.record(other, personas.alice, "events", "granted", proof="RSVP form")
    consent.request_optin(other, personas.alice, "ana@example.org", "en")
    merged = services.merge_members(ana, other, personas.alice)
    assert consent.has_consent(merged, "events")
    assert merged.email == "ana@example.org"
    assert Consent.objects.filter(member=merged).count() == 2
