"""Polling the networks' numbers into the snapshot tables, with a fake reader (the readers
themselves are tested against local servers in tests/connectors/metrics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ambassade.analytics import collect
from ambassade.analytics.models import AccountSnapshot, PostResult, TrackedAccount
from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.metrics import AccountReport, AccountStats, PostStats
from ambassade.workspaces.models import Connection
from tests.conftest import CONNECTION_TOKEN, Personas

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def due_at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts added by the tests are due at NOW, not at the hour the suite happens to run."""
    from types import SimpleNamespace

    field = TrackedAccount._meta.get_field("next_poll_at")
    monkeypatch.setattr(field, "_get_default", lambda: NOW)
    monkeypatch.setattr(
        "ambassade.analytics.audience_services.timezone", SimpleNamespace(now=lambda: NOW)
    )


class FakeReader:
    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[Any, str, datetime]] = []

    def __call__(self, network: str) -> FakeReader:
        return self

    def read_account(
        self, credentials: Any, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        self.calls.append((credentials, handle, since))
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def report(followers: int, likes: int, *, credentials: Any = None) -> AccountReport:
    return AccountReport(
        AccountStats(
            handle="brand_a@mastodon.social",
            name="Brand A",
            url="https://mastodon.social/@brand_a",
            followers=followers,
            following=3,
            posts=40,
        ),
        [
            PostStats(
                "uri:1",
                datetime(2026, 12, 1, 9, tzinfo=UTC),
                "https://m/1",
                "Hello",
                {"likes": likes, "reposts": 2, "replies": 1},
            ),
            PostStats(
                "uri:2",
                datetime(2026, 12, 2, 9, tzinfo=UTC),
                "https://m/2",
                "Video",
                {"likes": 5, "views": 100, "score": 50},
            ),
        ],
        hidden=frozenset({"impressions"}),
        credentials=credentials,
    )


@pytest.fixture
def own(personas: Personas) -> TrackedAccount:
    assert collect.sync_own_accounts() == 1
    assert collect.sync_own_accounts() == 0  # once per connection
    account = TrackedAccount.objects.get(connection=personas.connection)
    assert account.role == TrackedAccount.Role.OWN and account.workspace == personas.workspace_a
    return account


def test_a_poll_stores_the_day_s_snapshot_and_the_posts_results(own: TrackedAccount) -> None:
    reader = FakeReader(report(1000, 10), report(1010, 12))
    assert collect.due_accounts(NOW) == [own.id]
    assert collect.poll_account(own.id, now=NOW, reader_factory=reader)
    credentials, handle, since = reader.calls[0]
    assert credentials["access_token"] == CONNECTION_TOKEN and handle == ""
    assert since == NOW - collect.LOOKBACK
    own.refresh_from_db()
    assert (own.followers, own.status, own.hidden) == (
        1000,
        TrackedAccount.Status.OK,
        ["impressions"],
    )
    assert own.next_poll_at == NOW + collect.OWN_EVERY
    first = PostResult.objects.get(account=own, external_id="uri:1")
    assert (first.engagements, first.impressions, first.followers) == (13, None, 1000)
    second = PostResult.objects.get(account=own, external_id="uri:2")
    # Views are the exposure where no impressions are given; a score is not an interaction.
    assert (second.engagements, second.impressions) == (5, 100)
    # Not due again before its time; later the same day, the day's snapshot is replaced.
    assert not collect.poll_account(own.id, now=NOW + timedelta(hours=1), reader_factory=reader)
    later = NOW + collect.OWN_EVERY
    assert collect.poll_account(own.id, now=later, reader_factory=reader)
    snapshots = list(AccountSnapshot.objects.filter(account=own).values_list("day", "followers"))
    assert snapshots == [(NOW.date(), 1010)]
    first.refresh_from_db()
    assert (first.engagements, first.followers) == (15, 1000)  # followers kept from the first read
    assert PostResult.objects.filter(account=own).count() == 2
    # The next day makes a second snapshot.
    assert collect.poll_account(own.id, now=NOW + timedelta(days=1), reader_factory=reader)
    assert AccountSnapshot.objects.filter(account=own).count() == 2


def test_a_rate_limit_waits_as_the_network_says(own: TrackedAccount) -> None:
    reader = FakeReader(
        ConnectorError(
            "slow down",
            retry_after=3600,
            code="connector.rate_limited",
            params={"network": "Mastodon", "detail": "429"},
        )
    )
    assert not collect.poll_account(own.id, now=NOW, reader_factory=reader)
    own.refresh_from_db()
    assert own.status == TrackedAccount.Status.RETRYING
    assert own.next_poll_at == NOW + timedelta(hours=1)
    assert own.last_error.code == "connector.rate_limited"
    # A short wait is still at least the retry delay.
    reader.outcomes = [
        ConnectorError(
            "x",
            retry_after=5,
            code="connector.rate_limited",
            params={"network": "Mastodon", "detail": ""},
        )
    ]
    assert not collect.poll_account(own.id, now=NOW + timedelta(hours=1), reader_factory=reader)
    own.refresh_from_db()
    assert own.next_poll_at == NOW + timedelta(hours=1) + collect.RETRY_AFTER


def test_a_refused_token_asks_for_reconnection_and_stops_polling(
    own: TrackedAccount, personas: Personas
) -> None:
    reader = FakeReader(
        AuthExpired(
            "revoked",
            code="connector.token_refused",
            params={"network": "Mastodon", "detail": "revoked"},
        )
    )
    assert not collect.poll_account(own.id, now=NOW, reader_factory=reader)
    personas.connection.refresh_from_db()
    assert personas.connection.status == Connection.Status.NEEDS_RECONNECTION
    own.refresh_from_db()
    assert own.status == TrackedAccount.Status.ERROR
    assert collect.due_accounts(NOW + timedelta(days=2)) == []


def test_a_competitor_is_read_by_handle_with_the_network_s_connection(personas: Personas) -> None:
    rival = TrackedAccount.objects.create(
        workspace=personas.workspace_a,
        role=TrackedAccount.Role.COMPETITOR,
        network="mastodon",
        handle="rival@mastodon.social",
        label="Rival",
    )
    fresh = {"access_token": "renewed-token"}
    reader = FakeReader(report(500, 1, credentials=fresh))
    assert collect.poll_account(rival.id, now=NOW, reader_factory=reader)
    credentials, handle, _since = reader.calls[0]
    assert handle == "rival@mastodon.social" and credentials["access_token"] == CONNECTION_TOKEN
    rival.refresh_from_db()
    assert rival.next_poll_at == NOW + collect.COMPETITOR_EVERY
    # The refreshed token went back to the vault, encrypted, without the added account fields.
    personas.connection.refresh_from_db()
    assert personas.connection.secret().reveal() == fresh
    # A network that shows only the accounts a token manages cannot read a competitor.
    meta = TrackedAccount.objects.create(
        workspace=personas.workspace_a,
        role=TrackedAccount.Role.COMPETITOR,
        network="facebook",
        handle="rival-page",
    )
    assert not collect.poll_account(meta.id, now=NOW, reader_factory=reader)
    meta.refresh_from_db()
    assert (
        meta.status == TrackedAccount.Status.ERROR and meta.last_error.code == "metrics.not_public"
    )


def test_a_reader_s_bug_is_recorded_and_retried(own: TrackedAccount) -> None:
    reader = FakeReader(ValueError("boom"))
    assert not collect.poll_account(own.id, now=NOW, reader_factory=reader)
    own.refresh_from_db()
    assert (
        own.status == TrackedAccount.Status.RETRYING and own.last_error.code == "metrics.unexpected"
    )
    assert own.next_poll_at == NOW + collect.RETRY_AFTER
