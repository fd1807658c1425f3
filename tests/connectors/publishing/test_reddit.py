"""Reddit posts against a local server answering in the formats of Reddit's OAuth API: the token
endpoint, /api/submit with its ``json.errors``, /api/info and a user's submitted listing."""

from __future__ import annotations

import base64
import email
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.publishers import get_publisher
from ambassade.connectors.reddit.publish import FIND_WAITS, RedditPublisher, ratelimit_seconds
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


# --- images: the media-asset lease, Reddit's storage (S3), then the submission -------------------

LEASE = "/api/media/asset.json"
GALLERY = "/api/submit_gallery_post.json"
S3 = "/s3"
TEXT = "Nouvelle carte d'automne\n\nTout est fait maison, du pain au café."
MEDIA_URL = "https://reddit-uploaded-media.s3-accelerate.amazonaws.com/rte_images/q7x2k9m4hs8f1"


def raw_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def multipart(request: Recorded) -> list[tuple[str, str | None, str | None, bytes]]:
    """The parts of a multipart/form-data body, in order: name, filename, type, data."""
    message = email.message_from_bytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.body
    )
    assert message.is_multipart()
    parts = []
    for part in message.get_payload():
        assert isinstance(part, email.message.Message)
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        ctype = part.get("content-type")
        parts.append((str(name), filename and str(filename), ctype, part.get_payload(decode=True)))
    return parts


class FakeReddit:
    """Reddit's lease (pointing its uploads at the fake storage on the same server), the storage
    answering 201 with its XML, and the submitted listing: empty until ``listed_after`` reads."""

    def __init__(self, server: ReplayServer, *, listed_after: int = 1) -> None:
        self.server = server
        self.listed_after = listed_after
        self.reads = 0
        self.leases = 0
        server.route("POST", LEASE, self.lease)
        server.route(
            "POST",
            S3,
            Reply(201, raw_fixture("s3_created.xml"), {"Content-Type": "application/xml"}),
        )
        server.route("POST", SUBMIT, Reply(200, fixture("submit_image.json")))
        server.route("POST", GALLERY, Reply(200, fixture("submit_gallery.json")))
        server.route("GET", SUBMITTED, self.submitted)

    def lease(self, request: Recorded) -> Reply:
        self.leases += 1
        body = fixture("media_asset.json")
        body["args"]["action"] = self.server.url(S3)
        body["asset"]["asset_id"] = f"q7x2k9m4hs8f{self.leases}"
        return Reply(200, body)

    def submitted(self, request: Recorded) -> Reply:
        self.reads += 1
        if self.reads < self.listed_after:
            return Reply(200, {"kind": "Listing", "data": {"after": None, "children": []}})
        return Reply(200, fixture("submitted_image.json"))


def image_publisher(http: HttpClient, sleeps: list[float]) -> RedditPublisher:
    return RedditPublisher(http, clock=NOW.timestamp, sleep=sleeps.append)


def test_it_posts_an_image_through_the_lease_and_reddits_storage(
    server: ReplayServer, http: HttpClient
) -> None:
    reddit = FakeReddit(server, listed_after=2)
    waits: list[float] = []
    client = image_publisher(http, waits)
    media_id = client.upload_media(
        creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"\xff\xd8\xff\xe0JFIF", "Une tasse")
    )
    (lease,) = server.calls(LEASE)
    assert form(lease) == {"filepath": "tasse.jpg", "mimetype": "image/jpeg"}
    assert lease.headers["authorization"] == "Bearer still-valid-access-token"
    (upload,) = server.calls(S3)
    assert "authorization" not in upload.headers  # no Reddit token reaches the storage
    parts = multipart(upload)
    names = [field["name"] for field in fixture("media_asset.json")["args"]["fields"]]
    assert [part[0] for part in parts] == [*names, "file"]  # every field, then the file last
    assert parts[1] == ("key", None, None, b"rte_images/q7x2k9m4hs8f1")
    assert parts[-1] == ("file", "tasse.jpg", "image/jpeg", b"\xff\xd8\xff\xe0JFIF")

    published = client.publish(creds(server), Draft(TEXT, "k", media_ids=[media_id]))
    assert form(server.calls(SUBMIT)[0]) == {
        "api_type": "json",
        "sr": "cafelumiere",
        "kind": "image",
        "title": "Nouvelle carte d'automne",
        "text": "Tout est fait maison, du pain au café.",
        "url": MEDIA_URL,  # the storage's <Location>, decoded
        "sendreplies": "true",
        "resubmit": "true",
    }
    # No id in Reddit's answer: the post is found in the account's posts, on the second read.
    assert published.external_id == "t3_1p4ki5q"
    assert published.url.endswith("/r/cafelumiere/comments/1p4ki5q/nouvelle_carte_dautomne/")
    assert reddit.reads == 2 and waits == list(FIND_WAITS[:2])
    assert len(server.calls(SUBMIT)) == 1


