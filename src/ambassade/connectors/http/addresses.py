"""Which addresses a connector may reach: public ones only, unless an administrator allowed a private
host or network (``AMBASSADE_ALLOWED_PRIVATE_HOSTS``). An IPv6 address carrying an IPv4 one is judged
by that IPv4."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable

__all__ = [
    "allow_private_destinations",
    "allowed_private",
    "default_resolver",
    "is_ip",
    "is_public",
]


def default_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


#: Ranges :mod:`ipaddress` counts as global in some Python versions but that no connector may reach:
#: the IETF protocol assignments (all of 192.0.0.0/24), the deprecated 6to4 relay anycast, the
#: local-use NAT64 prefix (RFC 8215), discard-only, documentation and deprecated site-local IPv6.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.0.0/24",
        "192.88.99.0/24",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fec0::/10",
    )
)
#: IPv6 prefixes whose last 32 bits are an IPv4 address the packets end up at: NAT64's well-known
#: prefix, IPv4-compatible (::a.b.c.d, deprecated), IPv4-mapped and IPv4-translated addresses.
_EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(network)
    for network in ("64:ff9b::/96", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96")
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (NAT64, IPv4-compatible, -mapped, -translated,
    6to4), or None."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


_ALLOWED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
_ALLOWED_HOSTS: frozenset[str] = frozenset()


def allow_private_destinations(entries: Iterable[str]) -> None:
    """Let every client of this process reach the given private hosts or networks: host names
    (``intranet.example.lan``: whatever private address that name resolves to) and networks or
    addresses (``10.1.2.0/24``, ``192.168.1.20``: any name resolving inside them). The product
    calls this once at start with ``AMBASSADE_ALLOWED_PRIVATE_HOSTS``; ValueError names a bad entry.
    Redirects are checked hop by hop as ever: an allowed host cannot send a request elsewhere."""
    global _ALLOWED_NETWORKS, _ALLOWED_HOSTS
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    hosts: set[str] = set()
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        try:
            host = entry.lower().rstrip(".").encode("idna").decode("ascii")
        except UnicodeError:
            host = ""
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(f"{entry!r} is neither a host name nor an IP address or network")
        hosts.add(host)
    _ALLOWED_NETWORKS, _ALLOWED_HOSTS = tuple(networks), frozenset(hosts)


_HOST_NAME = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)


def allowed_private(host: str, address: str) -> bool:
    """Whether an administrator allowed ``host`` (as written in the URL, IDNA-encoded) or
    ``address`` although it is not public."""
    if host.lower().rstrip(".") in _ALLOWED_HOSTS:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in _ALLOWED_NETWORKS)


def is_public(address: str) -> bool:
    """Whether a connector may reach ``address``: globally routable, not multicast, judged by the
    IPv4 address it carries when it carries one (so ``64:ff9b::7f00:1`` is loopback)."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%", 1)[0]
    )
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    if any(ip in network for network in _NOT_PUBLIC):
        return False
    return ip.is_global and not ip.is_multicast
