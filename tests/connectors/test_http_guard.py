"""The HTTP seam's guard against server-side request forgery: addresses that carry a private IPv4
address inside an IPv6 one, IETF special ranges, and credentials kept to their own origin."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.http import HttpClient, allow_private_destinations
from ambassade.connectors.http.addresses import is_public

from .conftest import ReplayServer, Reply

NOT_PUBLIC = [
    # NAT64 (64:ff9b::/96) holding a private or loopback IPv4 address.
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b::a9fe:a9fe",
    # The local-use NAT64 prefix (RFC 8215).
    "64:ff9b:1::c0a8:1",
    # IPv4-compatible (::a.b.c.d, deprecated).
    "::127.0.0.1",
    "::10.0.0.1",
    "::169.254.169.254",
    # IPv4-mapped and IPv4-translated.
    "::ffff:127.0.0.1",
    "::ffff:0:10.0.0.1",
    # 6to4 of a private address.
    "2002:c0a8:0101::1",
    # The IETF protocol assignments, 192.0.0.0/24, all of it.
    "192.0.0.1",
    "192.0.0.8",
    "192.0.0.9",
    "192.0.0.170",
    "192.0.0.255",
    # Site-local IPv6 (deprecated, still routed on some networks) and documentation ranges.
    "fec0::1",
    "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_it_counts_embedded_and_special_addresses_as_private(address: str) -> None:
    assert not is_public(address), address


@pytest.mark.parametrize("address", PUBLIC)
def test_it_still_reaches_public_addresses(address: str) -> None:
    assert is_public(address), address


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "::127.0.0.1", "192.0.0.170"])
def test_it_refuses_a_name_resolving_to_them(address: str) -> None:
    def resolver(host: str, port: int) -> list[str]:
        return [address]

    with HttpClient(resolver=resolver) as http, pytest.raises(ConnectorError) as caught:
        http.get("https://feed.example.com/rss")
    assert caught.value.permanent is True


def test_every_address_embedding_a_private_ipv4_is_private() -> None:
    """For each private IPv4 range, its first address in every IPv6 form that carries one."""
    for network in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
    ):
        v4 = int(next(ipaddress.IPv4Network(network).hosts()))
        forms = [
            (0x0064_FF9B << 96) | v4,  # NAT64
            v4,  # IPv4-compatible
            (0xFFFF << 32) | v4,  # IPv4-mapped
            (0xFFFF << 48) | v4,  # IPv4-translated
            (0x2002 << 112) | (v4 << 80),  # 6to4
        ]
        for value in forms:
            address = str(ipaddress.IPv6Address(value))
            assert not is_public(address), (network, address)


@pytest.fixture
def other_port() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


def test_it_drops_credentials_on_a_redirect_to_another_port_of_the_same_host(
    server: ReplayServer, other_port: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/away", Reply(302, "", {"Location": other_port.url("/landing")}))
    other_port.route("GET", "/landing", Reply(200, "ok"))
    http.get(
        server.url("/away"),
        headers={"Authorization": "Bearer keep-me-home", "Cookie": "session=1"},
    )
    assert server.requests[0].headers["authorization"] == "Bearer keep-me-home"
    landed = other_port.requests[0].headers
    assert "authorization" not in landed and "cookie" not in landed


def test_it_keeps_credentials_on_a_redirect_within_the_origin(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/old", Reply(301, "", {"Location": "/new"}))
    server.route("GET", "/new", Reply(200, "ok"))
    http.get(server.url("/old"), basic_auth=("reader", "s3cret"))
    assert server.requests[1].headers["authorization"].startswith("Basic ")


# --- private destinations an administrator allows (AMBASSADE_ALLOWED_PRIVATE_HOSTS) ---------------


@pytest.fixture
def allowed() -> Iterator[None]:
    yield
    allow_private_destinations([])


def _intranet(server: ReplayServer) -> tuple[int, HttpClient]:
    """A client whose resolver says intranet.example.lan is the local replay server."""
    port = int(server.base_url.rsplit(":", 1)[1])

    def resolver(host: str, _port: int) -> list[str]:
        return ["127.0.0.1"] if host == "intranet.example.lan" else ["93.184.216.34"]

    return port, HttpClient(resolver=resolver)


def test_it_refuses_an_intranet_feed_unless_allowed(server: ReplayServer, allowed: None) -> None:
    server.route("GET", "/feed", Reply(200, "ok"))
    port, http = _intranet(server)
    with http, pytest.raises(ConnectorError) as caught:
        http.get(f"http://intranet.example.lan:{port}/feed")
    assert "AMBASSADE_ALLOWED_PRIVATE_HOSTS" in caught.value.message
    assert server.requests == []
    allow_private_destinations(["intranet.example.lan"])
    port, http = _intranet(server)
    with http:
        assert http.get(f"http://intranet.example.lan:{port}/feed").text == "ok"


def test_an_allowed_network_lets_any_name_inside_it_through(
    server: ReplayServer, allowed: None
) -> None:
    server.route("GET", "/feed", Reply(200, "ok"))
    allow_private_destinations(["127.0.0.0/8"])
    port, http = _intranet(server)
    with http:
        assert http.get(f"http://intranet.example.lan:{port}/feed").text == "ok"
        assert http.get(f"http://127.0.0.1:{port}/feed").text == "ok"
    # Other private ranges stay refused.
    with HttpClient() as http, pytest.raises(ConnectorError):
        http.get("http://10.0.0.1/feed")


def test_an_allowed_host_cannot_redirect_elsewhere(server: ReplayServer, allowed: None) -> None:
    server.route("GET", "/hop", Reply(302, "", {"Location": "http://169.254.169.254/latest/"}))
    allow_private_destinations(["intranet.example.lan"])
    port, http = _intranet(server)
    with http, pytest.raises(ConnectorError, match=r"169\.254\.169\.254"):
        http.get(f"http://intranet.example.lan:{port}/hop")


@pytest.mark.parametrize("entry", ["not a host", "http://intranet.lan", "10.0.0.0/33", "a..b"])
def test_it_names_a_bad_entry(entry: str, allowed: None) -> None:
    with pytest.raises(ValueError, match="neither a host name"):
        allow_private_destinations([entry])
