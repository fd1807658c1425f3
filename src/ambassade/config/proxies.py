"""The client's address behind reverse proxies (``AMBASSADE_TRUSTED_PROXIES``).

Behind a proxy every request comes from the proxy's address, so the login throttle, keyed by address,
would lock everyone together. The proxy says who its client was in ``X-Forwarded-For``, but anyone can
send that header too: it is read only when the request comes from a trusted proxy, and from right to
left, skipping the hops that are trusted proxies themselves, so the address taken is the one the
first trusted proxy saw (what a client writes on the left is never reached). ``X-Forwarded-Proto``
from a trusted proxy says whether the visitor used HTTPS (for secure cookies and HSTS).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TypeAlias

__all__ = ["Network", "client_address", "forwarded_scheme"]

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(value: str, trusted: Sequence[Network]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in trusted)


def client_address(remote_addr: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The client's address: ``remote_addr`` unless it is a trusted proxy, then the rightmost
    address of ``forwarded_for`` that is not a trusted proxy (all trusted: the leftmost). A hop that
    is not an address stops the walk at the last trusted one."""
    if not trusted or not forwarded_for or not _trusted(remote_addr, trusted):
        return remote_addr
    client = remote_addr
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break
        client = str(address)
        if not any(address in network for network in trusted):
            break
    return client


def forwarded_scheme(remote_addr: str, forwarded_proto: str, trusted: Sequence[Network]) -> str:
    """``https`` or ``http`` as the nearest trusted proxy says, or "" when it says nothing usable."""
    if not trusted or not forwarded_proto or not _trusted(remote_addr, trusted):
        return ""
    scheme = forwarded_proto.split(",")[-1].strip().lower()
    return scheme if scheme in ("http", "https") else ""
