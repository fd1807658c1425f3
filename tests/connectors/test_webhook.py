from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import ItemKind
from ambassade.connectors.webhook import WebhookConnector, WebhookError, parse_webhook
from ambassade.connectors.webhook.client import sign

from .conftest import fixture_bytes

SECRET = "whsec_0123456789abcdef"
NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)


def test_it_accepts_a_signed_delivery() -> None:
    body = fixture_bytes("webhook", "zapier_items.json")
    review, question = parse_webhook(
        body, {"X-Ambassade-Signature": sign(body, SECRET)}, SECRET, received_at=NOW
    )
    # The item's own network when the sender names it, else the webhook's.
    assert review.source == "trustpilot" and review.external_id == "tp-5f1e2d"
    assert review.kind is ItemKind.REVIEW and review.lang == "fr"
    assert review.created_at == datetime(2025, 6, 11, 6, 0, tzinfo=UTC)
    assert review.author.handle == "marie_l" and review.author.followers == 12
    assert review.metrics == {"rating": 5}
    assert review.raw["network"] == "trustpilot"
    # Defaults: the time of receipt, and an id derived from the content (stable across repeats).
    assert question.created_at == NOW and question.external_id.startswith("sha1:")
    assert question.author.handle == "jdoe" and question.source == "webhook"
    assert question.html is not None and "<script" not in question.html
    again = parse_webhook(
        body, {"x-ambassade-signature": sign(body, SECRET)}, SECRET, received_at=NOW
    )
    assert again[1].external_id == question.external_id


@pytest.mark.parametrize(
    ("network", "found"),
    [("X", "x"), (" bluesky ", "bluesky"), ("", "webhook"), (None, "webhook")],
)
def test_it_reads_each_item_s_network(network: str | None, found: str) -> None:
    body = json.dumps({"items": [{"text": "Hello", "network": network}]}).encode()
    (item,) = parse_webhook(body, {"Authorization": f"Bearer {SECRET}"}, SECRET, received_at=NOW)
    assert item.source == found


@pytest.mark.parametrize("network", ["a b", "x" * 41, 3, ["x"], "<script>"])
def test_it_refuses_a_network_that_is_not_a_name(network: object) -> None:
    body = json.dumps({"items": [{"text": "Hello"}, {"text": "Hi", "network": network}]}).encode()
    with pytest.raises(WebhookError) as caught:
        parse_webhook(body, {"Authorization": f"Bearer {SECRET}"}, SECRET)
    assert caught.value.status == 400 and "items[1].network" in str(caught.value)


def test_it_accepts_a_bearer_secret_and_a_single_item() -> None:
    body = json.dumps({"id": 42, "text": "Hello", "created_at": "2025-06-11T08:00:00Z"}).encode()
    (item,) = parse_webhook(body, {"Authorization": f"Bearer {SECRET}"}, SECRET)
    assert item.external_id == "42"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {SECRET}"},
        {"X-Ambassade-Signature": "sha256=" + "0" * 64},
    ],
)
def test_it_refuses_an_unauthenticated_delivery(headers: dict[str, str]) -> None:
    body = fixture_bytes("webhook", "zapier_items.json")
    with pytest.raises(WebhookError) as caught:
        parse_webhook(body, headers, SECRET)
    assert caught.value.status == 401 and caught.value.permanent
    assert SECRET not in str(caught.value)


def test_it_refuses_a_body_altered_after_signing() -> None:
    body = fixture_bytes("webhook", "zapier_items.json")
    signature = sign(body, SECRET)
    with pytest.raises(WebhookError) as caught:
        parse_webhook(body.replace(b"48 h", b"99 h"), {"X-Ambassade-Signature": signature}, SECRET)
    assert caught.value.status == 401


@pytest.mark.parametrize(
    "payload,expected",
    [
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 64 deep"),
        (b'"just text"', "must be an item"),
        (b'{"items": {"text": "x"}}', '"items" must be a list'),
        (b'{"items": [{"text": ""}]}', "items[0].text is missing"),
        (b'{"items": [{"text": "ok"}, 3]}', "items[1] must be an object"),
        (b'[{"text": "x", "created_at": "hier"}]', "[0].created_at"),
        (b'{"text": "x", "kind": "tweet"}', "the item.kind 'tweet' is not one of"),
        (b'{"text": "x", "author": {"followers": "lots"}}', "the item.author.followers 'lots'"),
        (b'{"text": "x", "url": "javascript:alert(1)"}', "url must start with http"),
    ],
)
def test_it_names_what_is_wrong_in_a_payload(payload: bytes, expected: str) -> None:
    with pytest.raises(WebhookError) as caught:
        parse_webhook(payload, {"X-Ambassade-Signature": sign(payload, SECRET)}, SECRET)
    assert caught.value.status == 400
    assert expected in caught.value.message


def test_it_refuses_an_oversized_delivery() -> None:
    body = b"[" + b" " * (1024 * 1024) + b"]"
    with pytest.raises(WebhookError) as caught:
        parse_webhook(body, {"Authorization": f"Bearer {SECRET}"}, SECRET)
    assert caught.value.status == 413


def test_the_connector_makes_secrets_and_parses() -> None:
    connector = WebhookConnector()
    try:
        secret = connector.new_secret()
        assert len(secret) >= 40
        body = b'{"text": "hi"}'
        assert connector.parse(body, {"Authorization": f"Bearer {secret}"}, secret)[0].text == "hi"
        assert connector.delivery == "push"
    finally:
        connector.close()
