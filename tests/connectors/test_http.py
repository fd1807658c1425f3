"""The HTTP seam: retries, rate limits, auth errors, private addresses, redaction."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import (
    HttpClient,
    OutcomeUnknown,
    parse_retry_after,
    redact_url,
)

from .conftest import ReplayServer, Reply


def test_it_returns_a_successful_response(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/ok", Reply(200, {"hello": "monde"}))
    response = http.get(server.url("/ok"), params={"q": "café", "skip": None})
    assert response.json() == {"hello": "monde"}
    assert server.requests[0].param("q") == "café"
    assert "skip" not in server.requests[0].query
    assert server.requests[0].headers["user-agent"].startswith("Ambassade/")


def test_it_retries_a_get_on_5xx_with_backoff(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route("GET", "/flaky", Reply(503, "busy"), Reply(502, "busy"), Reply(200, [1]))
    assert http.get(server.url("/flaky")).json() == [1]
    assert len(server.requests) == 3
    assert len(sleeps) == 2 and sleeps[1] > 0


def test_it_gives_up_after_the_retries_with_a_temporary_error(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/down", Reply(500, {"error": "Internal failure"}))
    with pytest.raises(ConnectorError) as caught:
        http.get(server.url("/down"))
    assert caught.value.permanent is False
    assert "Internal failure" in caught.value.message
    assert len(server.requests) == 3


def test_it_never_retries_a_post_on_5xx(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/publish", Reply(503, "busy"))
    with pytest.raises(ConnectorError) as caught:
        http.post(server.url("/publish"), json={"text": "hi"})
    assert caught.value.permanent is False
    assert len(server.requests) == 1


def test_it_turns_429_into_retry_after(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/limited", Reply(429, {"error": "Too many requests"}, {"Retry-After": "42"})
    )
    with pytest.raises(ConnectorError) as caught:
        http.get(server.url("/limited"))
    assert caught.value.retry_after == 42
    assert caught.value.permanent is False
    assert len(server.requests) == 1  # a rate limit is not retried in place


def test_it_stops_retrying_a_503_that_asks_for_a_long_wait(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/maintenance", Reply(503, "maintenance", {"Retry-After": "3600"}))
    with pytest.raises(ConnectorError) as caught:
        http.get(server.url("/maintenance"))
    assert caught.value.retry_after == 3600
    assert len(server.requests) == 1


def test_it_reads_every_rate_limit_header_style() -> None:
    now = 1_750_000_000.0
    assert parse_retry_after({"Retry-After": "7"}, now) == 7
    date = format_datetime(datetime.fromtimestamp(now, UTC) + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after({"Retry-After": date}, now) == pytest.approx(90)
    assert parse_retry_after({"x-rate-limit-reset": str(int(now) + 300)}, now) == 300
    assert parse_retry_after({"X-Ratelimit-Reset": "120"}, now) == 120
    iso = (datetime.fromtimestamp(now, UTC) + timedelta(minutes=5)).isoformat()
    assert parse_retry_after({"X-RateLimit-Reset": iso}, now) == pytest.approx(300)
    assert parse_retry_after({"Retry-After": "soon"}, now) is None
    assert parse_retry_after({}, now) is None


def test_it_raises_auth_expired_on_401(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/me", Reply(401, {"error": "The access token is invalid"}))
    with pytest.raises(AuthExpired) as caught:
        http.get(server.url("/me"), headers={"Authorization": "Bearer s3cr3t-token"})
    assert caught.value.permanent is True
    assert "The access token is invalid" in caught.value.message


def test_it_raises_a_permanent_error_with_the_platform_message_on_4xx(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/bad", Reply(422, {"error": "Validation failed: Text can't be blank"}))
    with pytest.raises(ConnectorError) as caught:
        http.get(server.url("/bad"))
    assert caught.value.permanent is True
    assert "Text can't be blank" in caught.value.message


def test_it_lets_a_connector_classify_errors_first(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/quota", Reply(403, {"error": {"message": "Quota exceeded"}}))

    def error_map(response: object, message: str) -> ConnectorError:
        return ConnectorError(message, permanent=False, retry_after=60)

    with pytest.raises(ConnectorError) as caught:
        http.get(server.url("/quota"), error_map=error_map)
    assert caught.value.retry_after == 60 and caught.value.message == "Quota exceeded"


def test_it_retries_a_timeout_then_reports_it(server: ReplayServer, sleeps: list[float]) -> None:
    server.route("GET", "/slow", Reply(200, "late", delay=0.3))
    with (
        HttpClient(allow_private=True, timeout=0.05, max_retries=1, sleep=sleeps.append) as http,
        pytest.raises(ConnectorError) as caught,
    ):
        http.get(server.url("/slow"))
    assert caught.value.permanent is False
    assert "did not answer in time" in caught.value.message
    assert len(sleeps) == 1


def test_it_says_a_timed_out_post_may_have_been_received(server: ReplayServer) -> None:
    server.route("POST", "/publish", Reply(200, "late", delay=0.3))
    with HttpClient(allow_private=True, timeout=0.05) as http, pytest.raises(OutcomeUnknown):
        http.post(server.url("/publish"), json={"text": "hello"})
    assert len(server.requests) == 1


def test_it_reports_a_refused_connection_as_temporary(sleeps: list[float]) -> None:
    with (
        HttpClient(allow_private=True, max_retries=0, sleep=sleeps.append) as http,
        pytest.raises(ConnectorError) as caught,
    ):
        http.get("http://127.0.0.1:9/nothing-listens-here")
    assert caught.value.permanent is False


def test_it_reports_malformed_json_as_a_connector_error(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/broken", Reply(200, '{"items": [', {"Content-Type": "application/json"}))
    with pytest.raises(ConnectorError):
        http.get(server.url("/broken")).json()


def test_it_caps_the_response_size(server: ReplayServer) -> None:
    server.route("GET", "/huge", Reply(200, b"x" * 5000))
    with (
        HttpClient(allow_private=True, max_bytes=1000) as http,
        pytest.raises(ConnectorError) as caught,
    ):
        http.get(server.url("/huge"))
    assert caught.value.permanent is True


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "[::1]", "[fe80::1]", "0.0.0.0"],  # noqa: S104
)
def test_it_refuses_private_addresses_by_default(host: str) -> None:
    with HttpClient() as http, pytest.raises(ConnectorError) as caught:
        http.get(f"http://{host}/latest/meta-data/")
    assert caught.value.permanent is True
    assert "private" in caught.value.message


def test_it_refuses_a_name_when_any_of_its_addresses_is_private() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.5"]

    with HttpClient(resolver=resolver) as http, pytest.raises(ConnectorError, match="private"):
        http.get("https://intranet.example.com/feed")


def test_it_refuses_localhost_by_name(server: ReplayServer) -> None:
    server.route("GET", "/ok", Reply(200, "ok"))
    port = server.base_url.rsplit(":", 1)[1]
    with HttpClient() as http, pytest.raises(ConnectorError, match="private"):
        http.get(f"http://localhost:{port}/ok")
    assert server.requests == []


def test_it_checks_every_redirect_hop(server: ReplayServer) -> None:
    server.route("GET", "/hop", Reply(302, "", {"Location": "http://127.0.0.1/admin"}))

    # The first hop is allowed (a public name pinned to our local server), the redirect is not.
    port = int(server.base_url.rsplit(":", 1)[1])

    def resolver(host: str, _port: int) -> list[str]:
        return ["93.184.216.34"]

    class Pinned(HttpClient):
        def _checked_address(self, url):  # type: ignore[no-untyped-def]
            if url.host == "public.example.com":
                return "127.0.0.1"
            return super()._checked_address(url)

    with Pinned(resolver=resolver) as http, pytest.raises(ConnectorError, match="private"):
        http.get(f"http://public.example.com:{port}/hop")
    assert len(server.requests) == 1
    assert server.requests[0].headers["host"] == f"public.example.com:{port}"


def test_it_follows_redirects_on_get(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/old", Reply(301, "", {"Location": "/new"}))
    server.route("GET", "/new", Reply(200, "moved"))
    assert http.get(server.url("/old")).text == "moved"


def test_it_keeps_tokens_out_of_errors_logs_and_reprs(
    server: ReplayServer, http: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = "tok_VERYSECRET_123"
    server.route("GET", "/search", Reply(403, {"error": f"token {token} lacks the read scope"}))
    caplog.set_level(logging.DEBUG, logger="ambassade.connectors.http")
    with pytest.raises(ConnectorError) as caught:
        http.get(
            server.url("/search"),
            params={"q": "x", "access_token": token, "key": "AIzaKEY999"},
            headers={"Authorization": f"Bearer {token}"},
        )
    shown = str(caught.value) + repr(caught.value) + caplog.text + repr(http)
    assert token not in shown and "AIzaKEY999" not in shown
    assert "[redacted]" in shown
    assert caught.value.__cause__ is None


def test_it_redacts_urls() -> None:
    shown = redact_url(
        "https://user:pw@api.example.com/v3/search?q=café&key=AIza123&access_token=t"
    )
    assert "AIza123" not in shown and "pw" not in shown and "access_token=[redacted]" in shown


def test_it_sends_basic_auth_without_leaking_it(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/token", Reply(401, {"error": "invalid_client"}))
    with pytest.raises(AuthExpired) as caught:
        http.post(
            server.url("/token"),
            data={"grant_type": "client_credentials"},
            basic_auth=("id", "clientsecret"),
        )
    assert server.requests[0].headers["authorization"].startswith("Basic ")
    assert "clientsecret" not in repr(caught.value)


def test_the_clock_is_not_needed_for_the_suite() -> None:
    # Backoff delays are injected: the retry tests above must not have slept.
    started = time.monotonic()
    assert time.monotonic() - started < 1


def test_it_resolves_international_names_in_their_ascii_form() -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["192.168.1.1"]

    with HttpClient(resolver=resolver) as http, pytest.raises(ConnectorError, match="private"):
        http.get("https://café.example/feed")
    assert asked == ["xn--caf-dma.example"]


def test_it_drops_credentials_on_a_redirect_to_another_host(
    server: ReplayServer, http: HttpClient
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    server.route("GET", "/away", Reply(302, "", {"Location": f"http://localhost:{port}/landing"}))
    server.route("GET", "/landing", Reply(200, "ok"))
    http.get(server.url("/away"), headers={"Authorization": "Bearer keep-me-home"})
    assert server.requests[0].headers["authorization"] == "Bearer keep-me-home"
    assert "authorization" not in server.requests[1].headers
