"""“Connect with …”: each network's OAuth flow driven through Django's test client against a fake
authorisation and API server on 127.0.0.1 (tests/connectors/oauth_fake.py), the refusals (state,
consent, token endpoint), tenancy, and the refresh task."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.workspaces import tokens
from ambassade.workspaces.models import AuditEntry, Connection, Membership, Role
from tests.conftest import Personas
from tests.connectors.conftest import ReplayServer, Reply
from tests.connectors.oauth_fake import APPS, FakeNetworks
from tests.workspaces.html import Element, parse

pytestmark = pytest.mark.django_db

INVALID_GRANT = Reply(
    400,
    {
        "error": "invalid_grant",
        "error_description": "The provided authorization grant or refresh token is invalid, "
        "expired or revoked.",
    },
)


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeNetworks]:
    server = ReplayServer()
    networks = FakeNetworks(server)
    settings.OAUTH_APPS = dict(APPS)
    settings.OAUTH_ENDPOINTS = {key: networks.endpoints() for key in APPS}
    settings.OAUTH_ALLOW_PRIVATE = True
    settings.OAUTH_TIMEOUT = 1.0
    yield networks
    server.close()


def start_url(personas: Personas, network: str, workspace: Any = None) -> str:
    workspace = workspace or personas.workspace_a
    return reverse(
        "publishing:oauth_start", kwargs={"workspace_slug": workspace.slug, "network": network}
    )


def link(root: Element, text: str) -> Element | None:
    return next((a for a in root.find_all("a") if a.text == text), None)


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def begin(client: Any, personas: Personas, network: str) -> dict[str, str]:
    """Start the flow as Alice; return the authorize URL's parameters."""
    client.force_login(personas.alice)
    response = client.get(start_url(personas, network))
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:")
    return params(response["Location"])


def consent(client: Any, fake: FakeNetworks, network: str, sent: dict[str, str]) -> Any:
    """The person consents: the network redirects to the callback with a code."""
    key = tokens.provider_key(network)
    assert key is not None
    code = fake.issue_code(key, sent["redirect_uri"], sent.get("code_challenge", ""))
    callback = urlsplit(sent["redirect_uri"]).path
    return client.get(callback, {"code": code, "state": sent["state"]})


CASES = [
    # network, provider, accounts offered, chosen account id, account name, secret keys, lifetime
    (
        "linkedin",
        "linkedin",
        ["urn:li:organization:2414183", "urn:li:organization:5515715"],
        "urn:li:organization:5515715",
        "Lumière Traiteur",
        {"access_token", "refresh_token", "organization"},
        timedelta(days=60),
    ),
    (
        "x",
        "x",
        None,
        "2244994945",
        "@cafelumiere",
        {"access_token", "refresh_token", "user_id", "username"},
        timedelta(hours=2),
    ),
    (
        "facebook",
        "facebook",
        ["1004567890", "1014567890"],
        "1004567890",
        "Café Lumière",
        {"page_id", "access_token", "user_access_token"},
        None,
    ),
    (
        "instagram",
        "facebook",
        None,
        "17841400000000000",
        "@cafelumiere",
        {"ig_user_id", "access_token"},
        None,
    ),
    (
        "threads",
        "threads",
        None,
        "17841401234567890",
        "@cafelumiere",
        {"threads_user_id", "access_token"},
        timedelta(seconds=5183944),
    ),
    (
        "reddit",
        "reddit",
        ["1w72"],
        "1w72:cafelumiere",
        "r/CafeLumiere · u/cafelumiere",
        {
            "client_id",
            "client_secret",
            "refresh_token",
            "username",
            "subreddit",
            "access_token",
            "access_token_expires_at",
        },
        timedelta(hours=1),
    ),
]


