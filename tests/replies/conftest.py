"""Replies fixtures: a public Mastodon conversation of workspace A answering the persona account,
a private one, and a stand-in network that answers as a connector's Replier/Messenger would (keeps
one reply per key when it deduplicates, lists the account's answers for reconciliation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ambassade.connectors.base import Capability, Published, RawItem
from tests.inbox.conftest import people  # noqa: F401  (fixture used by these tests)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Killed(BaseException):
    """SIGKILL: nothing of the worker runs after it (not even an ``except Exception``)."""


@dataclass
class Network:
    """What the network holds: answers visible from a time (a request still being processed when
    the client is gone lands later); a deduplicating network keeps one answer per key."""

    deduplicates: bool
    answers: list[tuple[datetime, str, str, str]] = field(default_factory=list)
    reads: list[datetime] = field(default_factory=list)

    def take(self, key: str, text: str, parent: str, at: datetime) -> str:
        for _at, k, _t, _p in self.answers:
            if self.deduplicates and k == key:
                return k
        self.answers.append((at, key, text, parent))
        return key


class Responder:
    capabilities = frozenset({Capability.REPLY, Capability.DIRECT_MESSAGES})

    def __init__(self, network: Network, clock: list[datetime], crash: str = "") -> None:
        self.network, self.clock, self.crash = network, clock, crash

    def key_window(self, capability: Any, credentials: Any = None) -> int:
        return 3600 if self.network.deduplicates else 0

    def _send(self, key: str, text: str, parent: str) -> Published:
        now = self.clock[0]
        if self.crash == "before":
            raise Killed
        if self.crash == "in_flight":
            self.network.take(key, text, parent, now + timedelta(seconds=25))
            raise Killed
        kept = self.network.take(key, text, parent, now)
        if self.crash == "during":
            raise Killed
        return Published(f"r-{kept}", f"https://net.example/r-{kept}", now)

    def reply(self, credentials: Any, reply: Any) -> Published:
        return self._send(reply.idempotency_key, f"@ana {reply.text}", reply.in_reply_to)

    def send_message(self, credentials: Any, message: Any) -> Published:
        return self._send(message.idempotency_key, message.text, message.in_reply_to)

    def _find(self, parent: str, since: datetime) -> list[RawItem]:
        now = self.clock[0]
        self.network.reads.append(now)
        return [
            RawItem(
                source="mastodon",
                external_id=f"r-{key}",
                url=f"https://net.example/r-{key}",
                text=text,
                created_at=at,
            )
            for at, key, text, p in self.network.answers
            if since <= at <= now and p == parent
        ]

    def find_reply(self, credentials: Any, reply: Any, since: datetime) -> list[RawItem]:
        return self._find(reply.in_reply_to, since)

    def find_message(self, credentials: Any, message: Any, since: datetime) -> list[RawItem]:
        return self._find(message.in_reply_to, since)


def factory(network: Network, clock: list[datetime], crash: str = "") -> Any:
    return lambda connection: Responder(network, clock, crash)


def conversation_with(personas: Any, *, private: bool = False, lang: str = "fr") -> Any:
    from ambassade.inbox import services
    from ambassade.inbox.models import Conversation, Message

    conversation = Conversation.objects.create(
        workspace=personas.workspace_a,
        network="mastodon",
        channel="message" if private else "mention",
        connection=personas.connection,
        thread_key="dm-ana" if private else "toot-1",
        contact_handle="ana@piaille.fr",
        contact_name="Ana Lopez",
        contact_external_id="10987",
        lang=lang,
    )
    services.add_message(
        conversation,
        Message(
            direction=Message.Direction.INBOUND,
            network="mastodon",
            external_id="toot-1",
            text="On m'a débité deux fois !",
            created_at=NOW - timedelta(hours=1),
        ),
    )
    return conversation


@pytest.fixture
def conversation(personas: Any) -> Any:
    return conversation_with(personas)
