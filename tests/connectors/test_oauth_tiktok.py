"""TikTok's Login Kit flow against the fake networks (tests/connectors/oauth_fake.py): the
authorize URL with ``client_key``, the code exchange, the account, the refresh and its refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.oauth import App, GrantRevoked, OAuthError, TikTokProvider
from tests.connectors.conftest import ReplayServer, Reply
from tests.connectors.oauth_fake import APPS, FakeNetworks
from tests.connectors.test_oauth import NOW, REDIRECT, connect, provider, query

KEY = "tiktok"


@pytest.fixture
def fake(server: ReplayServer) -> FakeNetworks:
    return FakeNetworks(server)


@pytest.fixture
def quick_http() -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, timeout=0.5, sleep=lambda _s: None, backoff=0.01)
    yield client
    client.close()


def test_it_builds_the_authorize_url_with_the_client_key(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client = provider(KEY, fake, http)
    url = client.authorize_url(redirect_uri=REDIRECT.format(KEY), state="st4te")
    params = query(url)
    assert url.startswith(f"{fake.server.base_url}/v2/auth/authorize/?")
    assert params["client_key"] == APPS[KEY][0] and "client_id" not in params
    assert params["scope"] == "user.info.basic,user.info.stats,video.list"
    assert params["response_type"] == "code" and params["state"] == "st4te"
    assert params["redirect_uri"] == REDIRECT.format(KEY)
    assert APPS[KEY][1] not in url and "code_challenge" not in params


def test_it_runs_the_flow_and_refreshes_the_daily_token(
    fake: FakeNetworks, http: HttpClient
) -> None:
    client, grant = connect(KEY, fake, http)
    assert isinstance(client, TikTokProvider)
    assert grant.expires_at == NOW + timedelta(hours=24)
    assert grant.user_id == "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
    [account] = client.accounts(grant)
    assert (account.network, account.id, account.name, account.detail) == (
        "tiktok",
        "723f24d7-e717-40f8-a2b6-cb8464cd23b4",
        "@cafelumiere",
        "Café Lumière",
    )
    assert set(account.secret) == {"access_token", "refresh_token", "open_id", "username"}
    assert client.can_refresh(account.secret)
    refreshed = client.refresh(account.secret)
    assert refreshed.secret["access_token"] != account.secret["access_token"]
    assert refreshed.secret["refresh_token"] != account.secret["refresh_token"]  # rotated
    assert refreshed.secret["open_id"] == account.secret["open_id"]
    token_call = fake.server.calls("/v2/oauth/token/")[-1]
    assert b"client_key=tt-client-key" in token_call.body
    # The old refresh token is spent: using it again is a revoked grant.
    with pytest.raises(GrantRevoked):
        client.refresh(account.secret)


def test_it_reports_a_wrong_secret_and_a_failing_server(
    fake: FakeNetworks, http: HttpClient, quick_http: HttpClient
) -> None:
    wrong = TikTokProvider(http, App("tt-client-key", "nope"), endpoints=fake.endpoints())
    code = fake.issue_code(KEY, REDIRECT.format(KEY))
    with pytest.raises(OAuthError) as refused:
        wrong.exchange_code(code, redirect_uri=REDIRECT.format(KEY))
    assert refused.value.code == "oauth.client_refused" and refused.value.permanent
    fake.fail_next(KEY, Reply(503, b"upstream"))
    code = fake.issue_code(KEY, REDIRECT.format(KEY))
    with pytest.raises(ConnectorError) as failed:
        provider(KEY, fake, quick_http).exchange_code(code, redirect_uri=REDIRECT.format(KEY))
    assert not failed.value.permanent
