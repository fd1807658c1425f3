"""Behind trusted reverse proxies the throttle sees each visitor's own address; without them, or
from anyone else, X-Forwarded-For is ignored."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.test import RequestFactory

from ambassade.config.middleware import ProxyMiddleware
from ambassade.config.proxies import client_address, forwarded_scheme
from ambassade.workspaces import throttle
from tests.conftest import Personas

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # One proxy: the address it saw.
        ("10.0.0.2", "203.0.113.7", "203.0.113.7"),
        # A client's own X-Forwarded-For is on the left: never reached.
        ("10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # Two proxies: the hop before the last trusted one.
        ("10.0.0.2", "198.51.100.9, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
        # From an untrusted address, the header is anybody's: ignored.
        ("203.0.113.50", "1.2.3.4", "203.0.113.50"),
        # IPv6 proxies and clients, ports and brackets.
        ("2001:db8::1", "[2001:db8:1::5]:443, 2a01:e0a::7", "2a01:e0a::7"),
        ("10.0.0.2", "203.0.113.7:51234", "203.0.113.7"),
        # Only proxies: the leftmost.
        ("10.0.0.2", "10.0.0.9, 10.0.0.3", "10.0.0.9"),
        # Garbage stops at the last trusted hop.
        ("10.0.0.2", "203.0.113.7, unknown, 10.0.0.3", "10.0.0.3"),
        # No header.
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_it_reads_the_client_address_right_to_left(
    remote: str, forwarded: str, expected: str
) -> None:
    assert client_address(remote, forwarded, PROXIES) == expected


def test_it_ignores_the_headers_without_trusted_proxies() -> None:
    assert client_address("10.0.0.2", "203.0.113.7", []) == "10.0.0.2"
    assert forwarded_scheme("10.0.0.2", "https", []) == ""


def test_it_takes_the_scheme_only_from_a_trusted_proxy() -> None:
    assert forwarded_scheme("10.0.0.2", "https", PROXIES) == "https"
    assert forwarded_scheme("10.0.0.2", "http, https", PROXIES) == "https"
    assert forwarded_scheme("203.0.113.50", "https", PROXIES) == ""
    assert forwarded_scheme("10.0.0.2", "gopher", PROXIES) == ""


def _through(settings: Any, remote: str, forwarded: str, proto: str = "") -> Any:
    settings.TRUSTED_PROXIES = PROXIES
    seen: dict[str, Any] = {}

    def view(request: Any) -> Any:
        seen["address"] = request.META["REMOTE_ADDR"]
        seen["secure"] = request.is_secure()
        return None

    headers = {"HTTP_X_FORWARDED_FOR": forwarded, "REMOTE_ADDR": remote}
    if proto:
        headers["HTTP_X_FORWARDED_PROTO"] = proto
    ProxyMiddleware(view)(RequestFactory().get("/", **headers))
    return seen


def test_the_middleware_sets_the_address_and_scheme(settings: Any) -> None:
    assert _through(settings, "10.0.0.2", "203.0.113.7", "https") == {
        "address": "203.0.113.7",
        "secure": True,
    }
    assert _through(settings, "203.0.113.50", "1.2.3.4", "https") == {
        "address": "203.0.113.50",
        "secure": False,
    }


def test_visitors_behind_one_proxy_are_throttled_apart(
    personas: Personas, client: Any, settings: Any
) -> None:
    """Without the setting, everyone behind the proxy shares one address and one lock."""
    settings.TRUSTED_PROXIES = PROXIES

    def login(forwarded: str, password: str) -> Any:
        return client.post(
            "/login/",
            {"email": "alice@example.com", "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(throttle.MAX_FAILURES + 1):
        login("198.51.100.66", "wrong")
    # The attacker is locked out; Alice, behind the same proxy, is not.
    assert login("203.0.113.7", "correct horse battery staple 42").status_code == 302


def test_a_bad_proxy_network_stops_the_start_naming_the_variable(monkeypatch: Any) -> None:
    from ambassade.config import env

    monkeypatch.setenv(env.TRUSTED_PROXIES, "10.0.0.0/8, 10.0.0.0/33")
    with pytest.raises(env.ConfigError, match="AMBASSADE_TRUSTED_PROXIES: expected IP addresses"):
        env.env_networks(env.TRUSTED_PROXIES)
    monkeypatch.setenv(env.TRUSTED_PROXIES, "127.0.0.1, fd00::/8")
    assert [str(n) for n in env.env_networks(env.TRUSTED_PROXIES)] == ["127.0.0.1/32", "fd00::/8"]


def test_a_bad_private_host_stops_the_start_naming_the_variable(tmp_path: Any) -> None:
    from tests.config.test_settings import _run_ambassade

    result = _run_ambassade(tmp_path, AMBASSADE_ALLOWED_PRIVATE_HOSTS="intranet.lan, http://x/")
    assert result.returncode == 2, result.stderr
    assert "configuration error: AMBASSADE_ALLOWED_PRIVATE_HOSTS:" in result.stderr
    assert "'http://x/' is neither a host name" in result.stderr
