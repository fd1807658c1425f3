"""Reddit posts against a local server answering in the formats of Reddit's OAuth API: the token
endpoint, /api/submit with its ``json.errors``, /api/info and a user's submitted listing."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.publishers import get_publisher
from ambassade.connectors.reddit.publish import RedditPublisher, ratelimit_seconds
from tests.connectors.conftest import Recorded, ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
NOW = datetime(2026, 3, 13, 10, 0, tzinfo=UTC)
TOKEN = "/api/v1/access_token"
SUBMIT = "/api/submit"
SUBMITTED = "/user/cafe_lumiere/submitted"
USER_AGENT = "ambassade/0.1.0 by /u/cafe_lumiere"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def creds(server: ReplayServer, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": "p-jcoLKBynTLew",
        "client_secret": "gko_LXELoV07ZBNUXrvWZfzE3aI",
        "refresh_token": "122606092-refresh-cafe-lumiere",
        "username": "cafe_lumiere",
        "subreddit": "r/cafelumiere",
        "oauth_url": server.base_url,
        "www_url": server.base_url,
        "access_token": "still-valid-access-token",
        "access_token_expires_at": (NOW + timedelta(minutes=30)).isoformat(),
        **extra,
    }


def publisher(http: HttpClient, now: datetime = NOW) -> RedditPublisher:
    return RedditPublisher(http, clock=now.timestamp)


def form(request: Recorded) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.body.decode()).items()}


def test_it_is_registered_as_the_reddit_publisher() -> None:
    assert get_publisher("reddit") is RedditPublisher


def test_it_submits_the_first_line_as_the_title_and_the_rest_as_text(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", SUBMIT, Reply(200, fixture("submit_self.json")))
    text = "Nouvelle carte d'automne\n\nTout est fait maison, du pain au café."
    client = publisher(http)
    published = client.publish(creds(server), Draft(text=text, idempotency_key="k"))
    assert published.external_id == "t3_1p4kq7x"
    assert published.url == (
        "https://www.reddit.com/r/cafelumiere/comments/1p4kq7x/nouvelle_carte_dautomne/"
    )
    (request,) = server.requests  # a token valid for 30 more minutes is not renewed
    assert form(request) == {
        "api_type": "json",
        "sr": "cafelumiere",
        "kind": "self",
        "title": "Nouvelle carte d'automne",
        "text": "Tout est fait maison, du pain au café.",
        "sendreplies": "true",
        "resubmit": "true",
    }
    assert request.headers["authorization"] == "Bearer still-valid-access-token"
    assert request.headers["user-agent"] == USER_AGENT
    assert client.refreshed is None


def test_it_submits_a_lone_link_as_a_link_post(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", SUBMIT, Reply(200, fixture("submit_self.json")))
    text = "La carte d'automne est en ligne\nhttps://cafe-lumiere.fr/carte?utm_source=reddit"
    publisher(http).publish(creds(server), Draft(text=text, idempotency_key="k"))
    sent = form(server.calls(SUBMIT)[0])
    assert sent["kind"] == "link" and "text" not in sent
    assert sent["url"] == "https://cafe-lumiere.fr/carte?utm_source=reddit"


@pytest.mark.parametrize(
    "stored",
    [
        {"access_token": None, "access_token_expires_at": None},
        {"access_token_expires_at": (NOW + timedelta(minutes=4)).isoformat()},
        {"access_token_expires_at": "not a date"},
    ],
    ids=["missing", "expires-in-4-minutes", "unreadable-expiry"],
)
def test_it_refreshes_a_token_missing_or_about_to_expire(
    server: ReplayServer, http: HttpClient, stored: dict[str, Any]
) -> None:
    server.route("POST", TOKEN, Reply(200, fixture("access_token.json")))
    server.route("POST", SUBMIT, Reply(200, fixture("submit_self.json")))
    client = publisher(http)
    client.publish(creds(server, **stored), Draft(text="Titre\ncorps", idempotency_key="k"))
    (token_request,) = server.calls(TOKEN)
    assert form(token_request) == {
        "grant_type": "refresh_token",
        "refresh_token": "122606092-refresh-cafe-lumiere",
    }
    basic = base64.b64encode(b"p-jcoLKBynTLew:gko_LXELoV07ZBNUXrvWZfzE3aI").decode()
    assert token_request.headers["authorization"] == f"Basic {basic}"
    assert token_request.headers["user-agent"] == USER_AGENT
    new_token = fixture("access_token.json")["access_token"]
    assert server.calls(SUBMIT)[0].headers["authorization"] == f"Bearer {new_token}"
    assert client.refreshed is not None
    assert client.refreshed["access_token"] == new_token
    assert client.refreshed["access_token_expires_at"] == "2026-03-14T10:00:00+00:00"
    assert client.refreshed["refresh_token"] == "122606092-refresh-cafe-lumiere"
    assert client.refreshed["subreddit"] == "r/cafelumiere"  # the rest is kept for the vault


def test_it_refreshes_once_on_a_401_then_gives_up(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", TOKEN, Reply(200, fixture("access_token.json")))
    server.route(
        "POST",
        SUBMIT,
        Reply(401, fixture("error_401.json")),
        Reply(200, fixture("submit_self.json")),
    )
    client = publisher(http)
    published = client.publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert published.external_id == "t3_1p4kq7x"
    assert len(server.calls(TOKEN)) == 1 and len(server.calls(SUBMIT)) == 2
    assert client.refreshed is not None

    server.requests.clear()
    server.route("POST", SUBMIT, Reply(401, fixture("error_401.json")))
    with pytest.raises(AuthExpired, match="refused the access token"):
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert len(server.calls(TOKEN)) == 1 and len(server.calls(SUBMIT)) == 2


@pytest.mark.parametrize("status", [400, 200])
def test_it_asks_for_reconnection_on_invalid_grant(
    server: ReplayServer, http: HttpClient, status: int
) -> None:
    server.route("POST", TOKEN, Reply(status, fixture("invalid_grant.json")))
    with pytest.raises(AuthExpired, match="invalid_grant") as caught:
        publisher(http).publish(
            creds(server, access_token=None), Draft(text="Titre", idempotency_key="k")
        )
    assert "122606092-refresh-cafe-lumiere" not in str(caught.value)
    assert "gko_LXELoV07ZBNUXrvWZfzE3aI" not in str(caught.value)
    assert server.calls(SUBMIT) == []


def test_it_waits_as_long_as_reddit_says_on_ratelimit(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", SUBMIT, Reply(200, fixture("submit_ratelimit.json")))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert type(caught.value) is ConnectorError
    assert caught.value.permanent is False and caught.value.retry_after == 300
    assert "you are doing that too much" in caught.value.message


def test_it_reads_the_wait_in_every_ratelimit_wording() -> None:
    assert ratelimit_seconds("you are doing that too much. try again in 5 minutes.") == 300
    assert ratelimit_seconds("you are doing that too much. try again in 1 minute.") == 60
    assert ratelimit_seconds("Take a break for 2 minutes before trying again.") == 120
    assert ratelimit_seconds("try again in 9 seconds.") == 9
    assert ratelimit_seconds("you are doing that too much.") is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("submit_subreddit_noexist.json", "The subreddit r/cafelumiere does not exist."),
        ("submit_no_text.json", "Reddit needs a text for this post in r/cafelumiere."),
    ],
)
def test_it_explains_refusals_in_plain_words(
    server: ReplayServer, http: HttpClient, name: str, words: str
) -> None:
    server.route("POST", SUBMIT, Reply(200, fixture(name)))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert type(caught.value) is ConnectorError
    assert caught.value.permanent is True and caught.value.message == words


def test_it_waits_for_the_rate_limit_reset_on_429(server: ReplayServer, http: HttpClient) -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-used": "100", "x-ratelimit-reset": "42"}
    server.route("POST", SUBMIT, Reply(429, fixture("error_429.json"), headers))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert type(caught.value) is ConnectorError
    assert caught.value.permanent is False and caught.value.retry_after == 42
    assert len(server.calls(SUBMIT)) == 1


@pytest.mark.parametrize(
    "reply",
    [Reply(503, "<html>upstream</html>", {"Content-Type": "text/html"}), Reply(200, "<html>")],
    ids=["5xx", "not-json"],
)
def test_it_calls_an_answerless_submission_an_unknown_outcome(
    server: ReplayServer, http: HttpClient, reply: Reply
) -> None:
    server.route("POST", SUBMIT, reply)
    with pytest.raises(OutcomeUnknown):
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert len(server.calls(SUBMIT)) == 1  # never resent blindly


def test_it_calls_a_timeout_after_sending_an_unknown_outcome(server: ReplayServer) -> None:
    server.route("POST", SUBMIT, Reply(200, fixture("submit_self.json"), delay=0.5))
    with HttpClient(allow_private=True, timeout=0.2) as http, pytest.raises(OutcomeUnknown):
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert len(server.calls(SUBMIT)) == 1


def test_it_refuses_media_in_plain_words(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(ConnectorError, match="cannot send images or videos to Reddit") as caught:
        publisher(http).upload_media(
            creds(server), MediaUpload("tasse.png", "image/png", b"\x89PNG", alt_text="Une tasse")
        )
    assert caught.value.permanent is True
    assert server.requests == []


def test_it_reads_back_score_comments_and_upvote_ratio(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/api/info", Reply(200, fixture("info.json")))
    item = publisher(http).read_back(creds(server), "t3_1p4kq7x")
    assert item is not None
    assert item.metrics == {"score": 57, "replies": 12, "upvote_percent": 94}
    assert item.text == "Nouvelle carte d'automne\n\nTout est fait maison, du pain au café."
    request = server.calls("/api/info")[0]
    assert request.param("id") == "t3_1p4kq7x"
    assert request.headers["user-agent"] == USER_AGENT


def test_it_reads_back_nothing_for_a_post_reddit_does_not_know(
    server: ReplayServer, http: HttpClient
) -> None:
    empty = {"kind": "Listing", "data": {"after": None, "children": [], "before": None}}
    server.route("GET", "/api/info", Reply(200, empty))
    assert publisher(http).read_back(creds(server), "t3_gone") is None


def test_it_reads_every_page_of_the_account_posts_in_its_subreddit(
    server: ReplayServer, http: HttpClient
) -> None:
    pages = {None: fixture("submitted_page1.json"), "t3_1p4kq8m": fixture("submitted_page2.json")}
    server.route("GET", SUBMITTED, lambda request: Reply(200, pages[request.param("after")]))
    since = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
    items = publisher(http).recent_posts(creds(server), since)
    # r/Paris is another subreddit; 08:00 is before `since`; the listing stops once it is older.
    assert [item.external_id for item in items] == ["t3_1p4kq9z", "t3_1p4kq7x"]
    assert items[1].text == "Nouvelle carte d'automne\n\nTout est fait maison, du pain au café."
    calls = server.calls(SUBMITTED)
    assert [call.param("after") for call in calls] == [None, "t3_1p4kq8m"]
    assert calls[0].param("sort") == "new" and calls[0].param("limit") == "100"


def test_it_refuses_to_guess_past_the_last_page_it_reads(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", SUBMITTED, Reply(200, fixture("submitted_page1.json")))
    with pytest.raises(ConnectorError, match="could not be read to the end") as caught:
        publisher(http).recent_posts(creds(server), datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    assert caught.value.permanent is True


def test_it_needs_a_subreddit_and_a_refresh_token(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(ConnectorError, match="names no subreddit") as caught:
        publisher(http).publish(creds(server, subreddit=" "), Draft("Titre", "k"))
    assert not isinstance(caught.value, AuthExpired)
    with pytest.raises(AuthExpired, match="no refresh token"):
        publisher(http).publish(creds(server, refresh_token=""), Draft("Titre", "k"))
    assert server.requests == []


def test_it_asks_for_reconnection_when_a_scope_is_missing(
    server: ReplayServer, http: HttpClient
) -> None:
    # Reading the account's posts needs the "history" scope.
    refused = Reply(
        403,
        {"message": "Forbidden", "error": 403},
        {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'},
    )
    server.route("GET", SUBMITTED, refused)
    with pytest.raises(AuthExpired, match="submit, read and history"):
        publisher(http).recent_posts(creds(server), NOW - timedelta(hours=1))
    assert server.calls(TOKEN) == []  # a missing scope is not cured by a new token
    server.route("POST", SUBMIT, Reply(403, {"message": "Forbidden", "error": 403}))
    with pytest.raises(ConnectorError, match="Reddit refused access") as caught:
        publisher(http).publish(creds(server), Draft(text="Titre", idempotency_key="k"))
    assert caught.value.permanent is True and not isinstance(caught.value, AuthExpired)
