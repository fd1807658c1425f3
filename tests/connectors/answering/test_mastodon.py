"""Mastodon replies, private mentions and conversations against a local server answering in
Mastodon's formats (Status, Context, Conversation entities, docs.joinmastodon.org)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    ConnectorError,
    DirectMessage,
    ItemKind,
    Reply,
)
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.mastodon.publish import MastodonPublisher
from tests.connectors.conftest import Recorded, ReplayServer
from tests.connectors.conftest import Reply as Answer

STATUSES = "/api/v1/statuses"
ME = "109000000000000042"


def account(acct: str, local_id: str) -> dict[str, Any]:
    user, _, host = acct.partition("@")
    host = host or "mastodon.example"
    return {
        "id": local_id,
        "username": user,
        "acct": acct,
        "display_name": user.title(),
        "url": f"https://{host}/@{user}",
        "uri": f"https://{host}/users/{user}",
        "followers_count": 12,
    }


BRAND = account("cafe_lumiere", ME)
MARIE = account("marie@social.example", "110000000000000007")


def status(
    local_id: str,
    text: str,
    who: dict[str, Any] = MARIE,
    *,
    parent: str | None = None,
    visibility: str = "public",
    at: str = "2026-03-02T09:00:00.000Z",
) -> dict[str, Any]:
    host = who["url"].split("/")[2]
    return {
        "id": local_id,
        "created_at": at,
        "in_reply_to_id": parent,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": "fr",
        "uri": f"https://{host}/users/{who['username']}/statuses/{local_id}",
        "url": f"https://{host}/@{who['username']}/{local_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": f"<p>{text}</p>",
        "reblog": None,
        "account": who,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def creds(server: ReplayServer) -> dict[str, Any]:
    return {
        "access_token": "mastodon-secret-token",
        "instance": server.base_url,
        "account_id": ME,
        "account_name": "@cafe_lumiere@mastodon.example",
    }


def publisher(http: HttpClient) -> MastodonPublisher:
    return MastodonPublisher(http)


def creating(server: ReplayServer) -> dict[str, Any]:
    """POST /api/v1/statuses answering a repeated Idempotency-Key with the status it made."""
    made: dict[str, Any] = {}

    def handler(request: Recorded) -> Answer:
        key = request.headers.get("idempotency-key", "")
        if key not in made:
            body = json.loads(request.body)
            made[key] = status(
                str(120000000000000001 + len(made)),
                body["status"],
                BRAND,
                parent=body.get("in_reply_to_id"),
                visibility=body.get("visibility", "public"),
                at="2026-03-02T10:00:00.000Z",
            )
        return Answer(200, made[key])

    server.route("POST", STATUSES, handler)
    return made


def test_it_replies_under_the_parent_with_its_visibility_and_author(
    server: ReplayServer, http: HttpClient
) -> None:
    parent = status("111", "Ma commande n'est pas arrivée", visibility="direct")
    server.route("GET", f"{STATUSES}/111", Answer(200, parent))
    made = creating(server)
    reply = Reply(in_reply_to="111", text="Désolés ! On regarde.", idempotency_key="3lbx7kq2ab2cd")
    first = publisher(http).reply(creds(server), reply)
    again = publisher(http).reply(creds(server), reply)  # a retry after an unknown outcome
    assert first == again and len(made) == 1
    body = json.loads(server.calls(STATUSES)[0].body)
    assert body == {
        "status": "@marie@social.example Désolés ! On regarde.",
        "visibility": "direct",
        "in_reply_to_id": "111",
    }
    assert server.calls(STATUSES)[0].headers["idempotency-key"] == "3lbx7kq2ab2cd"
    assert first.external_id == "120000000000000001"
    assert first.item_id.endswith("/users/cafe_lumiere/statuses/120000000000000001")


def test_it_does_not_name_the_author_twice(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "Bonjour")))
    creating(server)
    publisher(http).reply(
        creds(server), Reply("111", "@marie@social.example merci !", "k", options={})
    )
    body = json.loads(server.calls(STATUSES)[0].body)
    assert body["status"] == "@marie@social.example merci !"
    assert body["visibility"] == "public"


def test_it_finds_a_status_known_by_its_uri_first(server: ReplayServer, http: HttpClient) -> None:
    uri = "https://social.example/users/marie/statuses/98765"
    server.route(
        "GET",
        "/api/v2/search",
        Answer(200, {"accounts": [], "statuses": [status("111", "x")], "hashtags": []}),
    )
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "x")))
    creating(server)
    publisher(http).reply(creds(server), Reply(uri, "Merci", "k"))
    search = server.calls("/api/v2/search")[0]
    assert search.param("q") == uri and search.param("resolve") == "true"
    assert search.param("type") == "statuses"
    assert json.loads(server.calls(STATUSES)[0].body)["in_reply_to_id"] == "111"


def test_it_says_when_the_server_does_not_find_the_status(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET", "/api/v2/search", Answer(200, {"accounts": [], "statuses": [], "hashtags": []})
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("https://gone.example/s/1", "x", "k"))
    assert caught.value.permanent and caught.value.code == "mastodon.status_unknown"
    assert not server.calls(STATUSES)


def test_it_refuses_to_answer_a_deleted_status(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", f"{STATUSES}/111", Answer(404, {"error": "Record not found"}))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("111", "x", "k"))
    assert caught.value.permanent and caught.value.code == "mastodon.status_gone"
    assert not server.calls(STATUSES)


def test_it_sends_a_private_mention(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v2/search", Answer(200, {"accounts": [MARIE], "statuses": [], "hashtags": []})
    )
    creating(server)
    sent = publisher(http).send_message(
        creds(server),
        DirectMessage(
            recipient="https://social.example/users/marie",
            text="Votre remboursement est parti.",
            idempotency_key="3lbx7kq2ab2ce",
        ),
    )
    body = json.loads(server.calls(STATUSES)[0].body)
    assert body == {
        "status": "@marie@social.example Votre remboursement est parti.",
        "visibility": "direct",
    }
    assert sent.external_id == "120000000000000001"
    assert server.calls("/api/v2/search")[0].param("type") == "accounts"


def test_it_reads_a_conversation_in_order(server: ReplayServer, http: HttpClient) -> None:
    root = status("100", "Le café est fermé ?")
    middle = status("111", "Oui, travaux", BRAND, parent="100")
    asked = status("112", "Jusqu'à quand ?", parent="111")
    after = status("113", "Lundi !", BRAND, parent="112")
    server.route("GET", f"{STATUSES}/112", Answer(200, asked))
    server.route(
        "GET",
        f"{STATUSES}/112/context",
        Answer(200, {"ancestors": [root, middle], "descendants": [after]}),
    )
    thread = publisher(http).conversation(creds(server), "112")
    assert [item.text for item in thread.items] == [
        "Le café est fermé ?",
        "Oui, travaux",
        "Jusqu'à quand ?",
        "Lundi !",
    ]
    assert thread.complete and not thread.private
    assert thread.root_id == root["uri"]
    assert [item.parent_id for item in thread.items] == [
        None,
        root["uri"],
        middle["uri"],
        asked["uri"],
    ]
    assert thread.items[1].author.handle == "cafe_lumiere@mastodon.example"


def test_a_conversation_whose_top_is_missing_is_incomplete(
    server: ReplayServer, http: HttpClient
) -> None:
    asked = status("112", "Et alors ?", parent="999", visibility="direct")
    server.route("GET", f"{STATUSES}/112", Answer(200, asked))
    server.route(
        "GET", f"{STATUSES}/112/context", Answer(200, {"ancestors": [], "descendants": []})
    )
    thread = publisher(http).conversation(creds(server), "112")
    assert not thread.complete and thread.private
    assert thread.items[0].kind is ItemKind.MESSAGE
    assert thread.items[0].parent_id == "999"  # not in the thread: the local id


def test_it_finds_the_accounts_own_reply_since_the_attempt(
    server: ReplayServer, http: HttpClient
) -> None:
    ours = status("120", "Désolés !", BRAND, parent="111", at="2026-03-02T10:00:00.000Z")
    old = status("119", "Avant", BRAND, parent="111", at="2026-03-01T10:00:00.000Z")
    theirs = status("121", "Merci", parent="111", at="2026-03-02T10:01:00.000Z")
    deeper = status("122", "Plus bas", BRAND, parent="121", at="2026-03-02T10:02:00.000Z")
    server.route(
        "GET",
        f"{STATUSES}/111/context",
        Answer(200, {"ancestors": [], "descendants": [old, ours, theirs, deeper]}),
    )
    found = publisher(http).find_reply(
        creds(server), Reply("111", "Désolés !", "k"), datetime(2026, 3, 2, 9, 55, tzinfo=UTC)
    )
    assert [item.external_id for item in found] == ["120"]
    assert found[0].text == "Désolés !"


def test_it_finds_a_private_message_in_the_conversation_with_the_person(
    server: ReplayServer, http: HttpClient
) -> None:
    last = status(
        "130", "Merci !", parent="120", visibility="direct", at="2026-03-02T10:05:00.000Z"
    )
    ours = status("120", "@marie Parti", BRAND, visibility="direct", at="2026-03-02T10:00:00.000Z")
    server.route(
        "GET",
        "/api/v1/conversations",
        Answer(200, [{"id": "7", "unread": False, "accounts": [MARIE], "last_status": last}]),
    )
    server.route(
        "GET", f"{STATUSES}/130/context", Answer(200, {"ancestors": [ours], "descendants": []})
    )
    found = publisher(http).find_message(
        creds(server),
        DirectMessage("marie@social.example", "Parti", "k"),
        datetime(2026, 3, 2, 9, 55, tzinfo=UTC),
    )
    assert [item.external_id for item in found] == ["120"]


def test_it_reads_private_conversations_incrementally(
    server: ReplayServer, http: HttpClient
) -> None:
    first = status("130", "Bonjour ?", visibility="direct")
    answer = status("131", "@marie Bonjour !", BRAND, parent="130", visibility="direct")
    conversation = {"id": "7", "unread": True, "accounts": [MARIE], "last_status": first}
    server.route("GET", "/api/v1/conversations", Answer(200, [conversation]))
    server.route(
        "GET", f"{STATUSES}/130/context", Answer(200, {"ancestors": [], "descendants": []})
    )
    server.route(
        "GET", f"{STATUSES}/131/context", Answer(200, {"ancestors": [first], "descendants": []})
    )
    connector = publisher(http)
    one = connector.fetch_messages(creds(server), None)
    assert [item.text for item in one.items] == ["Bonjour ?"]
    assert one.items[0].kind is ItemKind.MESSAGE
    assert one.items[0].thread_id == "conversation:7"
    same = connector.fetch_messages(creds(server), one.next_cursor)
    assert same.items == [] and len(server.calls(f"{STATUSES}/130/context")) == 1
    server.route(
        "GET", "/api/v1/conversations", Answer(200, [{**conversation, "last_status": answer}])
    )
    two = connector.fetch_messages(creds(server), same.next_cursor)
    assert [item.text for item in two.items] == ["Bonjour ?", "@marie Bonjour !"]
    assert two.next_cursor == {"last": {"7": "131"}}


def test_it_keeps_keys_for_replies_and_messages_an_hour() -> None:
    connector = MastodonPublisher()
    assert connector.key_window(Capability.REPLY) == connector.idempotency_window > 0
    assert connector.key_window(Capability.DIRECT_MESSAGES) == connector.idempotency_window
    assert {Capability.REPLY, Capability.DIRECT_MESSAGES, Capability.CONVERSATION} <= (
        connector.capabilities
    )


@pytest.mark.parametrize(
    ("status_code", "body", "kind"),
    [
        (401, {"error": "The access token was revoked"}, AuthExpired),
        (403, {"error": "This action is outside the authorized scopes"}, AuthExpired),
    ],
)
def test_it_asks_to_reconnect_when_the_token_is_refused(
    server: ReplayServer, http: HttpClient, status_code: int, body: Any, kind: type
) -> None:
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "x")))
    server.route("POST", STATUSES, Answer(status_code, body))
    with pytest.raises(kind) as caught:
        publisher(http).reply(creds(server), Reply("111", "x", "k"))
    assert "mastodon-secret-token" not in str(caught.value)


def test_it_waits_for_the_rate_limit_reset(server: ReplayServer, http: HttpClient) -> None:
    reset = datetime.now(UTC).timestamp() + 300
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "x")))
    server.route(
        "POST",
        STATUSES,
        Answer(
            429,
            {"error": "Too many requests"},
            {"X-RateLimit-Reset": datetime.fromtimestamp(reset, UTC).isoformat()},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("111", "x", "k"))
    assert not caught.value.permanent
    assert caught.value.retry_after is not None and 290 <= caught.value.retry_after <= 301


def test_a_5xx_on_sending_is_not_retried(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "x")))
    server.route("POST", STATUSES, Answer(502, "<html>Bad gateway</html>"))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("111", "x", "k"))
    assert not caught.value.permanent
    assert len(server.calls(STATUSES)) == 1


def test_a_timeout_after_sending_is_an_unknown_outcome(server: ReplayServer) -> None:
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "x")))
    server.route("POST", STATUSES, Answer(200, status("120", "x", BRAND), delay=0.6))
    with HttpClient(allow_private=True, timeout=0.3) as slow, pytest.raises(OutcomeUnknown):
        MastodonPublisher(slow).reply(creds(server), Reply("111", "x", "k"))


def test_it_refuses_a_reply_the_server_finds_invalid(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", f"{STATUSES}/111", Answer(200, status("111", "x")))
    server.route("POST", STATUSES, Answer(422, {"error": "Validation failed: Text can't be blank"}))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("111", "", "k"))
    assert caught.value.permanent and "blank" in caught.value.message
