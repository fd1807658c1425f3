"""Mailing fixtures: workspace A's e-mail connection on a real dovecot (IMAP, bounces) and a real
aiosmtpd (SMTP) on loopback, and members who gave (or withdrew) consent to e-mailing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.community.conftest import people  # noqa: F401  (fixture used by these tests)
from tests.connectors.email.conftest import (  # noqa: F401  (fixtures used by these tests)
    Dovecot,
    Mailbox,
    Smtp,
    dovecot,
    mailbox,
    mailbox_factory,
    smtp_server,
)

OPTIN_AT = datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mailing_settings(settings: Any) -> None:
    settings.MAILING_ALLOW_PRIVATE = True
    settings.BASE_URL = "https://ambassade.example"


@pytest.fixture
def smtp(dovecot: Dovecot) -> Iterator[Smtp]:  # noqa: F811
    with smtp_server(dovecot, security="none") as server:
        yield server


@pytest.fixture
def connection(personas: Any, mailbox: Mailbox, smtp: Smtp) -> Any:  # noqa: F811
    from ambassade.workspaces import services

    credentials = dict(mailbox.credentials) | {"smtp_port": smtp.port}
    return services.connect_account(
        personas.workspace_a,
        network="email",
        account_name=mailbox.user,
        secret=credentials,
        actor=personas.alice,
    )


def add_member(
    workspace: Any,
    name: str,
    email: str,
    *,
    lang: str = "fr",
    consent: str | None = "granted",
    handle: str | None = None,
) -> Any:
    """A member with an identity, an address and, unless ``consent`` is None, consent to e-mailing
    given through the double opt-in (then withdrawn when ``consent`` is ``withdrawn``)."""
    from ambassade.community.models import Consent, Identity, Member

    member = Member.objects.create(workspace=workspace, display_name=name, email=email)
    Identity.objects.create(
        workspace=workspace,
        member=member,
        network="mastodon",
        handle=(handle or email.split("@")[0]).casefold(),
        name=name,
    )
    if consent is not None:
        Consent.objects.create(
            workspace=workspace,
            member=member,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.GRANTED,
            source=Consent.Source.DOUBLE_OPT_IN,
            proof="confirmed",
            email=email,
            lang=lang,
            recorded_at=OPTIN_AT,
        )
        if consent == "withdrawn":
            Consent.objects.create(
                workspace=workspace,
                member=member,
                purpose=Consent.Purpose.EMAILING,
                state=Consent.State.WITHDRAWN,
                source=Consent.Source.RECORDED,
                proof="asked by phone",
                email=email,
                recorded_at=OPTIN_AT + timedelta(days=1),
            )
    return member


@dataclass
class Audience:
    ana: Any
    bruno: Any
    chloe: Any
    denis: Any
    eve: Any


@pytest.fixture
def audience(personas: Any) -> Audience:
    workspace = personas.workspace_a
    return Audience(
        ana=add_member(workspace, "Ana Lima", "ana@reader.example", lang="fr"),
        bruno=add_member(workspace, "Bruno <b>Roy</b>", "bruno@reader.example", lang="fr"),
        chloe=add_member(workspace, "@chloe", "chloe@reader.example", lang="en"),
        denis=add_member(workspace, "Denis", "denis@reader.example", consent=None),
        eve=add_member(workspace, "Eve", "eve@reader.example", consent="withdrawn"),
    )


BODY_FR = (
    'Bonjour {{ first_name|"à vous" }},\n\n'
    "Notre nouveau café est là : https://cafe.example/nouveau?x=1.\n\n"
    "{{ brand }}"
)
BODY_EN = (
    'Hello {{ first_name|"there" }},\n\n'
    "Our new coffee is here: https://cafe.example/new.\n\n"
    "{{ brand }}"
)


@pytest.fixture
def campaign(personas: Any, connection: Any) -> Any:
    from ambassade.mailing import services

    return services.create_campaign(
        personas.workspace_a,
        personas.alice,
        name="Nouveau café",
        connection=connection,
        subject_fr="Du nouveau, {{ first_name }}",
        body_fr=BODY_FR,
        subject_en="Something new",
        body_en=BODY_EN,
        rate_per_hour=360_000,
        track_opens=False,
        track_clicks=True,
    )


@pytest.fixture
def no_enqueue(monkeypatch: Any) -> None:
    """Starting a campaign enqueues its sending: the tests run it themselves."""
    from ambassade.mailing import services

    monkeypatch.setattr(services, "_enqueue", lambda campaign_id: None)
