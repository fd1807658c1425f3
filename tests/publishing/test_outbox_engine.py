"""The exactly-once engine on its own, driven through a kind that knows nothing of posts.

``Letters`` sends a plain string through a scripted network: no text splitting, media, containers,
audit or webhook. The rows are ``Variant`` rows only because it is the model with the outbox's
columns today; a reply or an e-mail model with the same columns would be driven the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db.models import Q

from ambassade.connectors.base import AuthExpired, ConnectorError, Published, RawItem
from ambassade.connectors.http import OutcomeUnknown
from ambassade.publishing import authoring
from ambassade.publishing.models import PublishAttempt, Status, Variant
from ambassade.publishing.outbox import engine, hold
from ambassade.publishing.outbox.kind import Ask, Call, Finding, Found, Kind, NotFound
from tests.conftest import Personas
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db


@dataclass
class Network:
    """A scripted network: ``outcomes`` are consumed per send (an exception, or None: taken);
    ``shown`` is what reading the account finds."""

    deduplicates: bool = False
    window: int = 0
    outcomes: list[Any] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    shown: list[RawItem] = field(default_factory=list)
    read_error: Exception | None = None
    reads: int = 0


class Letters(Kind):
    model = Variant

    def __init__(self, network: Network) -> None:
        self.network = network
        self.events: list[tuple[str, Any]] = []

    def load(self, item_id: int) -> Variant:
        return Variant.objects.get(id=item_id)

    def claim_terms(self, row: Mapping[str, Any]) -> tuple[timedelta, bool]:
        return timedelta(seconds=20), self.network.deduplicates

    def attempt_deadline(self, item: Any) -> timedelta:
        return timedelta(seconds=20)

    def open(self, item: Any, publisher_factory: Any, *, lenient: bool = False) -> Call:
        publisher = type(
            "P",
            (),
            {"idempotent": self.network.deduplicates, "idempotency_window": self.network.window},
        )()
        return Call(publisher, {}, owned=False)

    def send(self, item: Any, call: Call, attempts: int) -> Published:
        outcome = self.network.outcomes.pop(0) if self.network.outcomes else None
        if outcome is not None:
            raise outcome
        self.network.sent.append(item.idempotency_key)
        return Published(f"r{len(self.network.sent)}", f"https://letters.example/{item.id}", NOW)

    def before_reading(self, item: Any, call: Call) -> Finding | None:
        return Ask("no words") if item.text == "" else None

    def find(self, item: Any, call: Call, started: datetime, now: datetime) -> Finding:
        self.network.reads += 1
        if self.network.read_error is not None:
            raise self.network.read_error
        for shown in self.network.shown:
            if shown.text == item.text:
                return Found(shown, shown.url)
        return NotFound()

    def cannot_read(self, item: Any) -> str:
        return "cannot read"

    def reconnect_message(self, item: Any, error: ConnectorError) -> str:
        return f"reconnect: {error.message}"

    def unsupported_message(self, item: Any) -> str:
        return "unsupported"

    def refused_message(self, item: Any, error: ConnectorError) -> str:
        return f"refused: {error.message}"

    def gave_up_message(self, item: Any, error: ConnectorError) -> str:
        return f"gave up: {error.message}"

    def check_refused_message(self, item: Any, error: ConnectorError) -> str:
        return f"check refused: {error.message}"

    def ask_message(self, item: Any, reason: str) -> str:
        return f"ask: {reason}"

    def same_limit(self, item: Any) -> Q:
        return Q(connection_id=item.connection_id)

    def changed(self, ids: Iterable[int]) -> None:
        self.events.append(("changed", sorted(ids)))

    def published(self, item: Any, url: str) -> None:
        self.events.append(("published", url))

    def failed(self, item: Any, message: str) -> None:
        self.events.append(("failed", message))

    def settled(self, item_id: int) -> None:
        self.events.append(("settled", item_id))


def _due(personas: Personas, text: str = "Une lettre", **fields: Any) -> Variant:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=text, connections=[personas.connection]
    )
    Variant.objects.filter(post=post).update(
        status=Status.SCHEDULED, due_at=NOW, text=text, **fields
    )
    return post.variants.get()


def _row(item: Variant) -> Variant:
    return Variant.objects.get(id=item.id)


def test_it_sends_once_and_tells_the_kind(personas: Personas) -> None:
    item = _due(personas)
    kind = Letters(Network())
    assert engine.publish(kind, item.id, now=NOW) == Status.PUBLISHED
    assert engine.publish(kind, item.id, now=NOW) == "skipped"
    row = _row(item)
    assert (row.status, row.remote_id, row.attempts) == (Status.PUBLISHED, "r1", 1)
    assert kind.network.sent == [row.idempotency_key]
    assert ("published", f"https://letters.example/{item.id}") in kind.events
    assert ("settled", item.id) in kind.events
    log = PublishAttempt.objects.get(variant=item)
    assert (log.number, log.outcome) == (1, PublishAttempt.Outcome.PUBLISHED)


def test_only_one_of_two_claims_wins_and_a_held_workspace_is_not_claimed(
    personas: Personas,
) -> None:
    kind = Letters(Network())
    item = _due(personas)
    assert engine.claim(kind, item.id, NOW) is not None
    assert engine.claim(kind, item.id, NOW) is None
    other = _due(personas)
    hold.pause_outbox(personas.workspace_a, "crisis")
    assert engine.claim(kind, other.id, NOW) is None
    assert engine.due_ids(kind, NOW) == []
    hold.resume_outbox(personas.workspace_a)
    assert engine.due_ids(kind, NOW) == [other.id]


def test_an_unknown_outcome_is_read_on_the_network_before_any_retry(personas: Personas) -> None:
    item = _due(personas)
    network = Network(outcomes=[OutcomeUnknown("timeout")])
    kind = Letters(network)
    assert engine.publish(kind, item.id, now=NOW) == Status.UNKNOWN
    reconcile_at = _row(item).reconcile_at
    assert reconcile_at >= NOW + engine.RECONCILE_DELAY
    # Not before its time: a request of the attempt could still land.
    assert engine.reconcile(kind, item.id, now=NOW + timedelta(seconds=1)) == "waiting"
    assert network.reads == 0
    # The network took it after all: found, never sent again.
    network.shown = [RawItem("letters", "r9", "Une lettre", NOW, "https://letters.example/r9")]
    assert engine.reconcile(kind, item.id, now=reconcile_at) == Status.PUBLISHED
    assert (network.reads, network.sent) == (1, [])
    assert _row(item).remote_url == "https://letters.example/r9"


def test_an_unknown_outcome_not_found_is_sent_again_with_a_new_key(personas: Personas) -> None:
    item = _due(personas)
    network = Network(outcomes=[OutcomeUnknown("timeout")])
    kind = Letters(network)
    engine.publish(kind, item.id, now=NOW)
    first_key = _row(item).idempotency_key
    later = NOW + timedelta(minutes=1)
    assert engine.reconcile(kind, item.id, now=later) == Status.SCHEDULED
    assert engine.publish(kind, item.id, now=later) == Status.PUBLISHED
    assert network.sent[0] != first_key


def test_a_network_that_deduplicates_gets_the_same_key_without_being_read(
    personas: Personas,
) -> None:
    item = _due(personas)
    network = Network(deduplicates=True, window=3000, outcomes=[OutcomeUnknown("timeout")])
    kind = Letters(network)
    engine.publish(kind, item.id, now=NOW)
    key = _row(item).idempotency_key
    assert _row(item).reconcile_at <= NOW + timedelta(seconds=1)
    assert engine.reconcile(kind, item.id, now=NOW + timedelta(seconds=2)) == Status.SCHEDULED
    assert network.reads == 0
    engine.publish(kind, item.id, now=NOW + timedelta(seconds=3))
    assert network.sent == [key]


def test_temporary_errors_back_off_then_fail_in_words(personas: Personas) -> None:
    item = _due(personas)
    network = Network(outcomes=[ConnectorError("503", permanent=False)] * engine.MAX_ATTEMPTS)
    kind = Letters(network)
    at, waits = NOW, []
    for _attempt in range(engine.MAX_ATTEMPTS - 1):
        assert engine.publish(kind, item.id, now=at) == Status.SCHEDULED
        due = _row(item).due_at
        waits.append(due - at)
        at = due
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert engine.publish(kind, item.id, now=at) == Status.FAILED
    assert _row(item).error == "gave up: 503"


def test_a_rate_limit_holds_the_whole_account_and_costs_no_attempt(personas: Personas) -> None:
    item, sibling = _due(personas), _due(personas, "Une autre")
    kind = Letters(Network(outcomes=[ConnectorError("429", permanent=False, retry_after=120)]))
    assert engine.publish(kind, item.id, now=NOW) == Status.SCHEDULED
    reset = NOW + timedelta(seconds=120)
    assert (_row(item).due_at, _row(item).attempts) == (reset, 0)
    assert _row(sibling).due_at == reset


def test_refused_access_and_permanent_errors_fail_with_the_kinds_words(
    personas: Personas,
) -> None:
    first, second = _due(personas), _due(personas, "Deux")
    kind = Letters(Network(outcomes=[AuthExpired("401"), ConnectorError("422", permanent=True)]))
    assert engine.publish(kind, first.id, now=NOW) == Status.FAILED
    assert engine.publish(kind, second.id, now=NOW) == Status.FAILED
    assert (_row(first).error, _row(second).error) == ("reconnect: 401", "refused: 422")


def test_nothing_to_recognise_the_item_by_asks_a_person(personas: Personas) -> None:
    item = _due(personas, text="")
    network = Network(outcomes=[OutcomeUnknown("timeout")])
    kind = Letters(network)
    engine.publish(kind, item.id, now=NOW)
    assert engine.reconcile(kind, item.id, now=NOW + timedelta(minutes=1)) == Status.FAILED
    assert _row(item).error == "ask: no words"
    assert network.reads == 0


def test_a_network_that_cannot_be_read_is_checked_again_then_a_person_is_asked(
    personas: Personas,
) -> None:
    item = _due(personas)
    network = Network(
        outcomes=[OutcomeUnknown("timeout")], read_error=ConnectorError("503", permanent=False)
    )
    kind = Letters(network)
    engine.publish(kind, item.id, now=NOW)
    at = NOW + timedelta(minutes=1)
    for _check in range(engine.MAX_CHECKS):
        assert engine.reconcile(kind, item.id, now=at) == Status.UNKNOWN
        at = _row(item).reconcile_at
    assert engine.reconcile(kind, item.id, now=at) == Status.FAILED
    assert _row(item).error == "ask: 503"


def test_a_silent_heartbeat_makes_the_claim_unknown(personas: Personas) -> None:
    item = _due(personas)
    kind = Letters(Network())
    assert engine.claim(kind, item.id, NOW) is not None
    assert engine.next_step(kind, item.id, NOW) == (
        "watch",
        NOW + engine.DEAD_AFTER + timedelta(seconds=1),
    )
    assert engine.expire_stuck(kind, NOW + engine.DEAD_AFTER) == 0
    assert engine.expire_stuck(kind, NOW + engine.DEAD_AFTER + timedelta(seconds=1)) == 1
    row = _row(item)
    assert row.status == Status.UNKNOWN
    # Without keys, the account is read only once the attempt's deadline and the lag have passed.
    assert row.reconcile_at == NOW + timedelta(seconds=20) + engine.RECONCILE_DELAY
    assert ("changed", [item.id]) in kind.events


def test_a_person_may_retry_a_failed_item_only(personas: Personas) -> None:
    item = _due(personas)
    kind = Letters(Network(outcomes=[ConnectorError("422", permanent=True)]))
    assert not engine.retry(kind, item.id, NOW)
    engine.publish(kind, item.id, now=NOW)
    assert engine.retry(kind, item.id, NOW)
    row = _row(item)
    assert (row.status, row.attempts, row.error) == (Status.SCHEDULED, 0, "")
