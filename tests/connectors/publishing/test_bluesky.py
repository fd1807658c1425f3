"""Bluesky publishing against a local PDS that answers in XRPC's formats and, like a real one, keeps
one record per record key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.bluesky.publish import BlueskyPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from tests.connectors.conftest import Recorded, ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
X = "/xrpc/"
DID = "did:plc:cafelumiere4f2kq7xz"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def creds(server: ReplayServer, **extra: Any) -> dict[str, Any]:
    return {
        "identifier": "cafe-lumiere.bsky.social",
        "app_password": "abcd-efgh-ijkl-mnop",
        "service": server.base_url,
        **extra,
    }


class Pds:
    """createSession, getRecord and createRecord with a record store keyed by rkey."""

    def __init__(self, server: ReplayServer) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        server.route(
            "POST",
            X + "com.atproto.server.createSession",
            Reply(200, fixture("create_session.json")),
        )
        server.route("GET", X + "com.atproto.repo.getRecord", self.get_record)
        server.route("POST", X + "com.atproto.repo.createRecord", self.create_record)
        server.route("GET", X + "com.atproto.identity.resolveHandle", self.resolve)

    def get_record(self, request: Recorded) -> Reply:
        rkey = request.param("rkey") or ""
        if rkey not in self.records:
            return Reply(400, fixture("record_not_found.json"))
        return Reply(
            200,
            {
                "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
                "cid": "bafy",
                "value": self.records[rkey],
            },
        )

    def create_record(self, request: Recorded) -> Reply:
        body = json.loads(request.body)
        rkey = body["rkey"]
        if rkey in self.records:
            return Reply(400, {"error": "InvalidRequest", "message": "Record already exists"})
        self.records[rkey] = body["record"]
        created = fixture("create_record.json")
        created["uri"] = f"at://{DID}/app.bsky.feed.post/{rkey}"
        return Reply(200, created)

    def resolve(self, request: Recorded) -> Reply:
        if request.param("handle") == "bsky.app":
            return Reply(200, fixture("resolve_handle.json"))
        return Reply(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})


def test_it_creates_a_post_under_the_idempotency_key_once(
    server: ReplayServer, http: HttpClient
) -> None:
    pds = Pds(server)
    publisher = BlueskyPublisher(http)
    draft = Draft(
        text="Nouvelle carte ☕ #cafe avec @bsky.app et @inconnu.example https://cafe.example",
        idempotency_key="3lbx7kq2ab2cd",
    )
    published = publisher.publish(creds(server), draft)
    assert published.external_id == f"at://{DID}/app.bsky.feed.post/3lbx7kq2ab2cd"
    assert published.url == "https://bsky.app/profile/cafe-lumiere.bsky.social/post/3lbx7kq2ab2cd"
    record = pds.records["3lbx7kq2ab2cd"]
    assert record["$type"] == "app.bsky.feed.post" and record["text"] == draft.text
    assert record["createdAt"].endswith("Z")
    features = [facet["features"][0] for facet in record["facets"]]
    assert {"$type": "app.bsky.richtext.facet#tag", "tag": "cafe"} in features
    assert {
        "$type": "app.bsky.richtext.facet#mention",
        "did": "did:plc:z72i7hdynmk6r22z27h6tvur",
    } in features
    assert {"$type": "app.bsky.richtext.facet#link", "uri": "https://cafe.example"} in features
    assert len(features) == 3  # the unresolvable handle stays plain text
    tag = next(f for f in record["facets"] if f["features"][0].get("tag"))
    start, end = tag["index"]["byteStart"], tag["index"]["byteEnd"]
    assert draft.text.encode()[start:end] == b"#cafe"
    # The retry after an unknown outcome: the same key finds the same post, nothing is created.
    again = BlueskyPublisher(http).publish(creds(server), draft)
    assert again.external_id == published.external_id
    assert len(pds.records) == 1
    assert len(server.calls(X + "com.atproto.repo.createRecord")) == 1
    assert publisher.refreshed is not None and publisher.refreshed["access_jwt"].endswith(
        "access-1.sig"
    )


def test_it_returns_the_record_when_create_says_it_exists(
    server: ReplayServer, http: HttpClient
) -> None:
    pds = Pds(server)
    calls = {"n": 0}

    def racing_get(request: Recorded) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:  # not there yet when first read; created by a concurrent call
            pds.records["3lbx7kq2ab2cd"] = {
                "$type": "app.bsky.feed.post",
                "text": "x",
                "createdAt": "2026-03-02T09:00:01.123Z",
            }
            return Reply(400, fixture("record_not_found.json"))
        return pds.get_record(request)

    server.route("GET", X + "com.atproto.repo.getRecord", racing_get)
    published = BlueskyPublisher(http).publish(
        creds(server), Draft(text="x", idempotency_key="3lbx7kq2ab2cd")
    )
    assert published.external_id.endswith("/3lbx7kq2ab2cd")
    assert published.published_at == datetime(2026, 3, 2, 9, 0, 1, 123000, tzinfo=UTC)


def test_it_uploads_a_blob_and_embeds_it_with_its_alt_text(
    server: ReplayServer, http: HttpClient
) -> None:
    pds = Pds(server)
    server.route("POST", X + "com.atproto.repo.uploadBlob", Reply(200, fixture("upload_blob.json")))
    publisher = BlueskyPublisher(http)
    media_id = publisher.upload_media(
        creds(server), MediaUpload("tasse.png", "image/png", b"\x89PNG", alt_text="Une tasse")
    )
    upload = server.calls(X + "com.atproto.repo.uploadBlob")[0]
    assert upload.headers["content-type"] == "image/png" and upload.body == b"\x89PNG"
    publisher.publish(
        creds(server), Draft(text="Photo", idempotency_key="3lbx7kq2ab2ce", media_ids=[media_id])
    )
    embed = pds.records["3lbx7kq2ab2ce"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert embed["images"] == [{"alt": "Une tasse", "image": fixture("upload_blob.json")["blob"]}]


def test_it_refreshes_an_expired_session_and_hands_the_tokens_back(
    server: ReplayServer, http: HttpClient
) -> None:
    pds = Pds(server)
    tokens = {"current": "eyJhbGciOiJFUzI1NksifQ.access-2.sig"}

    def get_record(request: Recorded) -> Reply:
        if request.headers["authorization"] != f"Bearer {tokens['current']}":
            return Reply(400, fixture("expired_token.json"))
        return pds.get_record(request)

    server.route("GET", X + "com.atproto.repo.getRecord", get_record)
    server.route(
        "POST", X + "com.atproto.server.refreshSession", Reply(200, fixture("refresh_session.json"))
    )
    stored = creds(server, access_jwt="old-access", refresh_jwt="old-refresh", did=DID)
    publisher = BlueskyPublisher(http)
    publisher.publish(stored, Draft(text="x", idempotency_key="3lbx7kq2ab2cf"))
    assert publisher.refreshed is not None
    assert publisher.refreshed["access_jwt"] == "eyJhbGciOiJFUzI1NksifQ.access-2.sig"
    assert (
        server.calls(X + "com.atproto.server.refreshSession")[0].headers["authorization"]
        == "Bearer old-refresh"
    )
    assert not server.calls(X + "com.atproto.server.createSession")


def test_it_reports_a_revoked_app_password(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        X + "com.atproto.server.createSession",
        Reply(
            401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        ),
    )
    with pytest.raises(AuthExpired) as caught:
        BlueskyPublisher(http).publish(
            creds(server), Draft(text="x", idempotency_key="3lbx7kq2ab2cd")
        )
    assert "abcd-efgh-ijkl-mnop" not in str(caught.value)


def test_it_reads_the_rate_limit_reset(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    reset = int(datetime.now(UTC).timestamp()) + 300
    server.route(
        "POST",
        X + "com.atproto.repo.createRecord",
        Reply(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        BlueskyPublisher(http).publish(
            creds(server), Draft(text="x", idempotency_key="3lbx7kq2ab2cd")
        )
    assert not caught.value.permanent
    assert caught.value.retry_after is not None and 290 <= caught.value.retry_after <= 301


def test_it_reports_a_server_error_as_temporary(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    server.route("POST", X + "com.atproto.repo.createRecord", Reply(502, "Bad Gateway"))
    with pytest.raises(ConnectorError) as caught:
        BlueskyPublisher(http).publish(
            creds(server), Draft(text="x", idempotency_key="3lbx7kq2ab2cd")
        )
    assert not caught.value.permanent


def test_it_reports_an_unknown_outcome_on_a_timeout(server: ReplayServer) -> None:
    Pds(server)
    server.route(
        "POST",
        X + "com.atproto.repo.createRecord",
        Reply(200, fixture("create_record.json"), delay=0.6),
    )
    slow = HttpClient(allow_private=True, timeout=0.2, sleep=lambda s: None)
    with slow, pytest.raises(OutcomeUnknown):
        BlueskyPublisher(slow).publish(
            creds(server), Draft(text="x", idempotency_key="3lbx7kq2ab2cd")
        )


def test_it_lists_recent_posts(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    server.route(
        "GET", X + "com.atproto.repo.listRecords", Reply(200, fixture("list_records.json"))
    )
    publisher = BlueskyPublisher(http)
    items = publisher.recent_posts(creds(server), datetime(2026, 3, 1, tzinfo=UTC))
    assert [item.text for item in items] == ["Nouvelle carte d'automne ☕ #cafe"]
    assert items[0].url.endswith("/post/3lbx7kq2ab2cd")
    listing = server.calls(X + "com.atproto.repo.listRecords")[0]
    assert listing.param("repo") == DID and listing.param("collection") == "app.bsky.feed.post"


def test_it_reads_a_post_back_with_its_likes_reposts_replies_and_quotes(
    server: ReplayServer, http: HttpClient
) -> None:
    Pds(server)
    found = fixture("get_posts.json")
    server.route(
        "GET",
        X + "app.bsky.feed.getPosts",
        lambda request: Reply(
            200,
            found if request.param("uris") == found["posts"][0]["uri"] else {"posts": []},
        ),
    )
    publisher = BlueskyPublisher(http)
    assert publisher.read_back(creds(server), f"at://{DID}/app.bsky.feed.post/nope") is None
    item = publisher.read_back(creds(server), f"at://{DID}/app.bsky.feed.post/3lbx7kq2ab2cd")
    assert item is not None and item.text.endswith("#cafe")
    assert item.metrics == {"likes": 31, "reposts": 7, "replies": 4, "quotes": 2}
    assert item.created_at == datetime(2026, 3, 2, 9, 0, 1, 123000, tzinfo=UTC)
    request = server.calls(X + "app.bsky.feed.getPosts")[-1]
    assert request.headers["authorization"].startswith("Bearer ")


def test_it_posts_a_thread_with_root_and_parent_references(
    server: ReplayServer, http: HttpClient
) -> None:
    pds = Pds(server)
    draft = Draft(text="Un 1/3", idempotency_key="3lbx7kq2ab2cd", thread=["Deux 2/3", "Trois 3/3"])
    first = BlueskyPublisher(http).publish(creds(server), draft)
    BlueskyPublisher(http).publish(creds(server), draft)  # a retry creates nothing more
    assert len(pds.records) == 3
    keys = list(pds.records)
    assert keys[0] == "3lbx7kq2ab2cd"
    assert all(len(key) == 13 for key in keys) and len(set(keys)) == 3
    second, third = pds.records[keys[1]], pds.records[keys[2]]
    assert second["reply"]["root"]["uri"] == first.external_id
    assert second["reply"]["parent"]["uri"] == first.external_id
    assert third["reply"]["root"]["uri"] == first.external_id
    assert third["reply"]["parent"]["uri"].endswith("/" + keys[1])
    assert all(part["reply"]["root"]["cid"] for part in (second, third))
