"""JSON a network (or a stored handle) hands back nested deeper than Python's parser recurses gives a
coded connector error, never a ``RecursionError`` traceback in a worker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ambassade.connectors import _graph
from ambassade.connectors.base import ConnectorError, Draft
from ambassade.connectors.bluesky.publish import BlueskyPublisher
from ambassade.connectors.facebook import FacebookPublisher
from ambassade.connectors.http import HttpClient
from ambassade.connectors.linkedin import LinkedInPublisher
from ambassade.connectors.telegram import TelegramPublisher
from tests.connectors.conftest import ReplayServer, Reply

#: Far past the interpreter's recursion limit (1,000).
DEEP = b"[" * 50_000 + b"]" * 50_000
DEEP_OBJECT = b'{"error": ' + DEEP + b"}"
SOURCE = Path(__file__).parents[2] / "src" / "ambassade" / "connectors"


def _coded(caught: pytest.ExceptionInfo[ConnectorError]) -> None:
    assert isinstance(caught.value, ConnectorError)
    assert caught.value.code, caught.value


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
def test_a_graph_error_body_nested_too_deep(
    server: ReplayServer, http: HttpClient, body: bytes
) -> None:
    page = "108824017345866"
    server.route("POST", f"/v23.0/{page}/feed", Reply(400, body))
    publisher = FacebookPublisher(http, endpoints={"api": server.base_url})
    with pytest.raises(ConnectorError) as caught:
        publisher.publish(
            {"page_id": page, "access_token": "t"}, Draft(text="x", idempotency_key="k")
        )
    _coded(caught)


def test_graph_usage_headers_nested_too_deep() -> None:
    deep = "[" * 5_000 + "]" * 5_000
    assert _graph.usage_wait({"x-app-usage": deep}) is None


def test_a_graph_media_handle_nested_too_deep() -> None:
    with pytest.raises(ConnectorError) as caught:
        _graph.read_handle(DEEP.decode(), "Facebook")
    assert caught.value.code == "graph.media_not_prepared"


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
def test_a_linkedin_error_body_nested_too_deep(
    server: ReplayServer, http: HttpClient, body: bytes
) -> None:
    server.route("POST", "/rest/posts", Reply(400, body))
    publisher = LinkedInPublisher(http, endpoints={"api": server.base_url})
    creds = {"access_token": "t", "organization": "5515715"}
    with pytest.raises(ConnectorError) as caught:
        publisher.publish(creds, Draft(text="x", idempotency_key="k"))
    _coded(caught)


@pytest.mark.parametrize("media_id", [DEEP.decode(), "not json", '"a string"'])
def test_a_linkedin_media_handle_that_is_not_one(
    server: ReplayServer, http: HttpClient, media_id: str
) -> None:
    publisher = LinkedInPublisher(http, endpoints={"api": server.base_url})
    creds = {"access_token": "t", "organization": "5515715"}
    with pytest.raises(ConnectorError) as caught:
        publisher.publish(creds, Draft(text="x", idempotency_key="k", media_ids=[media_id]))
    assert caught.value.code == "connector.media_not_uploaded"
    assert not server.requests  # refused before anything was sent


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
def test_a_telegram_error_body_nested_too_deep(
    server: ReplayServer, http: HttpClient, body: bytes
) -> None:
    token = "123456:ABC-telegram-secret"
    server.route("POST", f"/bot{token}/sendMessage", Reply(400, body))
    publisher = TelegramPublisher(http, endpoints={"api": server.base_url})
    with pytest.raises(ConnectorError) as caught:
        publisher.publish(
            {"bot_token": token, "chat_id": "@cafe"}, Draft(text="x", idempotency_key="k")
        )
    _coded(caught)
    assert "ABC-telegram-secret" not in str(caught.value)


@pytest.mark.parametrize("media_id", [DEEP.decode(), "not json", '{"alt": "no blob"}'])
def test_a_bluesky_media_handle_that_is_not_one(
    server: ReplayServer, http: HttpClient, media_id: str
) -> None:
    creds = {
        "identifier": "cafe.bsky.social",
        "app_password": "abcd-efgh-ijkl-mnop",
        "service": server.base_url,
        "did": "did:plc:cafe",
        "access_jwt": "a",
        "refresh_jwt": "r",
    }
    with pytest.raises(ConnectorError) as caught:
        BlueskyPublisher(http).publish(
            creds, Draft(text="x", idempotency_key="3lbx7kq2ab2ce", media_ids=[media_id])
        )
    assert caught.value.code == "connector.media_not_uploaded"
    assert not server.calls("/xrpc/com.atproto.repo.createRecord")


def test_a_bluesky_blob_nested_too_deep(server: ReplayServer, http: HttpClient) -> None:
    from ambassade.connectors.base import MediaUpload

    server.route(
        "POST",
        "/xrpc/com.atproto.repo.uploadBlob",
        Reply(200, b'{"blob": {"$type": "blob", "ref": ' + b"[" * 900 + b"]" * 900 + b"}}"),
    )
    creds = {
        "identifier": "cafe.bsky.social",
        "app_password": "abcd-efgh-ijkl-mnop",
        "service": server.base_url,
        "did": "did:plc:cafe",
        "access_jwt": "a",
        "refresh_jwt": "r",
    }
    with pytest.raises(ConnectorError) as caught:
        BlueskyPublisher(http).upload_media(creds, MediaUpload("a.png", "image/png", b"\x89PNG"))
    _coded(caught)


def test_connectors_read_json_only_through_guarded_readers() -> None:
    """``json.loads`` raises ``RecursionError`` on deep nesting, which no ``except ValueError``
    catches: outside the seam's own guarded readers (``http/responses.py``), connectors parse JSON with
    :func:`ambassade.engine.jsonlines.loads`."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path == SOURCE / "http" / "responses.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("loads", "load")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "json"
            ):
                found.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert not found, found
