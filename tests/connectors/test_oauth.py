"""The OAuth protocol code of each network against a fake authorisation and API server on
127.0.0.1 answering in the networks' documented formats (tests/connectors/oauth_fake.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.oauth import (
    PROVIDERS,
    App,
    Grant,
    GrantRevoked,
    OAuthError,
    Provider,
    code_challenge,
    new_code_verifier,
    new_state,
)
from tests.connectors.conftest import Recorded, ReplayServer, Reply
from tests.connectors.oauth_fake import APPS, FakeNetworks

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
REDIRECT = "https://social.example.com/oauth/{}/callback/"


@pytest.fixture
def fake(server: ReplayServer) -> FakeNetworks:
    return FakeNetworks(server)


@pytest.fixture
def quick_http() -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, timeout=0.5, sleep=lambda _s: None, backoff=0.01)
    yield client
    client.close()


def provider(key: str, fake: FakeNetworks, http: HttpClient) -> Provider:
    return PROVIDERS[key](http, App(*APPS[key]), endpoints=fake.endpoints(), now=lambda: NOW)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def connect(key: str, fake: FakeNetworks, http: HttpClient) -> tuple[Provider, Grant]:
    """Run the flow as the callback does: authorize URL, code, exchange."""
    client = provider(key, fake, http)
    verifier = new_code_verifier()
    challenge = code_challenge(verifier) if client.pkce else ""
    url = client.authorize_url(
        redirect_uri=REDIRECT.format(key), state=new_state(), code_challenge=challenge
    )
    code = fake.issue_code(key, REDIRECT.format(key), query(url).get("code_challenge", ""))
    grant = client.exchange_code(code, redirect_uri=REDIRECT.format(key), code_verifier=verifier)
    return client, grant


def test_it_computes_the_pkce_challenge_of_rfc_7636() -> None:
    # The example of RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert 43 <= len(new_code_verifier()) <= 128
    assert new_state() != new_state()


@pytest.mark.parametrize(
    ("key", "path", "expected"),
    [
        (
            "linkedin",
            "/oauth/v2/authorization",
            {
                "response_type": "code",
                "scope": "w_organization_social r_organization_social rw_organization_admin",
            },
        ),
        (
            "x",
            "/i/oauth2/authorize",
            {
                "response_type": "code",
                "scope": "tweet.read tweet.write users.read media.write offline.access "
                "dm.read dm.write",
                "code_challenge_method": "S256",
            },
        ),
        (
            "facebook",
            "/v23.0/dialog/oauth",
            {"response_type": "code"},
        ),
        (
            "threads",
            "/oauth/authorize",
            {
                "response_type": "code",
                "scope": "threads_basic,threads_content_publish,threads_manage_insights",
            },
        ),
        (
            "reddit",
            "/api/v1/authorize",
            {
                "response_type": "code",
                "duration": "permanent",
                "scope": "identity submit read history privatemessages",
            },
        ),
    ],
)
def test_it_builds_each_networks_authorize_url(
    key: str, path: str, expected: dict[str, str], fake: FakeNetworks, http: HttpClient
) -> None:
    client = provider(key, fake, http)
    url = client.authorize_url(
        redirect_uri=REDIRECT.format(key), state="st4te", code_challenge="ch4llenge"
    )
    assert urlsplit(url).path == path
    params = query(url)
    assert params["client_id"] == APPS[key][0]
    assert params["redirect_uri"] == REDIRECT.format(key)
    assert params["state"] == "st4te"
    assert APPS[key][1] not in url  # the secret never goes to the browser
    for name, value in expected.items():
        assert params[name] == value
    if key == "facebook":
        assert "pages_manage_posts" in params["scope"].split(",")
        assert "instagram_content_publish" in params["scope"].split(",")
    if key == "x":
        assert params["code_challenge"] == "ch4llenge"
    else:
        assert "code_challenge" not in params


def test_it_lists_the_linkedin_pages_the_member_administers(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect("linkedin", fake, http)
    assert grant.expires_at == NOW + timedelta(days=60)
    accounts = client.accounts(grant)
    assert [(a.network, a.id, a.name) for a in accounts] == [
        ("linkedin", "urn:li:organization:2414183", "Café Lumière"),
        ("linkedin", "urn:li:organization:5515715", "Lumière Traiteur"),
    ]
    secret = accounts[0].secret
    assert set(secret) == {"access_token", "refresh_token", "organization"}
    assert secret["organization"] == "urn:li:organization:2414183"
    assert fake.server.calls("/rest/organizationAcls")[0].headers["linkedin-version"] == "202509"


def test_it_refreshes_linkedin_only_with_a_refresh_token(
    fake: FakeNetworks, http: HttpClient
) -> None:
    fake.linkedin_refresh = False
    client, grant = connect("linkedin", fake, http)
    secret = client.accounts(grant)[0].secret
    assert "refresh_token" not in secret
    assert not client.can_refresh(secret)
    with pytest.raises(OAuthError, match="cannot be renewed"):
        client.refresh(secret)


def test_it_runs_the_x_flow_with_pkce_and_rotates_the_refresh_token(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect("x", fake, http)
    assert grant.expires_at == NOW + timedelta(hours=2)
    token_call = fake.server.calls("/2/oauth2/token")[0]
    assert token_call.headers["authorization"].startswith("Basic ")
    (account,) = client.accounts(grant)
    assert (account.network, account.id, account.name) == ("x", "2244994945", "@cafelumiere")
    assert set(account.secret) == {"access_token", "refresh_token", "user_id", "username"}
    refreshed = client.refresh(account.secret)
    assert refreshed.secret["refresh_token"] != account.secret["refresh_token"]
    assert refreshed.secret["access_token"] != account.secret["access_token"]
    assert refreshed.secret["username"] == "cafelumiere"
    assert refreshed.expires_at == NOW + timedelta(hours=2)
    # The old refresh token is spent: X answers invalid_request, which means the grant is gone.
    with pytest.raises(GrantRevoked, match="revoked or has expired"):
        client.refresh(account.secret)


def test_it_refuses_an_x_code_with_the_wrong_verifier(fake: FakeNetworks, http: HttpClient) -> None:
    client = provider("x", fake, http)
    code = fake.issue_code("x", REDIRECT.format("x"), code_challenge(new_code_verifier()))
    with pytest.raises(GrantRevoked):
        client.exchange_code(code, redirect_uri=REDIRECT.format("x"), code_verifier="other")


def test_it_lists_facebook_pages_and_their_instagram_accounts(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect("facebook", fake, http)
    # The long-lived user token (60 days), not the short one.
    assert grant.access_token.startswith("facebook-user-token")
    assert grant.expires_at == NOW + timedelta(seconds=5183944)
    exchange = fake.server.calls("/v23.0/oauth/access_token")[1]
    assert exchange.param("grant_type") == "fb_exchange_token"
    accounts = client.accounts(grant)
    assert [(a.network, a.name, a.detail) for a in accounts] == [
        ("facebook", "Café Lumière", ""),
        ("instagram", "@cafelumiere", "Café Lumière"),
        ("facebook", "Lumière Traiteur", ""),
    ]
    page, instagram = accounts[0], accounts[1]
    assert page.secret == {
        "page_id": "1004567890",
        "access_token": "facebook-page-token-0",
        "user_access_token": grant.access_token,
    }
    assert instagram.secret == {
        "ig_user_id": "17841400000000000",
        "access_token": "facebook-page-token-0",
    }
    assert page.expires_at is None  # page tokens of a long-lived user token do not expire
    assert not client.can_refresh(page.secret)


def test_it_follows_the_page_listing_to_the_next_page(
    server: ReplayServer, http: HttpClient
) -> None:
    first = {
        "data": [{"id": "1", "name": "One", "access_token": "page-token-1"}],
        "paging": {"next": server.url("/v23.0/me/accounts?after=QVFI&access_token=user-token-1")},
    }
    second = {"data": [{"id": "2", "name": "Two", "access_token": "page-token-2"}], "paging": {}}
    server.route("GET", "/v23.0/me/accounts", Reply(200, first), Reply(200, second))
    client = PROVIDERS["facebook"](
        http, App(*APPS["facebook"]), endpoints={"graph": server.base_url}
    )
    accounts = client.accounts(Grant(access_token="user-token-1"))
    assert [a.name for a in accounts] == ["One", "Two"]
    assert server.calls("/v23.0/me/accounts")[1].param("after") == "QVFI"


def test_it_sends_the_user_token_only_to_the_configured_graph_host(
    server: ReplayServer, http: HttpClient
) -> None:
    # paging.next is the network's text: whatever host it names, the next page is asked of the
    # configured Graph address, with the cursor of paging.next and the token Ambassade holds.
    elsewhere = ReplayServer()
    try:
        elsewhere.route("GET", "/v23.0/me/accounts", Reply(200, {"data": [], "paging": {}}))
        first = {
            "data": [{"id": "1", "name": "One", "access_token": "page-token-1"}],
            "paging": {
                "next": elsewhere.url(
                    "/v23.0/me/accounts?after=QVFI&limit=100&access_token=planted-token"
                )
            },
        }
        second = {"data": [{"id": "2", "name": "Two", "access_token": "page-token-2"}]}
        server.route("GET", "/v23.0/me/accounts", Reply(200, first), Reply(200, second))
        client = PROVIDERS["facebook"](
            http, App(*APPS["facebook"]), endpoints={"graph": server.base_url}
        )
        accounts = client.accounts(Grant(access_token="user-token-1"))
        assert elsewhere.requests == []
    finally:
        elsewhere.close()
    assert [a.name for a in accounts] == ["One", "Two"]
    calls = server.calls("/v23.0/me/accounts")
    assert [c.param("access_token") for c in calls] == ["user-token-1", "user-token-1"]
    assert calls[1].param("after") == "QVFI"


def test_it_exchanges_and_refreshes_a_long_lived_threads_token(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect("threads", fake, http)
    assert grant.access_token.startswith("threads-long-token")
    assert grant.expires_at == NOW + timedelta(seconds=5183944)
    (account,) = client.accounts(grant)
    assert account.name == "@cafelumiere"
    assert account.secret == {
        "threads_user_id": "17841401234567890",
        "access_token": grant.access_token,
    }
    refreshed = client.refresh(account.secret)
    assert refreshed.secret["access_token"] != grant.access_token
    assert refreshed.secret["threads_user_id"] == "17841401234567890"
    call = fake.server.calls("/refresh_access_token")[0]
    assert call.param("grant_type") == "th_refresh_token"


def test_it_marks_an_expired_threads_token_as_revoked(fake: FakeNetworks, http: HttpClient) -> None:
    client = provider("threads", fake, http)
    with pytest.raises(GrantRevoked, match="Threads refused the authorisation"):
        client.refresh({"threads_user_id": "1", "access_token": "threads-short-token-9"})


def test_it_runs_the_reddit_flow_and_refreshes_the_hourly_token(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect("reddit", fake, http)
    assert grant.expires_at == NOW + timedelta(hours=1)
    (account,) = client.accounts(grant)
    assert account.name == "u/cafelumiere"
    assert account.secret["client_id"] == APPS["reddit"][0]
    assert account.secret["access_token_expires_at"] == (NOW + timedelta(hours=1)).isoformat()
    refreshed = client.refresh(account.secret)
    assert refreshed.secret["refresh_token"] == account.secret["refresh_token"]
    assert refreshed.secret["access_token"] != account.secret["access_token"]
    form = parse_qs(fake.server.calls("/api/v1/access_token")[-1].body.decode())
    assert form["grant_type"] == ["refresh_token"]


def test_it_reads_reddits_200_answer_with_an_error_as_a_refusal(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client = provider("reddit", fake, http)
    with pytest.raises(GrantRevoked):
        client.exchange_code("never-issued", redirect_uri=REDIRECT.format("reddit"))


@pytest.mark.parametrize("key", ["linkedin", "x", "reddit"])
def test_it_turns_invalid_grant_on_refresh_into_a_revoked_grant(
    key: str, fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect(key, fake, http)
    secret = client.accounts(grant)[0].secret
    fake.refresh_tokens[key] = "another"  # revoked at the network
    with pytest.raises(GrantRevoked) as caught:
        client.refresh(secret)
    assert caught.value.permanent
    assert secret["refresh_token"] not in caught.value.message


@pytest.mark.parametrize("key", ["linkedin", "x", "threads", "reddit"])
def test_it_reports_a_wrong_client_secret_as_the_apps_problem(
    key: str, fake: FakeNetworks, http: HttpClient
) -> None:
    client = PROVIDERS[key](
        http, App(APPS[key][0], "wrong-secret"), endpoints=fake.endpoints(), now=lambda: NOW
    )
    code = fake.issue_code(key, REDIRECT.format(key))
    with pytest.raises(OAuthError) as caught:
        client.exchange_code(code, redirect_uri=REDIRECT.format(key), code_verifier="v")
    assert caught.value.permanent
    assert "wrong-secret" not in caught.value.message


@pytest.mark.parametrize("key", ["linkedin", "x", "reddit"])
def test_it_treats_5xx_as_temporary(key: str, fake: FakeNetworks, http: HttpClient) -> None:
    client, grant = connect(key, fake, http)
    secret = client.accounts(grant)[0].secret
    fake.fail_next(key, Reply(503, b"Service Unavailable"))
    with pytest.raises(ConnectorError) as caught:
        client.refresh(secret)
    assert not caught.value.permanent
    assert not isinstance(caught.value, GrantRevoked)


def test_it_treats_a_token_endpoint_timeout_as_temporary(
    fake: FakeNetworks, quick_http: HttpClient
) -> None:
    client, grant = connect("reddit", fake, quick_http)
    secret = client.accounts(grant)[0].secret
    fake.fail_next("reddit", Reply(200, {"access_token": "late"}, delay=1.5))
    with pytest.raises(ConnectorError) as caught:
        client.refresh(secret)
    assert not caught.value.permanent
    assert not isinstance(caught.value, GrantRevoked)


def test_it_never_logs_or_shows_a_token(
    fake: FakeNetworks, http: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens: list[str] = []
    shown = ""  # every provider's reprs, checked against every token at the end
    for key in PROVIDERS:
        client, grant = connect(key, fake, http)
        accounts = client.accounts(grant)
        tokens += [grant.access_token, *(str(v) for a in accounts for v in a.secret.values())]
        mine = repr(grant) + repr(accounts) + repr(client)
        for account in accounts:
            if client.can_refresh(account.secret):
                refreshed = client.refresh(account.secret)
                tokens += [str(v) for v in refreshed.secret.values()]
                mine += repr(refreshed)
        assert APPS[key][1] not in mine
        shown += mine
    assert all(f"{PROVIDERS[key].__name__}" in shown for key in PROVIDERS)
    secrets = [t for t in tokens if "token" in t and len(t) > 12] + fake.tokens
    assert any("short" in t for t in secrets)  # the short-lived tokens exchanged on the way too
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in shown


def test_it_lets_a_public_x_client_send_its_id_without_a_secret(
    server: ReplayServer, http: HttpClient
) -> None:
    seen: list[dict[str, list[str]]] = []

    def token(request: Recorded) -> Reply:
        assert "authorization" not in request.headers  # no secret to send
        seen.append(parse_qs(request.body.decode()))
        return Reply(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "x-public-access",
                "scope": "tweet.read offline.access",
                "refresh_token": "x-public-refresh",
            },
        )

    server.route("POST", "/2/oauth2/token", token)
    client = PROVIDERS["x"](http, App("public-id"), endpoints={"api": server.base_url})
    grant = client.exchange_code("c0de", redirect_uri=REDIRECT.format("x"), code_verifier="v" * 43)
    assert grant.refresh_token == "x-public-refresh"
    assert seen[0]["client_id"] == ["public-id"] and seen[0]["code_verifier"] == ["v" * 43]
