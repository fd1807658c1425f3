"""The connectors' address policy for IMAP and SMTP, as the HTTP seam applies it to HTTP.

A mail server's name is resolved once; every address it resolves to must be public (or allowed by
an administrator with ``AMBASSADE_ALLOWED_PRIVATE_HOSTS``, the setting the HTTP seam follows), and
the connection is made to that checked address while TLS still checks the certificate against the
name: a DNS answer that changes between check and connect gets nowhere. ``allow_private`` lifts the
check (tests; never a default).
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.http.addresses import allowed_private, is_public

__all__ = ["PinnedIMAP", "PinnedIMAPSSL", "PinnedSMTP", "PinnedSMTPSSL", "checked_address"]

Resolver = Callable[[str, int], Iterable[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def checked_address(
    host: str, port: int, *, allow_private: bool, resolver: Resolver | None = None
) -> str:
    """The address to connect to for ``host``, every one it resolves to checked."""
    name = host.strip("[]")
    try:
        addresses = list(dict.fromkeys((resolver or _resolve)(name, port)))
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise ConnectorError(
            f"The host name {name} could not be resolved.",
            permanent=False,
            code="http.unresolved",
            params={"host": name},
        )
    if not allow_private:
        for address in addresses:
            if not is_public(address) and not allowed_private(name, address):
                raise ConnectorError(
                    f"{name} resolves to a private, loopback or link-local address ({address}); "
                    "connectors only reach public addresses, and the hosts and networks an "
                    "administrator allows with AMBASSADE_ALLOWED_PRIVATE_HOSTS.",
                    permanent=True,
                    code="http.private_address",
                    params={"host": name, "address": address},
                )
    return addresses[0]


class PinnedIMAP(imaplib.IMAP4):
    """IMAP to ``address`` while ``host`` stays the name (STARTTLS checks the certificate
    against it)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._address = address
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return socket.create_connection((self._address, self.port), timeout)


class PinnedIMAPSSL(imaplib.IMAP4_SSL):
    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        self._address = address
        super().__init__(host, port, ssl_context=context, timeout=timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), timeout)
        wrapped: socket.socket = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        return wrapped


class PinnedSMTP(smtplib.SMTP):
    def __init__(self, host: str, port: int, address: str, timeout: float, helo: str) -> None:
        self._address = address
        super().__init__(timeout=timeout, local_hostname=helo)
        self._host = host
        self.connect(host, port)

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        return socket.create_connection((self._address, port), timeout)


class PinnedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(
        self,
        host: str,
        port: int,
        address: str,
        timeout: float,
        context: ssl.SSLContext,
        helo: str,
    ) -> None:
        self._address = address
        super().__init__(timeout=timeout, context=context, local_hostname=helo)
        self._host = host
        self.connect(host, port)

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        sock = socket.create_connection((self._address, port), timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)
