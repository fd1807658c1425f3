"""LinkedIn organisation posts against a local server answering in the Posts API's formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.linkedin import LinkedInPublisher
from tests.connectors.conftest import ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "linkedin"
POSTS = "/rest/posts"
CREDS = {"access_token": "linkedin-secret-token", "organization": "5515715"}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def publisher(server: ReplayServer, http: HttpClient) -> LinkedInPublisher:
    return LinkedInPublisher(http, endpoints={"api": server.base_url})


def created() -> Reply:
    return Reply(201, b"", {"x-restli-id": "urn:li:share:7234567890123456789"})


def test_it_posts_escaped_little_text_as_the_page(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", POSTS, created())
    text = "Nouvelle carte (édition 2026) *enfin* #cafe https://cafe.example/a_b"
    published = publisher(server, http).publish(CREDS, Draft(text=text, idempotency_key="k"))
    assert published.external_id == "urn:li:share:7234567890123456789"
    assert published.url == "https://www.linkedin.com/feed/update/urn:li:share:7234567890123456789/"
    request = server.calls(POSTS)[0]
    assert request.headers["linkedin-version"] == "202509"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    body = json.loads(request.body)
    assert body["author"] == "urn:li:organization:5515715"
    # Reserved characters escaped, the hashtag and the link kept as they are.
    assert body["commentary"] == (
        "Nouvelle carte \\(édition 2026\\) \\*enfin\\* #cafe https://cafe.example/a_b"
    )
    assert body["lifecycleState"] == "PUBLISHED" and body["visibility"] == "PUBLIC"


def test_it_uploads_an_image_with_its_alt_text(server: ReplayServer, http: HttpClient) -> None:
    handler = server._server.RequestHandlerClass  # the replay server answers PUT like POST
    handler.do_PUT = handler.do_POST  # type: ignore[attr-defined]
    init = fixture("initialize_upload.json")
    init["value"]["uploadUrl"] = server.url("/dms-uploads/upload-123")
    server.route("POST", "/rest/images", Reply(200, init))
    server.route("PUT", "/dms-uploads/upload-123", Reply(201, b""))
    server.route("POST", POSTS, created())
    client = publisher(server, http)
    media_id = client.upload_media(
        CREDS, MediaUpload("tasse.png", "image/png", b"\x89PNG", alt_text="Une tasse")
    )
    client.publish(CREDS, Draft(text="Photo", idempotency_key="k", media_ids=[media_id]))
    assert server.calls("/rest/images")[0].param("action") == "initializeUpload"
    assert server.calls("/dms-uploads/upload-123")[0].body == b"\x89PNG"
    assert json.loads(server.calls(POSTS)[0].body)["content"] == {
        "media": {"id": "urn:li:image:C4E10AQFoyyAjHPMQuQ", "altText": "Une tasse"}
    }


@pytest.mark.parametrize(
    ("status", "name", "expected", "permanent", "words"),
    [
        (422, "error_422_duplicate.json", ConnectorError, True, "identical to a recent post"),
        (426, "error_426.json", ConnectorError, True, "no longer supports the API version"),
        (401, "error_401.json", AuthExpired, True, "revoked"),
        (429, "error_429.json", ConnectorError, False, "Rate limited"),
        (504, None, OutcomeUnknown, False, "LinkedIn failed (504)"),
    ],
)
def test_it_explains_linkedin_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    name: str | None,
    expected: type,
    permanent: bool,
    words: str,
) -> None:
    server.route("POST", POSTS, Reply(status, fixture(name) if name else "Gateway Timeout"))
    with pytest.raises(expected) as caught:
        publisher(server, http).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert type(caught.value) is expected
    assert caught.value.permanent is permanent
    assert words in caught.value.message
    assert "linkedin-secret-token" not in str(caught.value)
    assert len(server.calls(POSTS)) == 1


def test_it_reads_the_page_posts_for_reconciliation(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", POSTS, Reply(200, fixture("posts_by_author.json")))
    items = publisher(server, http).recent_posts(CREDS, datetime(2026, 3, 1, tzinfo=UTC))
    assert [(item.external_id, item.text) for item in items] == [
        ("urn:li:share:7234567890123456789", "Nouvelle carte d'automne (édition 2026) #cafe")
    ]
    request = server.calls(POSTS)[0]
    assert request.param("q") == "author"
    assert request.param("author") == "urn:li:organization:5515715"


def test_it_reads_a_post_back_with_its_likes_and_comments(
    server: ReplayServer, http: HttpClient
) -> None:
    urn = "urn:li:share:7234567890123456789"
    encoded = "/urn%3Ali%3Ashare%3A7234567890123456789"
    server.route("GET", POSTS + encoded, Reply(200, fixture("posts_by_author.json")["elements"][0]))
    server.route("GET", "/rest/socialActions" + encoded, Reply(200, fixture("social_actions.json")))
    item = publisher(server, http).read_back(CREDS, urn)
    assert item is not None and item.external_id == urn
    assert item.text == "Nouvelle carte d'automne (édition 2026) #cafe"
    # Reshares are not in socialActions: left out, not reported as zero.
    assert item.metrics == {"likes": 18, "replies": 3}
    request = server.calls("/rest/socialActions" + encoded)[0]
    assert request.headers["linkedin-version"] == "202509"
    assert request.headers["authorization"] == "Bearer linkedin-secret-token"


def test_it_reads_back_nothing_for_a_deleted_post(server: ReplayServer, http: HttpClient) -> None:
    encoded = "/urn%3Ali%3Ashare%3A1"
    server.route("GET", POSTS + encoded, Reply(404, {"status": 404, "message": "Not Found"}))
    assert publisher(server, http).read_back(CREDS, "urn:li:share:1") is None
    assert server.calls("/rest/socialActions" + encoded) == []


def test_it_reads_a_post_back_without_metrics_when_social_actions_are_refused(
    server: ReplayServer, http: HttpClient
) -> None:
    """A token without r_organization_social may read the post but not its likes: the post comes
    back without metrics rather than not at all."""
    urn = "urn:li:share:7234567890123456789"
    encoded = "/urn%3Ali%3Ashare%3A7234567890123456789"
    server.route("GET", POSTS + encoded, Reply(200, fixture("posts_by_author.json")["elements"][0]))
    refused = {
        "status": 403,
        "serviceErrorCode": 100,
        "code": "ACCESS_DENIED",
        "message": "Not enough permissions to access: partnerApiSocialActions.GET.20250901",
    }
    server.route("GET", "/rest/socialActions" + encoded, Reply(403, refused))
    item = publisher(server, http).read_back(CREDS, urn)
    assert item is not None and item.external_id == urn
    assert item.metrics == {}
    assert len(server.calls("/rest/socialActions" + encoded)) == 1


def test_it_still_asks_for_reconnection_when_the_token_is_refused_on_social_actions(
    server: ReplayServer, http: HttpClient
) -> None:
    encoded = "/urn%3Ali%3Ashare%3A7234567890123456789"
    server.route("GET", POSTS + encoded, Reply(200, fixture("posts_by_author.json")["elements"][0]))
    expired = {
        "status": 401,
        "serviceErrorCode": 65601,
        "code": "REVOKED_ACCESS_TOKEN",
        "message": "The token used in the request has been revoked by the user",
    }
    server.route("GET", "/rest/socialActions" + encoded, Reply(401, expired))
    with pytest.raises(AuthExpired):
        publisher(server, http).read_back(CREDS, "urn:li:share:7234567890123456789")
