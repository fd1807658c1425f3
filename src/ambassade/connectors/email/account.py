"""A workspace's e-mail account: where to read (IMAP) and how to send (SMTP), from the connection's
credentials, checked before any connection is made.

Keys: ``address`` (the workspace's address, the From of answers), ``display_name``; ``username``
and ``password`` (for both servers unless ``smtp_username``/``smtp_password`` are given);
``imap_host``, ``imap_port`` (993), ``imap_security`` (``ssl``, ``starttls`` or ``none``);
``smtp_host``, ``smtp_port`` (465 for ``ssl``, 587 for ``starttls``), ``smtp_security``;
``folder`` (``INBOX``), ``sent_folder`` (``Sent``; empty: answers are not copied there),
``mark_seen`` (false: reading leaves every flag as it was).

``none`` (no TLS) is accepted only for a server on the machine itself (loopback): Ambassade never
sends a password, or people's mail, over a network in clear.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from typing import Any

from ambassade.connectors.base import AuthExpired, InvalidConfig

__all__ = ["SECURITY", "EmailAccount"]

SECURITY = ("ssl", "starttls", "none")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
_FOLDER = re.compile(r"^[^\x00-\x1f\x7f\"\\]{1,200}$")


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class EmailAccount:
    address: str
    username: str
    password: str = field(repr=False)
    imap_host: str
    imap_port: int
    imap_security: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    display_name: str = ""
    folder: str = "INBOX"
    sent_folder: str = "Sent"
    mark_seen: bool = False

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> EmailAccount:
        creds = dict(credentials or {})
        if not creds.get("username") or not creds.get("password"):
            raise AuthExpired(
                "The e-mail connection has no user name and password.",
                code="email.no_credentials",
            )
        address = str(creds.get("address") or "").strip()
        try:
            parsed = Address(addr_spec=address)
        except (ValueError, IndexError, TypeError):
            parsed = None
        if parsed is None or not parsed.domain or not parsed.username:
            raise InvalidConfig(
                f"The workspace's e-mail address {address!r} is not an address.",
                code="email.bad_address",
                params={"address": address},
            )
        values: dict[str, Any] = {}
        for side, default_ports in (
            ("imap", {"ssl": 993, "starttls": 143, "none": 143}),
            ("smtp", {"ssl": 465, "starttls": 587, "none": 25}),
        ):
            host = str(creds.get(f"{side}_host") or "").strip()
            if not host or not _HOST.match(host):
                raise InvalidConfig(
                    f"The {side.upper()} server {host!r} is not a host name.",
                    code="email.bad_host",
                    params={"server": side.upper(), "host": host},
                )
            security = str(creds.get(f"{side}_security") or "ssl").lower()
            if security not in SECURITY:
                raise InvalidConfig(
                    f"The {side.upper()} security must be one of {', '.join(SECURITY)}.",
                    code="email.bad_security",
                    params={"server": side.upper(), "choices": ", ".join(SECURITY)},
                )
            if security == "none" and not _is_loopback(host):
                raise InvalidConfig(
                    f"The {side.upper()} server {host} would get the password and the mail in "
                    "clear text: choose SSL or STARTTLS.",
                    code="email.needs_tls",
                    params={"server": side.upper(), "host": host},
                )
            port = creds.get(f"{side}_port") or default_ports[security]
            try:
                port = int(port)
            except (TypeError, ValueError):
                port = -1
            if not 1 <= port <= 65535:
                raise InvalidConfig(
                    f"The {side.upper()} port must be a number from 1 to 65535.",
                    code="email.bad_port",
                    params={"server": side.upper()},
                )
            values |= {f"{side}_host": host, f"{side}_port": port, f"{side}_security": security}
        folders: dict[str, str] = {}
        for name, default in (("folder", "INBOX"), ("sent_folder", "Sent")):
            value = creds.get(name)
            value = default if value is None else str(value).strip()
            if value and not _FOLDER.match(value):
                raise InvalidConfig(
                    f"The folder name {value!r} cannot be used.",
                    code="email.bad_folder",
                    params={"folder": value},
                )
            folders[name] = value
        if not folders["folder"]:
            folders["folder"] = "INBOX"
        return cls(
            address=address,
            username=str(creds["username"]),
            password=str(creds["password"]),
            smtp_username=str(creds.get("smtp_username") or ""),
            smtp_password=str(creds.get("smtp_password") or ""),
            display_name=str(creds.get("display_name") or "").strip(),
            mark_seen=creds.get("mark_seen") in (True, "true", "1", 1),
            imap_host=values["imap_host"],
            imap_port=values["imap_port"],
            imap_security=values["imap_security"],
            smtp_host=values["smtp_host"],
            smtp_port=values["smtp_port"],
            smtp_security=values["smtp_security"],
            folder=folders["folder"],
            sent_folder=folders["sent_folder"],
        )