def test_it_posts_a_gallery_with_the_alt_texts_as_captions(
    server: ReplayServer, http: HttpClient
) -> None:
    FakeReddit(server)
    client = image_publisher(http, [])
    long_alt = "Une part de tarte aux pommes " * 10
    media_ids = [
        client.upload_media(creds(server), MediaUpload("a.jpg", "image/jpeg", b"a", "Une tasse")),
        client.upload_media(creds(server), MediaUpload("b.png", "image/png", b"b", long_alt)),
    ]
    published = client.publish(creds(server), Draft(TEXT, "k", media_ids=media_ids))
    assert published.external_id == "t3_1p4kg01"
    assert published.url.endswith("/comments/1p4kg01/nouvelle_carte_dautomne/")
    (call,) = server.calls(GALLERY)
    body = json.loads(call.body)
    assert call.headers["authorization"] == "Bearer still-valid-access-token"
    assert body["sr"] == "cafelumiere" and body["title"] == "Nouvelle carte d'automne"
    assert body["text"] == "Tout est fait maison, du pain au café."
    assert [item["media_id"] for item in body["items"]] == ["q7x2k9m4hs8f1", "q7x2k9m4hs8f2"]
    assert body["items"][0] == {
        "media_id": "q7x2k9m4hs8f1",
        "caption": "Une tasse",
        "outbound_url": "",
    }
    caption = body["items"][1]["caption"]
    assert len(caption) == 180 and caption.endswith("…")  # Reddit's caption limit
    assert server.calls(SUBMIT) == [] and server.calls(SUBMITTED) == []


def test_it_reports_a_refusal_of_reddits_storage_and_submits_nothing(
    server: ReplayServer, http: HttpClient
) -> None:
    FakeReddit(server)
    server.route(
        "POST",
        S3,
        Reply(403, raw_fixture("s3_access_denied.xml"), {"Content-Type": "application/xml"}),
    )
    with pytest.raises(ConnectorError, match="AccessDenied: Invalid according to Policy") as caught:
        image_publisher(http, []).upload_media(
            creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
        )
    assert caught.value.permanent is False  # a new attempt asks for a new lease
    assert server.calls(SUBMIT) == []


