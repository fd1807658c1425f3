"""The in-memory moderator the product's tests use in place of a network keeps the contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ambassade.connectors.base import (
    ConnectorError,
    ModerationAction,
    ModerationRequest,
    Moderator,
)
from ambassade.connectors.moderators import MemoryModerator, UnknownModerator, get_moderator

A = ModerationAction


def test_it_keeps_states_and_counts_repeats_as_already() -> None:
    network = MemoryModerator()
    assert isinstance(network, Moderator)
    assert not network.moderate(None, ModerationRequest(A.HIDE, "m1", "k")).already
    assert network.moderate(None, ModerationRequest(A.HIDE, "m1", "k")).already
    assert network.holds(A.HIDE, "m1")
    assert not network.moderate(None, ModerationRequest(A.UNHIDE, "m1", "k2")).already
    assert not network.holds(A.HIDE, "m1")
    until = datetime.now(UTC) + timedelta(days=1)
    assert (
        network.moderate(None, ModerationRequest(A.BAN, "@troll", "k3", until=until)).until == until
    )
    assert network.until["@troll"] == until


def test_it_fails_as_told_and_refuses_what_it_is_not_allowed() -> None:
    network = MemoryModerator(actions=frozenset({A.HIDE}))
    network.fail(
        A.HIDE, ConnectorError("busy", permanent=False, retry_after=5, code="http.rate_limited")
    )
    with pytest.raises(ConnectorError):
        network.moderate(None, ModerationRequest(A.HIDE, "m1", "k"))
    network.moderate(None, ModerationRequest(A.HIDE, "m1", "k"))  # the failure was for one call
    with pytest.raises(ConnectorError) as caught:
        network.moderate(None, ModerationRequest(A.BAN, "x", "k"))
    assert caught.value.code == "connector.moderation_unsupported"


def test_a_request_is_checked() -> None:
    with pytest.raises(ValueError):
        ModerationRequest(A.HIDE, "", "k")
    with pytest.raises(ValueError):
        ModerationRequest(A.BAN, "x", "k", until=datetime(2026, 1, 1))
    with pytest.raises(UnknownModerator):
        get_moderator("myspace")
