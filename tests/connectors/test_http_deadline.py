"""The HTTP seam's deadline: every request of a publishing attempt is bounded, and none starts late."""

from __future__ import annotations

import time

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.http import (
    Deadline,
    DeadlinePassed,
    HttpClient,
    OutcomeUnknown,
    deadline,
)

from .conftest import ReplayServer, Reply


def test_it_cuts_each_request_timeout_to_the_time_left(server: ReplayServer) -> None:
    server.route("POST", "/publish", Reply(200, {"id": 1}, delay=2.0))
    with HttpClient(allow_private=True, timeout=15) as http, deadline(0.5):
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown):
            http.post(server.url("/publish"), json={"text": "bonjour"})
        # Given up at the deadline, not after the client's own 15 s.
        assert time.monotonic() - started < 1.5
    assert len(server.requests) == 1


def test_it_starts_no_request_after_the_deadline(server: ReplayServer) -> None:
    server.route("POST", "/publish", Reply(200, {"id": 1}))
    with HttpClient(allow_private=True) as http, deadline(0.3):
        time.sleep(0.35)
        with pytest.raises(DeadlinePassed) as caught:
            http.post(server.url("/publish"), json={"text": "bonjour"})
    # Not sent: the server saw nothing, and the error is temporary (safe to retry).
    assert server.requests == []
    assert caught.value.permanent is False
    assert "Not sent" in caught.value.message
    assert not isinstance(caught.value, OutcomeUnknown)


def test_it_starts_no_request_once_the_claim_is_lost(server: ReplayServer) -> None:
    server.route("POST", "/publish", Reply(200, {"id": 1}))
    with HttpClient(allow_private=True) as http, deadline(30) as bound:
        http.post(server.url("/publish"), json={"text": "un"})
        bound.cancel()
        with pytest.raises(DeadlinePassed):
            http.post(server.url("/publish"), json={"text": "deux"})
    assert len(server.requests) == 1


def test_it_stops_retrying_a_get_at_the_deadline(server: ReplayServer, sleeps: list[float]) -> None:
    server.route("GET", "/flaky", Reply(503, "busy"), Reply(503, "busy"), Reply(200, [1]))
    clock = [0.0]
    bound = Deadline(1.0, clock=lambda: clock[0])

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += 5.0  # the backoff outlives the attempt

    from ambassade.connectors.http import deadlines as seam

    token = seam._DEADLINE.set(bound)
    try:
        with (
            HttpClient(allow_private=True, sleep=sleep, max_retries=5) as http,
            pytest.raises(ConnectorError) as caught,
        ):
            http.get(server.url("/flaky"))
    finally:
        seam._DEADLINE.reset(token)
    assert isinstance(caught.value, DeadlinePassed)
    assert len(server.requests) == 1
    # The pause itself was cut to the time left.
    assert sleeps and sleeps[0] <= 1.0


def test_it_leaves_requests_unbounded_outside_a_deadline(server: ReplayServer) -> None:
    server.route("GET", "/slow", Reply(200, [1], delay=0.4))
    with deadline(0.1):
        pass
    with HttpClient(allow_private=True, timeout=5) as http:
        assert http.get(server.url("/slow")).json() == [1]