@pytest.mark.parametrize(
    ("network", "key", "offered", "account_id", "name", "keys", "lifetime"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_it_connects_an_account_through_the_networks_flow(
    network: str,
    key: str,
    offered: list[str] | None,
    account_id: str,
    name: str,
    keys: set[str],
    lifetime: timedelta | None,
    fake: FakeNetworks,
    personas: Personas,
    client: Any,
) -> None:
    sent = begin(client, personas, network)
    assert sent["client_id"] == APPS[key][0]
    assert sent["redirect_uri"] == f"http://127.0.0.1:8000/oauth/{key}/callback/"
    assert sent["scope"] and len(sent["state"]) >= 40
    assert ("code_challenge" in sent) == (network == "x")
    if network == "x":
        assert sent["code_challenge_method"] == "S256"
    before = timezone.now()
    response = consent(client, fake, network, sent)
    assert response.status_code == 302
    if offered is not None:
        # Several accounts (or Reddit's subreddit to ask): the choice page.
        assert f"/accounts/oauth/{network}/choose/?flow=" in response["Location"]
        page = client.get(response["Location"])
        assert page.status_code == 200
        radios = parse(page.content).find_all("input", name="account")
        assert [radio.attrs["value"] for radio in radios] == offered
        data = {"flow": params(response["Location"])["flow"], "account": account_id}
        if network == "reddit":
            data = {**data, "account": "1w72", "subreddit": "r/CafeLumiere"}
        response = client.post(response["Location"].split("?")[0], data)
        assert response.status_code == 302
    assert response["Location"] == reverse(
        "workspace_connections", kwargs={"workspace_slug": personas.workspace_a.slug}
    )
    connection = Connection.objects.get(workspace=personas.workspace_a, network=network)
    assert (connection.account_id, connection.account_name) == (account_id, name)
    assert connection.status == Connection.Status.CONNECTED
    secret = connection.secret().reveal()
    assert set(secret) == keys
    assert secret["access_token"].encode() not in bytes(connection.token_ciphertext)
    if lifetime is None:
        assert connection.expires_at is None
    else:
        assert before + lifetime - timedelta(minutes=1) <= connection.expires_at
        assert connection.expires_at <= timezone.now() + lifetime
    # The state is spent: the same answer again is refused before any call to the network.
    calls = len(fake.server.requests)
    code = fake.issue_code(key, sent["redirect_uri"], sent.get("code_challenge", ""))
    again = client.get(urlsplit(sent["redirect_uri"]).path, {"code": code, "state": sent["state"]})
    assert again.status_code == 400
    assert b"or it was already used" in again.content
    assert len(fake.server.requests) == calls
    assert Connection.objects.filter(workspace=personas.workspace_a, network=network).count() == 1


def test_it_never_logs_a_token_during_the_flows(
    fake: FakeNetworks, personas: Personas, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for network, *_rest in CASES:
        response = consent(client, fake, network, begin(client, personas, network))
        if "/choose/" in response["Location"]:
            page = parse(client.get(response["Location"]).content)
            first = page.find("input", name="account")
            assert first is not None
            client.post(
                response["Location"].split("?")[0],
                {
                    "flow": params(response["Location"])["flow"],
                    "account": first.attrs["value"],
                    "subreddit": "CafeLumiere",
                },
            )
    assert Connection.objects.filter(workspace=personas.workspace_a).count() == 1 + len(CASES)
    assert len(fake.tokens) >= 12
    for token in fake.tokens:
        assert token not in caplog.text


def test_it_connects_the_only_linkedin_page_without_asking(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    fake.linkedin_organisations = fake.linkedin_organisations[:1]
    response = consent(client, fake, "linkedin", begin(client, personas, "linkedin"))
    assert response.status_code == 302 and "/connections/" in response["Location"]
    connection = Connection.objects.get(network="linkedin")
    assert connection.secret().reveal()["organization"] == "urn:li:organization:2414183"


def test_it_refuses_a_state_it_did_not_issue(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    sent = begin(client, personas, "x")
    response = client.get("/oauth/x/callback/", {"code": "abc", "state": sent["state"] + "x"})
    assert response.status_code == 400
    assert b"does not match a connection started from this browser" in response.content
    assert not Connection.objects.filter(network="x").exists()
    assert not fake.server.calls("/2/oauth2/token")


def test_it_does_not_carry_the_code_through_the_login_page(fake: FakeNetworks, client: Any) -> None:
    # A callback reaching a logged-out browser: the session that held the state is gone, so the
    # code is of no use after logging in, and it must not sit in the log-in page's address (server
    # logs, history, Referer).
    response = client.get("/oauth/x/callback/", {"code": "x-code-secret", "state": "s" * 43})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "x-code-secret" not in response["Location"] and "s" * 43 not in response["Location"]


def test_it_refuses_a_state_of_another_provider(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    sent = begin(client, personas, "x")
    code = fake.issue_code("x", sent["redirect_uri"], sent["code_challenge"])
    response = client.get("/oauth/reddit/callback/", {"code": code, "state": sent["state"]})
    assert response.status_code == 400
    text = parse(response.content).text
    assert "started for another network" in text and "someone else" not in text
    assert not Connection.objects.filter(network__in=["x", "reddit"]).exists()


def test_it_refuses_an_expired_state(
    fake: FakeNetworks, personas: Personas, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = begin(client, personas, "threads")
    later = time.time() + 601
    monkeypatch.setattr("ambassade.publishing.oauth_views.time.time", lambda: later)
    response = consent(client, fake, "threads", sent)
    assert response.status_code == 400
    assert b"More than 10 minutes passed" in response.content
    assert not Connection.objects.filter(network="threads").exists()


def test_it_refuses_another_persons_state(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    sent = begin(client, personas, "linkedin")
    flows = client.session["oauth_flows"]
    # The same session (a shared computer) now logged in as someone else with access to A.
    Membership.objects.create(workspace=personas.workspace_a, user=personas.charlie, role="manager")
    client.force_login(personas.charlie)
    session = client.session
    session["oauth_flows"] = flows
    session.save()
    response = consent(client, fake, "linkedin", sent)
    assert response.status_code == 400
    assert b"started by someone else" in response.content
    assert not Connection.objects.filter(network="linkedin").exists()


def test_it_says_plainly_that_consent_was_refused(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    sent = begin(client, personas, "reddit")
    response = client.get(
        "/oauth/reddit/callback/", {"error": "access_denied", "state": sent["state"]}
    )
    assert response.status_code == 200
    text = parse(response.content).text
    assert "You did not allow Ambassade to use the Reddit account" in text
    assert not Connection.objects.filter(network="reddit").exists()


@pytest.mark.parametrize(
    ("reply", "status", "words"),
    [
        (INVALID_GRANT, 400, "LinkedIn refused the authorisation"),
        (
            Reply(401, {"error": "invalid_client", "error_description": "Client authentication"}),
            400,
            "LinkedIn refused this installation's client id or secret",
        ),
        (Reply(503, b"upstream connect error"), 502, "LinkedIn did not answer in time"),
        (Reply(200, {"access_token": "late"}, delay=1.5), 502, "LinkedIn did not answer in time"),
    ],
    ids=["invalid_grant", "invalid_client", "5xx", "timeout"],
)
def test_it_saves_nothing_when_the_token_endpoint_fails(
    reply: Reply, status: int, words: str, fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    fake.fail_next("linkedin", reply)
    response = consent(client, fake, "linkedin", begin(client, personas, "linkedin"))
    assert response.status_code == status
    alert = parse(response.content).find("p", role="alert")
    assert alert is not None
    # One plain sentence: said once, without the seam's addresses or its advice to the outbox.
    assert alert.text.count(words) == 1, alert.text
    assert alert.text.count("LinkedIn refused") <= 1, alert.text
    assert "http" not in alert.text and "check before retrying" not in alert.text, alert.text
    assert "Nothing was saved" in alert.text
    assert not Connection.objects.filter(network="linkedin").exists()
    assert "oauth_pending" not in client.session or not client.session["oauth_pending"]


def test_it_reconnects_an_account_that_needs_it(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    consent(client, fake, "x", begin(client, personas, "x"))
    connection = Connection.objects.get(network="x")
    connection.status = Connection.Status.NEEDS_RECONNECTION
    connection.last_error = "X refused the authorisation."
    connection.save()
    page = client.get(reverse("workspace_connections", args=[personas.workspace_a.slug]))
    reconnect = link(parse(page.content), "Reconnect")
    assert reconnect is not None and reconnect.attrs["href"] == start_url(personas, "x")
    consent(client, fake, "x", begin(client, personas, "x"))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED and connection.last_error == ""
    assert Connection.objects.filter(network="x").count() == 1


def test_it_offers_connect_with_only_for_configured_apps(
    fake: FakeNetworks, personas: Personas, client: Any, settings: Any
) -> None:
    settings.OAUTH_APPS = {"linkedin": APPS["linkedin"], "facebook": APPS["facebook"]}
    client.force_login(personas.alice)
    url = reverse("publishing:connect", args=[personas.workspace_a.slug])
    linkedin = parse(client.get(url + "?network=linkedin").content)
    button = link(linkedin, "Connect with LinkedIn")
    assert button is not None and button.attrs["href"] == start_url(personas, "linkedin")
    assert linkedin.find("input", name="access_token") is not None  # the alternative
    x = parse(client.get(url + "?network=x").content)
    assert link(x, "Connect with X") is None
    assert client.get(start_url(personas, "x")).status_code == 404
    # An Instagram account connects with Facebook's sign-in.
    instagram = parse(client.get(url + "?network=instagram").content)
    button = link(instagram, "Connect with Facebook")
    assert button is not None and button.attrs["href"] == start_url(personas, "instagram")
    # Before a network is chosen: each network once (its page offers the sign-in first), and one
    # line saying which networks connect with a sign-in here and what the others take.
    chooser = parse(client.get(url).content)
    nav = chooser.find("nav", class_="pub-networks")
    assert nav is not None
    labels = [a.text for a in nav.find_all("a")]
    assert len(labels) == len(set(labels)) and "LinkedIn" in labels
    assert not [a for a in chooser.find_all("a") if "/oauth/" in a.attrs.get("href", "")]
    ways = chooser.find(id="connect-ways").text
    assert ways.startswith("LinkedIn, Facebook page, Instagram: you sign in on the network")
    assert "The other networks: you paste the credentials" in ways
    # On a network with a sign-in, the pasted credentials say when they are the way.
    assert "Only when you already hold a token made in LinkedIn’s developer settings" in (
        linkedin.text
    )
    assert "developer settings" not in x.text  # X has no app here: pasting is the only way


def test_it_keeps_the_start_to_owners_and_managers(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    client.force_login(personas.bob)  # an editor of A
    assert client.get(start_url(personas, "linkedin")).status_code == 403
    client.force_login(personas.charlie)  # no access to A
    assert client.get(start_url(personas, "linkedin")).status_code == 404


def test_it_lands_no_callback_in_a_workspace_the_person_cannot_manage(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    # Charlie forges a flow of his own session pointing at workspace A.
    client.force_login(personas.charlie)
    session = client.session
    session["oauth_flows"] = {
        "forged-state": {
            "user": personas.charlie.pk,
            "workspace": personas.workspace_a.pk,
            "network": "x",
            "provider": "x",
            "verifier": "v" * 50,
            "created": time.time(),
        }
    }
    session.save()
    code = fake.issue_code("x", "http://127.0.0.1:8000/oauth/x/callback/")
    response = client.get("/oauth/x/callback/", {"code": code, "state": "forged-state"})
    assert response.status_code == 404
    assert not fake.server.calls("/2/oauth2/token")
    # And Alice, demoted between the start and the answer, lands nothing either.
    sent = begin(client, personas, "x")
    Membership.objects.filter(user=personas.alice, workspace=personas.workspace_a).update(
        role=Role.EDITOR
    )
    assert consent(client, fake, "x", sent).status_code == 404
    assert not Connection.objects.filter(network="x").exists()


def test_it_keeps_the_account_choice_to_its_flow(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    response = consent(client, fake, "linkedin", begin(client, personas, "linkedin"))
    flow = params(response["Location"])["flow"]
    Membership.objects.create(workspace=personas.workspace_b, user=personas.alice, role="owner")
    other = reverse(
        "publishing:oauth_choose",
        kwargs={"workspace_slug": personas.workspace_b.slug, "network": "linkedin"},
    )
    refused = client.post(other, {"flow": flow, "account": "urn:li:organization:2414183"})
    assert refused.status_code == 404
    assert b"The list of accounts has expired" in refused.content
    assert not Connection.objects.filter(network="linkedin").exists()


# --- refresh before expiry ---------------------------------------------------------------------


def connect_directly(
    personas: Personas,
    network: str,
    account_id: str,
    secret: dict[str, Any],
    expires_in: timedelta | None,
) -> Connection:
    from ambassade.workspaces import services

    return services.connect_account(
        personas.workspace_a,
        network=network,
        account_name=f"{network}-account-{account_id}",
        secret=secret,
        actor=personas.alice,
        account_id=account_id,
        expires_at=timezone.now() + expires_in if expires_in is not None else None,
    )


def test_it_refreshes_tokens_that_expire_soon_and_skips_fresh_ones(
    fake: FakeNetworks, personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    from ambassade.workspaces.tasks import refresh_expiring_tokens

    caplog.set_level(logging.DEBUG)
    fake.refresh_tokens.update(x="x-refresh-1", reddit="reddit-refresh-1")
    x = connect_directly(
        personas,
        "x",
        "1",
        {
            "access_token": "x-old-access",
            "refresh_token": "x-refresh-1",
            "user_id": "1",
            "username": "a",
        },
        timedelta(minutes=20),
    )
    reddit = connect_directly(
        personas,
        "reddit",
        "2",
        {
            "client_id": APPS["reddit"][0],
            "client_secret": APPS["reddit"][1],
            "refresh_token": "reddit-refresh-1",
            "username": "cafelumiere",
            "subreddit": "CafeLumiere",
            "access_token": "reddit-old-access",
            "access_token_expires_at": "",
        },
        timedelta(minutes=5),
    )
    threads = connect_directly(
        personas,
        "threads",
        "3",
        {"threads_user_id": "3", "access_token": "threads-long-token-old"},
        timedelta(days=6),
    )
    fresh_x = connect_directly(
        personas,
        "x",
        "4",
        {
            "access_token": "x-fresh",
            "refresh_token": "x-fresh-refresh",
            "user_id": "4",
            "username": "b",
        },
        timedelta(hours=1),
    )
    fresh_threads = connect_directly(
        personas,
        "threads",
        "5",
        {"threads_user_id": "5", "access_token": "threads-long-token-fresh"},
        timedelta(days=30),
    )
    outcomes = refresh_expiring_tokens.call_local()
    assert outcomes == {"refreshed": 3}
    for connection in (x, reddit, threads, fresh_x, fresh_threads):
        connection.refresh_from_db()
    x_secret = x.secret().reveal()
    assert x_secret["refresh_token"] == fake.refresh_tokens["x"] != "x-refresh-1"  # rotated
    assert x_secret["access_token"].startswith("x-access-token")
    assert x.expires_at > timezone.now() + timedelta(minutes=119)
    reddit_secret = reddit.secret().reveal()
    assert reddit_secret["refresh_token"] == "reddit-refresh-1"
    assert reddit_secret["subreddit"] == "CafeLumiere"
    assert reddit_secret["access_token_expires_at"] == reddit.expires_at.isoformat()
    assert threads.expires_at > timezone.now() + timedelta(days=59)
    assert fresh_x.secret().reveal()["access_token"] == "x-fresh"
    assert fresh_threads.secret().reveal()["access_token"] == "threads-long-token-fresh"
    assert len(fake.server.calls("/refresh_access_token")) == 1
    for token in (
        "x-old-access",
        "x-refresh-1",
        "reddit-refresh-1",
        "threads-long-token-old",
        x_secret["access_token"],
        x_secret["refresh_token"],
        reddit_secret["access_token"],
    ):
        assert token not in caplog.text
    # A second run right after finds nothing due.
    assert refresh_expiring_tokens.call_local() == {}


def test_it_marks_a_refused_refresh_for_reconnection(
    fake: FakeNetworks, personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    fake.refresh_tokens["linkedin"] = "the-current-one"
    connection = connect_directly(
        personas,
        "linkedin",
        "urn:li:organization:1",
        {
            "access_token": "li-old",
            "refresh_token": "revoked-refresh",
            "organization": "urn:li:organization:1",
        },
        timedelta(days=3),
    )
    assert tokens.refresh_expiring() == {"revoked": 1}
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_RECONNECTION
    assert connection.last_error.code == "connection.revoked"
    assert (
        "LinkedIn no longer accepts this connection's authorisation" in connection.last_error.text
    )
    assert connection.secret().reveal()["access_token"] == "li-old"  # nothing overwritten
    assert "revoked-refresh" not in caplog.text
    # Flagged connections are left alone by the next runs.
    assert tokens.refresh_expiring() == {}


def test_it_does_not_flag_a_connection_renewed_during_the_refresh(
    fake: FakeNetworks, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambassade.connectors.oauth import GrantRevoked, XProvider
    from ambassade.workspaces import vault

    connection = connect_directly(
        personas,
        "x",
        "1",
        {"access_token": "x-old", "refresh_token": "x-spent", "user_id": "1", "username": "a"},
        timedelta(minutes=10),
    )
    renewed = {"access_token": "x-new", "refresh_token": "x-new-r", "user_id": "1", "username": "a"}

    def refresh_raced(self: Any, secret: Any) -> Any:
        # The publisher renewed the token while this refresh was on its way, spending x-spent.
        Connection.objects.filter(id=connection.id).update(token_ciphertext=vault.encrypt(renewed))
        raise GrantRevoked("X refused the authorisation: it was revoked or has expired.")

    monkeypatch.setattr(XProvider, "refresh", refresh_raced)
    assert tokens.refresh_expiring() == {"skipped": 1}
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.secret().reveal() == renewed


def test_it_lets_one_refresh_at_a_time_spend_a_rotating_token(
    fake: FakeNetworks, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two runs of the task overlap: the second reads the connection while the first's refresh
    # (which rotates X's refresh token) is on its way. It must leave the connection alone: spending
    # the old refresh token again would be refused and flag a healthy connection.
    from ambassade.connectors.oauth import XProvider

    fake.refresh_tokens["x"] = "x-refresh-1"
    connection = connect_directly(
        personas,
        "x",
        "1",
        {"access_token": "x-old", "refresh_token": "x-refresh-1", "user_id": "1", "username": "a"},
        timedelta(minutes=10),
    )
    real = XProvider.refresh
    second: list[str] = []

    def first_run_refresh(self: Any, secret: Any) -> Any:
        refreshed = real(self, secret)  # X has rotated the token; not written back yet
        if not second:
            second.append(tokens.refresh_connection(connection.id))  # the overlapping run
        return refreshed

    monkeypatch.setattr(XProvider, "refresh", first_run_refresh)
    assert tokens.refresh_connection(connection.id) == "refreshed"
    assert second == ["skipped"]
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.secret().reveal()["refresh_token"] == fake.refresh_tokens["x"]
    assert connection.updated_at <= timezone.now()  # the claim is released
    monkeypatch.setattr(XProvider, "refresh", real)
    # Due again later: refreshed as usual.
    Connection.objects.filter(id=connection.id).update(
        expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert tokens.refresh_connection(connection.id) == "refreshed"


def test_it_leaves_a_connection_connected_after_a_temporary_failure(
    fake: FakeNetworks, personas: Personas
) -> None:
    fake.refresh_tokens["x"] = "x-refresh-1"
    fake.fail_next("x", Reply(503, b"busy"))
    connection = connect_directly(
        personas,
        "x",
        "1",
        {"access_token": "x-old", "refresh_token": "x-refresh-1", "user_id": "1", "username": "a"},
        timedelta(minutes=10),
    )
    assert tokens.refresh_expiring() == {"failed": 1}
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert tokens.refresh_expiring() == {"refreshed": 1}


def test_it_warns_before_a_token_that_cannot_be_renewed_expires(
    fake: FakeNetworks, personas: Personas, client: Any
) -> None:
    connection = connect_directly(
        personas,
        "linkedin",
        "urn:li:organization:1",
        {"access_token": "li-only", "organization": "urn:li:organization:1"},
        timedelta(days=5),
    )
    assert tokens.refresh_expiring() == {"notice": 1}
    assert tokens.refresh_expiring() == {"notice": 1}
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.last_error.code == "connection.expiring"
    assert (
        "does not let Ambassade renew it: reconnect the account before then"
        in connection.last_error.text
    )
    assert AuditEntry.objects.filter(action=tokens.CONNECTION_EXPIRING).count() == 1  # once
    assert not fake.server.calls("/oauth/v2/accessToken")
    client.force_login(personas.alice)
    page = parse(
        client.get(reverse("workspace_connections", args=[personas.workspace_a.slug])).content
    )
    assert "reconnect the account before then" in page.text
    reconnect = link(page, "Reconnect")
    assert reconnect is not None and reconnect.attrs["href"] == start_url(personas, "linkedin")
    # Once expired, it needs reconnection.
    assert tokens.refresh_expiring(now=timezone.now() + timedelta(days=6)) == {"expired": 1}
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_RECONNECTION


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"AMBASSADE_LINKEDIN_CLIENT_ID": "id"}, "AMBASSADE_LINKEDIN_CLIENT_SECRET: is needed"),
        ({"AMBASSADE_REDDIT_CLIENT_SECRET": "s"}, "AMBASSADE_REDDIT_CLIENT_ID: is empty"),
    ],
)
def test_it_refuses_an_app_with_half_its_credentials(
    environment: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambassade.config import env
    from ambassade.config import settings as project_settings

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(env.ConfigError, match=message):
        project_settings._oauth_apps()
    monkeypatch.setenv("AMBASSADE_X_CLIENT_ID", "public-client")  # X alone may have no secret
    for name in environment:
        monkeypatch.delenv(name)
    assert project_settings._oauth_apps() == {"x": ("public-client", "")}