def test_it_reports_a_lease_refused_by_reddit(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", LEASE, Reply(403, {"message": "Forbidden", "error": 403}))
    with pytest.raises(ConnectorError, match="Reddit refused access: Forbidden") as caught:
        image_publisher(http, []).upload_media(
            creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
        )
    assert caught.value.permanent is True
    assert server.calls(S3) == []


@pytest.mark.parametrize(
    "action",
    [
        "//uploads.example.com",
        "http://reddit-uploaded-media.s3-accelerate.amazonaws.com",
        "https://reddit-uploaded-media.s3-accelerate.amazonaws.com.example.com",
        "https://evil-bucket.s3-accelerate.amazonaws.com",
    ],
)
def test_it_uploads_only_to_reddits_storage_over_https(
    server: ReplayServer, http: HttpClient, action: str
) -> None:
    body = fixture("media_asset.json")
    body["args"]["action"] = action
    server.route("POST", LEASE, Reply(200, body))
    with pytest.raises(ConnectorError, match="not Reddit's media storage") as caught:
        image_publisher(http, []).upload_media(
            creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
        )
    assert caught.value.permanent is True
    assert [call.path for call in server.requests] == [LEASE]


def test_it_takes_reddits_protocol_relative_upload_address_as_https() -> None:
    """Reddit's real lease names its bucket without a scheme: it is reached over https, through the
    seam that refuses private addresses (the name is not resolved here: no network in tests)."""
    with HttpClient(resolver=lambda host, port: ["10.0.0.7"]) as strict:
        client = RedditPublisher(strict)
        target = client._upload_target("//reddit-uploaded-media.s3-accelerate.amazonaws.com")
        assert target == "https://reddit-uploaded-media.s3-accelerate.amazonaws.com"
        with pytest.raises(ConnectorError, match="private"):
            strict.post(target, content=b"")  # the seam's private-address refusal still holds
        with pytest.raises(ConnectorError, match="not Reddit's media storage"):
            client._upload_target("http://127.0.0.1:9000/s3")  # only a test client allows it


def test_it_calls_an_image_post_not_listed_yet_an_unknown_outcome(
    server: ReplayServer, http: HttpClient
) -> None:
    reddit = FakeReddit(server, listed_after=len(FIND_WAITS) + 1)
    waits: list[float] = []
    client = image_publisher(http, waits)
    media_id = client.upload_media(
        creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
    )
    with pytest.raises(OutcomeUnknown, match="has not listed it yet") as caught:
        client.publish(creds(server), Draft(TEXT, "k", media_ids=[media_id]))
    assert caught.value.permanent is False
    assert len(server.calls(SUBMIT)) == 1  # never submitted again
    assert reddit.reads == len(FIND_WAITS) and waits == list(FIND_WAITS)
    assert sum(FIND_WAITS) < RedditPublisher.attempt_deadline - 30


def test_it_renews_the_token_on_a_401_from_the_lease(
    server: ReplayServer, http: HttpClient
) -> None:
    FakeReddit(server)
    server.route("POST", TOKEN, Reply(200, fixture("access_token.json")))
    body = fixture("media_asset.json")
    body["args"]["action"] = server.url(S3)
    server.route("POST", LEASE, Reply(401, fixture("error_401.json")), Reply(200, body))
    client = image_publisher(http, [])
    media_id = client.upload_media(
        creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
    )
    assert json.loads(media_id)["asset_id"] == "q7x2k9m4hs8f1"
    new_token = fixture("access_token.json")["access_token"]
    assert [call.headers["authorization"] for call in server.calls(LEASE)] == [
        "Bearer still-valid-access-token",
        f"Bearer {new_token}",
    ]
    assert client.refreshed is not None


def test_it_asks_for_reconnection_when_the_lease_meets_invalid_grant(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", LEASE, Reply(401, fixture("error_401.json")))
    server.route("POST", TOKEN, Reply(400, fixture("invalid_grant.json")))
    with pytest.raises(AuthExpired, match="invalid_grant"):
        image_publisher(http, []).upload_media(
            creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
        )
    assert server.calls(S3) == []


def test_it_calls_an_expired_access_after_submitting_an_unknown_outcome(
    server: ReplayServer, http: HttpClient
) -> None:
    """Reddit took the image post; the access lapsing while it is looked for must not fail the
    post (a person would publish it again): the outbox reconciles it."""
    FakeReddit(server)
    client = image_publisher(http, [])
    media_id = client.upload_media(
        creds(server), MediaUpload("tasse.jpg", "image/jpeg", b"x", "Une tasse")
    )
    server.route("GET", SUBMITTED, Reply(401, fixture("error_401.json")))
    server.route("POST", TOKEN, Reply(400, fixture("invalid_grant.json")))
    with pytest.raises(OutcomeUnknown, match="reading it back failed"):
        client.publish(creds(server), Draft(TEXT, "k", media_ids=[media_id]))
    assert len(server.calls(SUBMIT)) == 1


@pytest.mark.parametrize(
    ("filename", "content_type"), [("demo.mp4", "video/mp4"), ("carte.webp", "image/webp")]
)
def test_it_refuses_videos_and_other_files_in_plain_words(
    server: ReplayServer, http: HttpClient, filename: str, content_type: str
) -> None:
    with pytest.raises(ConnectorError, match="JPEG, PNG and GIF images to Reddit") as caught:
        publisher(http).upload_media(
            creds(server), MediaUpload(filename, content_type, b"\x00", alt_text="Une démo")
        )
    assert caught.value.permanent is True
    assert server.requests == []


def test_it_refuses_a_gif_in_a_gallery(server: ReplayServer, http: HttpClient) -> None:
    FakeReddit(server)
    client = image_publisher(http, [])
    media_ids = [
        client.upload_media(creds(server), MediaUpload("a.jpg", "image/jpeg", b"a", "Une tasse")),
        client.upload_media(creds(server), MediaUpload("b.gif", "image/gif", b"b", "Un chat")),
    ]
    with pytest.raises(ConnectorError, match="a GIF goes alone") as caught:
        client.publish(creds(server), Draft(TEXT, "k", media_ids=media_ids))
    assert caught.value.permanent is True
    assert server.calls(GALLERY) == [] and server.calls(SUBMIT) == []
