"""DKIM: the key generated or pasted in the mailing settings, encrypted at rest by the vault (and
re-encrypted by rotate_vault), never shown again; campaign e-mails as the SMTP server receives them
verify with dkimpy's own verifier against the published record (its DNS lookup replaced)."""

from __future__ import annotations

import logging
from typing import Any

import dkim as dkimpy
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import connection as db
from django.test import Client
from django.utils import translation

from ambassade.mailing import dkim, sending, services
from ambassade.mailing.models import MailingSettings
from tests.mailing.conftest import Audience
from tests.mailing.test_views import page

DOMAIN = "cafe.example"


def dns_of(workspace: Any) -> Any:
    """The verifier's DNS lookup, answered from the record the settings page says to publish."""
    record = dkim.record_of(MailingSettings.objects.get(workspace=workspace))
    assert record is not None

    def lookup(name: bytes, timeout: int = 5) -> bytes:
        assert name.decode().rstrip(".") == record.name
        return record.value.encode()

    return lookup


def test_campaign_e_mails_arrive_signed_and_verify(
    personas: Any,
    audience: Audience,
    campaign: Any,
    smtp: Any,
    no_enqueue: None,
    caplog: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    dkim.generate(personas.workspace_a, personas.alice, DOMAIN, "ambassade1")
    services.start(campaign, personas.alice)
    assert sending.run(campaign.pk).sent == 3
    lookup = dns_of(personas.workspace_a)
    for _envelope, data in smtp.handler.received:
        assert data.startswith(b"DKIM-Signature:")
        assert dkimpy.verify(data, dnsfunc=lookup)
        header = data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
        signed = header.split(b" h=", 1)[1].split(b";", 1)[0].lower()
        # RFC 8058 §4: the one-click unsubscription headers are covered by the signature.
        assert b"list-unsubscribe-post" in [name.strip() for name in signed.split(b":")]
        assert b"d=cafe.example" in header and b"s=ambassade1" in header
    # Changed in transit: the signature no longer holds.
    tampered = smtp.handler.received[0][1].replace(b"Bonjour", b"Bonsoir", 1)
    assert not dkimpy.verify(tampered, dnsfunc=lookup)
    # The private key reached no log line.
    assert "PRIVATE KEY" not in caplog.text


def test_a_test_send_is_signed_too(
    personas: Any, audience: Audience, campaign: Any, smtp: Any
) -> None:
    dkim.generate(personas.workspace_a, personas.alice, DOMAIN, "s1")
    services.test_send(campaign, personas.alice, "camille@brand.example", "fr")
    data = smtp.handler.received[-1][1]
    assert dkimpy.verify(data, dnsfunc=dns_of(personas.workspace_a))


def test_the_key_is_encrypted_at_rest_and_rotated_with_the_vault(
    personas: Any, settings: Any
) -> None:
    from django.core.management import call_command

    dkim.generate(personas.workspace_a, personas.alice, DOMAIN, "s1")
    row = MailingSettings.objects.get(workspace=personas.workspace_a)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT dkim_key_ciphertext FROM mailing_mailingsettings WHERE id = %s", [row.pk]
        )
        stored = bytes(cursor.fetchone()[0])
    assert b"PRIVATE KEY" not in stored and b"MII" not in stored
    old = list(settings.VAULT_KEYS)
    settings.VAULT_KEYS = [Fernet.generate_key(), *old]
    call_command("rotate_vault")
    settings.VAULT_KEYS = settings.VAULT_KEYS[:1]  # the old key is gone: it still signs
    sign = dkim.signer(personas.workspace_a.pk)
    assert sign is not None
    message = b"From: a@cafe.example\r\nTo: b@reader.example\r\nSubject: x\r\n\r\nHello\r\n"
    assert dkimpy.verify(sign(message) + message, dnsfunc=dns_of(personas.workspace_a))


def test_a_pasted_key_is_checked_and_never_written_back(personas: Any, client: Client) -> None:
    client.force_login(personas.alice)
    client.cookies["django_language"] = "en"
    url = f"/w/{personas.workspace_a.slug}/mailing/settings/"
    assert "No DKIM key" in page(client.get(url)).text
    refused = page(
        client.post(
            url,
            {
                "domain": DOMAIN,
                "selector": "old",
                "private_key": "-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRETBITS\n",
                "action": "paste",
            },
        )
    )
    assert "not a private key in PEM form" in refused.text
    assert "SECRETBITS" not in refused.html
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    answer = client.post(
        url, {"domain": "Cafe.Example.", "selector": "old", "private_key": pem, "action": "paste"}
    )
    assert answer.status_code == 302
    shown = page(client.get(url))
    body = pem.splitlines()[1]
    assert body not in shown.html and "PRIVATE KEY" not in shown.html
    assert "old._domainkey.cafe.example" in shown.text
    assert "v=DKIM1; k=rsa; p=MI" in shown.text
    # Removed: campaigns go out unsigned again.
    assert client.post(url, {"action": "remove"}).status_code == 302
    assert dkim.signer(personas.workspace_a.pk) is None


@pytest.mark.parametrize(
    ("domain", "selector", "field"),
    [("not a domain", "s1", "domain"), ("cafe.example", "bad selector!", "selector")],
)
def test_it_refuses_a_wrong_domain_or_selector(
    personas: Any, domain: str, selector: str, field: str
) -> None:
    with translation.override("en"), pytest.raises(dkim.DkimError) as refused:
        dkim.generate(personas.workspace_a, personas.alice, domain, selector)
    assert refused.value.field == field


def test_an_editor_cannot_see_the_settings(personas: Any, client: Client) -> None:
    client.force_login(personas.bob)  # an editor of workspace A
    assert client.get(f"/w/{personas.workspace_a.slug}/mailing/settings/").status_code == 403
