"""Mastodon publishing against a local server that answers in Mastodon's formats and, like the real
server, deduplicates statuses by Idempotency-Key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.mastodon.publish import MastodonPublisher, instance_of
from tests.connectors.conftest import Recorded, ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
STATUSES = "/api/v1/statuses"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def creds(server: ReplayServer) -> dict[str, Any]:
    return {"access_token": "mastodon-secret-token", "instance": server.base_url, "account_id": ""}


def deduplicating(server: ReplayServer) -> dict[str, Any]:
    """POST /api/v1/statuses answering a repeated Idempotency-Key with the status it created."""
    created: dict[str, Any] = {}

    def handler(request: Recorded) -> Reply:
        key = request.headers.get("idempotency-key", "")
        if key not in created:
            status = fixture("status_created.json")
            status["id"] = str(113500000000000001 + len(created))
            status["content"] = f"<p>{json.loads(request.body)['status']}</p>"
            created[key] = status
        return Reply(200, created[key])

    server.route("POST", STATUSES, handler)
    return created


def test_it_publishes_with_the_idempotency_key(server: ReplayServer, http: HttpClient) -> None:
    created = deduplicating(server)
    publisher = MastodonPublisher(http)
    draft = Draft(text="Nouvelle carte", idempotency_key="3lbx7kq2ab2cd")
    first = publisher.publish(creds(server), draft)
    again = publisher.publish(creds(server), draft)  # the retry after an unknown outcome
    assert first == again
    assert len(created) == 1
    assert first.external_id == "113500000000000001"
    assert first.url == "https://mastodon.example/@cafe_lumiere/113500000000000001"
    assert first.published_at == datetime(2026, 3, 2, 9, 0, 1, 123000, tzinfo=UTC)
    request = server.calls(STATUSES)[0]
    assert request.headers["idempotency-key"] == "3lbx7kq2ab2cd"
    assert request.headers["authorization"] == "Bearer mastodon-secret-token"
    assert json.loads(request.body) == {"status": "Nouvelle carte", "media_ids": []}
    other = publisher.publish(creds(server), Draft(text="Autre", idempotency_key="3lbx7kq2ab2ce"))
    assert other.external_id != first.external_id


def test_it_uploads_media_with_the_description(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/api/v2/media", Reply(202, fixture("media_202.json")))
    media_id = MastodonPublisher(http).upload_media(
        creds(server),
        MediaUpload("tasse.png", "image/png", b"\x89PNG-bytes", alt_text="Une tasse de café"),
    )
    assert media_id == "22345792"
    request = server.calls("/api/v2/media")[0]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="tasse.png"' in request.body
    assert b"\x89PNG-bytes" in request.body
    assert 'name="description"\r\n\r\nUne tasse de café'.encode() in request.body


def test_it_sends_the_media_ids_with_the_status(server: ReplayServer, http: HttpClient) -> None:
    deduplicating(server)
    MastodonPublisher(http).publish(
        creds(server), Draft(text="Avec image", idempotency_key="k1", media_ids=["22345792"])
    )
    assert json.loads(server.calls(STATUSES)[0].body)["media_ids"] == ["22345792"]


def test_it_waits_while_media_are_processed(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", STATUSES, Reply(422, fixture("error_422_processing.json")))
    with pytest.raises(ConnectorError) as caught:
        MastodonPublisher(http).publish(creds(server), Draft(text="x", idempotency_key="k"))
    assert not caught.value.permanent and caught.value.retry_after == 30


def test_it_refuses_a_text_too_long_permanently(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", STATUSES, Reply(422, fixture("error_422_length.json")))
    with pytest.raises(ConnectorError) as caught:
        MastodonPublisher(http).publish(creds(server), Draft(text="x" * 600, idempotency_key="k"))
    assert caught.value.permanent
    assert "Text character limit of 500 exceeded" in caught.value.message


def test_it_reports_an_expired_token(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", STATUSES, Reply(401, {"error": "The access token is invalid"}))
    with pytest.raises(AuthExpired) as caught:
        MastodonPublisher(http).publish(creds(server), Draft(text="x", idempotency_key="k"))
    assert "mastodon-secret-token" not in str(caught.value)


def test_it_reads_the_rate_limit_reset(server: ReplayServer, http: HttpClient) -> None:
    reset = datetime.now(UTC).replace(microsecond=0).timestamp() + 600
    server.route(
        "POST",
        STATUSES,
        Reply(
            429,
            {"error": "Too many requests"},
            {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": datetime.fromtimestamp(reset, UTC).isoformat(),
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        MastodonPublisher(http).publish(creds(server), Draft(text="x", idempotency_key="k"))
    assert not caught.value.permanent
    assert caught.value.retry_after is not None and 590 <= caught.value.retry_after <= 601


def test_it_does_not_retry_a_status_after_a_5xx(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", STATUSES, Reply(503, "<html>Service Unavailable</html>"))
    with pytest.raises(ConnectorError) as caught:
        MastodonPublisher(http).publish(creds(server), Draft(text="x", idempotency_key="k"))
    assert not caught.value.permanent
    assert len(server.calls(STATUSES)) == 1  # the outbox decides, with the same key


def test_it_reports_an_unknown_outcome_on_a_timeout(server: ReplayServer) -> None:
    server.route("POST", STATUSES, Reply(200, fixture("status_created.json"), delay=0.6))
    with HttpClient(allow_private=True, timeout=0.2) as slow, pytest.raises(OutcomeUnknown):
        MastodonPublisher(slow).publish(creds(server), Draft(text="x", idempotency_key="k"))


def test_it_lists_the_account_recent_statuses_for_reconciliation(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET", "/api/v1/accounts/verify_credentials", Reply(200, fixture("verify_credentials.json"))
    )
    status = fixture("status_created.json")
    older = {**status, "id": "1", "created_at": "2026-03-01T08:00:00.000Z"}
    server.route("GET", "/api/v1/accounts/109000000000000042/statuses", Reply(200, [status, older]))
    items = MastodonPublisher(http).recent_posts(
        creds(server), datetime(2026, 3, 2, 8, 55, tzinfo=UTC)
    )
    assert [item.external_id for item in items] == ["113500000000000001"]
    assert items[0].text.startswith("Nouvelle carte d'automne au Café Lumière ☕")
    assert items[0].url == "https://mastodon.example/@cafe_lumiere/113500000000000001"
    listing = server.calls("/api/v1/accounts/109000000000000042/statuses")[0]
    assert listing.param("exclude_reblogs") == "true"


def test_it_reads_a_status_back(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v1/statuses/113500000000000001", Reply(200, fixture("status_created.json"))
    )
    server.route("GET", "/api/v1/statuses/404", Reply(404, {"error": "Record not found"}))
    publisher = MastodonPublisher(http)
    item = publisher.read_back(creds(server), "113500000000000001")
    assert item is not None and "#cafe" in item.text
    assert publisher.read_back(creds(server), "404") is None


def test_it_finds_the_server_from_the_account_name() -> None:
    assert instance_of({"account_name": "@brand_a@mastodon.social"}) == "https://mastodon.social"
    with pytest.raises(ConnectorError):
        instance_of({"account_name": "brand"})


def test_it_posts_a_thread_as_replies_each_with_its_own_key(
    server: ReplayServer, http: HttpClient
) -> None:
    created = deduplicating(server)
    draft = Draft(text="Un 1/3", idempotency_key="3lbx7kq2ab2cd", thread=["Deux 2/3", "Trois 3/3"])
    first = MastodonPublisher(http).publish(creds(server), draft)
    again = MastodonPublisher(http).publish(creds(server), draft)  # the retry finds all three
    assert first == again and len(created) == 3
    requests = server.calls(STATUSES)[:3]
    bodies = [json.loads(r.body) for r in requests]
    keys = [r.headers["idempotency-key"] for r in requests]
    assert keys[0] == "3lbx7kq2ab2cd" and len(set(keys)) == 3
    assert "in_reply_to_id" not in bodies[0]
    assert bodies[1]["in_reply_to_id"] == first.external_id
    assert bodies[2]["in_reply_to_id"] == created[keys[1]]["id"]
