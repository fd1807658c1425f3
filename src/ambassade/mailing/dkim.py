"""DKIM signing of campaign e-mail (RFC 6376), with dkimpy (docs/mailing.md, "DKIM").

The workspace's key lives in its :class:`~ambassade.mailing.models.MailingSettings`: the private
key encrypted by the credentials vault (``dkim_key_ciphertext``, re-encrypted by
``rotate_vault`` like every other secret, revealed only here, at signing), the public key and the
domain and selector in the clear: they are what the DNS publishes. :func:`signer` returns the
function the SMTP session calls with each message's bytes (``SmtpSession.send(signer=...)``).

The signature covers the headers RFC 8058 asks to be signed with the one-click unsubscription
(``List-Unsubscribe`` and ``List-Unsubscribe-Post``), with relaxed canonicalisation of headers
and body, rsa-sha256.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dkim as dkimpy
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from ambassade.mailing import audit
from ambassade.mailing.models import MailingSettings
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces import vault
from ambassade.workspaces.models import Workspace

__all__ = [
    "SIGNED_HEADERS",
    "DkimError",
    "Record",
    "generate",
    "record_of",
    "remove",
    "set_key",
    "signer",
]

KEY_BITS = 2048
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"reply-to",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SELECTOR = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class DkimError(Exception):
    """A sentence for the person; ``field`` the form field it is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Record:
    """The DNS TXT record to publish: its name, its value, and the value cut in strings of at
    most 255 characters as a zone file writes it (RFC 7208 3.3 style)."""

    name: str
    value: str

    @property
    def zone_strings(self) -> str:
        parts = [self.value[i : i + 255] for i in range(0, len(self.value), 255)]
        return " ".join(f'"{part}"' for part in parts)


def settings_of(workspace: Workspace) -> MailingSettings:
    found, _created = MailingSettings.objects.get_or_create(workspace=workspace)
    return found


def _check_names(domain: str, selector: str) -> tuple[str, str]:
    domain = (domain or "").strip().strip(".").casefold()
    selector = (selector or "").strip().casefold()
    if not _DOMAIN.match(domain):
        raise DkimError(
            _("Enter the domain the e-mails are sent from, such as brand.example."), "domain"
        )
    if not _SELECTOR.match(selector) or len(selector) > 63:
        raise DkimError(
            _("The selector is letters, digits and hyphens, such as ambassade1."), "selector"
        )
    return domain, selector


def _public_of(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


@sensitive_variables("key", "pem")
def _store(
    workspace: Workspace, actor: Any, domain: str, selector: str, key: rsa.RSAPrivateKey, how: str
) -> MailingSettings:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with transaction.atomic():
        found = settings_of(workspace)
        MailingSettings.objects.filter(pk=found.pk).update(
            dkim_domain=domain,
            dkim_selector=selector,
            dkim_key_ciphertext=vault.encrypt({"private_key": pem}),
            dkim_public_key=_public_of(key),
            dkim_updated_at=timezone.now(),
        )
        workspace_services.record_audit(
            workspace,
            actor,
            audit.DKIM_KEY_SET,
            None,
            details={"domain": domain, "selector": selector, "how": how},
        )
    found.refresh_from_db()
    return found


def generate(workspace: Workspace, actor: Any, domain: str, selector: str) -> MailingSettings:
    """A new 2,048-bit RSA key for ``selector._domainkey.domain``."""
    domain, selector = _check_names(domain, selector)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return _store(workspace, actor, domain, selector, key, "generated")


@sensitive_variables("pem", "key", "loaded")
def set_key(
    workspace: Workspace, actor: Any, domain: str, selector: str, pem: str
) -> MailingSettings:
    """A private key the team already publishes (PEM, PKCS#1 or PKCS#8, not encrypted)."""
    domain, selector = _check_names(domain, selector)
    try:
        loaded = serialization.load_pem_private_key((pem or "").strip().encode(), password=None)
    except (ValueError, TypeError):
        # Never the content in the message: it is a secret.
        raise DkimError(
            _("This is not a private key in PEM form without a password."), "private_key"
        ) from None
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise DkimError(_("The key must be an RSA key."), "private_key")
    if loaded.key_size < 1024:
        raise DkimError(_("The key must have at least 1,024 bits (2,048 advised)."), "private_key")
    return _store(workspace, actor, domain, selector, loaded, "pasted")


def remove(workspace: Workspace, actor: Any) -> None:
    with transaction.atomic():
        MailingSettings.objects.filter(workspace=workspace).update(
            dkim_domain="",
            dkim_selector="",
            dkim_key_ciphertext=None,
            dkim_public_key="",
            dkim_updated_at=timezone.now(),
        )
        workspace_services.record_audit(workspace, actor, audit.DKIM_KEY_REMOVED, None)


def record_of(found: MailingSettings) -> Record | None:
    if not found.dkim_public_key or not found.dkim_domain:
        return None
    return Record(
        name=f"{found.dkim_selector}._domainkey.{found.dkim_domain}",
        value=f"v=DKIM1; k=rsa; p={found.dkim_public_key}",
    )


@sensitive_variables("private", "secret")
def signer(workspace_id: int) -> Callable[[bytes], bytes] | None:
    """The function that signs a message's bytes for the workspace, or None without a key (or
    with a key the vault cannot read: the e-mail then goes unsigned rather than not at all)."""
    found = MailingSettings.objects.filter(workspace_id=workspace_id).first()
    if found is None or not found.dkim_key_ciphertext or not found.dkim_domain:
        return None
    try:
        secret = vault.decrypt(bytes(found.dkim_key_ciphertext))
    except vault.VaultError:
        return None
    private = str(secret.reveal().get("private_key", "")).encode()
    selector = found.dkim_selector.encode()
    domain = found.dkim_domain.encode()

    def sign(message: bytes) -> bytes:
        return bytes(
            dkimpy.sign(
                message,
                selector,
                domain,
                private,
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=list(SIGNED_HEADERS),
                linesep=b"\r\n",
            )
        )

    return sign
