"""The outbox's state machine: claims, exactly-once, unknown outcomes, rate limits, expired tokens,
the crisis hold and daylight-saving times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, RawItem
from ambassade.connectors.http import OutcomeUnknown
from ambassade.connectors.publishers import new_idempotency_key
from ambassade.publishing import approvals, authoring, scheduling
from ambassade.publishing.models import PublishAttempt, Status, Variant
from ambassade.publishing.outbox import engine as outbox_engine
from ambassade.publishing.outbox import hold
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces.models import AuditEntry, Connection
from ambassade.workspaces.services import ServiceError
from tests.conftest import Personas
from tests.publishing.conftest import NOW, FakePublisher

pytestmark = pytest.mark.django_db


def test_it_publishes_a_due_variant_once(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "published"
    scheduled.refresh_from_db()
    assert scheduled.status == Status.PUBLISHED
    assert scheduled.remote_id == "remote-1"
    assert scheduled.remote_url == "https://net.example/1"
    assert scheduled.error == ""
    # Running it again, or the whole outbox, sends nothing more.
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "skipped"
    outbox.run_outbox(
        NOW + timedelta(minutes=5),
        publish=lambda i: outbox.publish_variant(i, now=NOW, publisher_factory=factory),
    )
    assert len(fake.calls) == 1
    assert AuditEntry.objects.filter(action="variant.published").count() == 1


def test_it_does_not_publish_before_the_time(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    early = NOW - timedelta(minutes=1)
    assert outbox.due_variant_ids(early) == []
    assert outbox.publish_variant(scheduled.id, now=early, publisher_factory=factory) == "skipped"
    assert fake.calls == []
    assert outbox.due_variant_ids(NOW) == [scheduled.id]


def test_it_lets_only_one_of_two_workers_claim(scheduled: Variant) -> None:
    first = outbox.claim(scheduled.id, NOW)
    second = outbox.claim(scheduled.id, NOW)
    assert first is not None and first.status == Status.PUBLISHING
    assert second is None


def test_it_refuses_a_claim_when_another_worker_moved_the_variant_between_read_and_update(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    # Worker B claims while worker A is between its read and its UPDATE: A's UPDATE names the attempt
    # count it read, so it matches nothing.
    real_key = outbox_engine.new_idempotency_key

    def interleaved() -> str:
        outbox_engine.new_idempotency_key = real_key  # type: ignore[assignment]
        assert outbox.claim(scheduled.id, NOW) is not None  # worker B
        return real_key()

    outbox_engine.new_idempotency_key = interleaved  # type: ignore[assignment]
    try:
        assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "skipped"
    finally:
        outbox_engine.new_idempotency_key = real_key  # type: ignore[assignment]
    assert fake.calls == []
    assert Variant.objects.get(id=scheduled.id).attempts == 1


def test_it_sends_a_new_idempotency_key_on_each_attempt(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [ConnectorError("Bad gateway.", permanent=False), None]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "scheduled"
    later = NOW + timedelta(minutes=1)
    assert outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory) == "published"
    keys = [draft.idempotency_key for draft in fake.calls]
    assert len(set(keys)) == 2
    assert list(
        PublishAttempt.objects.filter(variant=scheduled)
        .order_by("id")
        .values_list("idempotency_key", "outcome")
    ) == [(keys[0], "retry"), (keys[1], "published")]


def test_it_makes_keys_in_the_bluesky_record_key_format() -> None:
    key = new_idempotency_key(1_700_000_000_000_000)
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")
    assert new_idempotency_key(1_700_000_000_000_001) > key  # sortable by time (clock id aside)


def test_it_backs_off_then_fails_with_a_plain_message_after_the_last_attempt(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [ConnectorError("The network failed (503).", permanent=False)] * 5
    now = NOW
    for expected_delay in (1, 2, 4, 8):
        assert (
            outbox.publish_variant(scheduled.id, now=now, publisher_factory=factory) == "scheduled"
        )
        scheduled.refresh_from_db()
        assert scheduled.due_at == now + timedelta(minutes=expected_delay)
        now = scheduled.due_at
    assert outbox.publish_variant(scheduled.id, now=now, publisher_factory=factory) == "failed"
    scheduled.refresh_from_db()
    assert scheduled.status == Status.FAILED
    assert "could not be reached after 5 attempts" in scheduled.error
    assert "503" in scheduled.error


def test_it_fails_at_once_on_a_permanent_refusal(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [ConnectorError("Text too long.", permanent=True)]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "failed"
    scheduled.refresh_from_db()
    assert scheduled.error == "Mastodon refused the post: Text too long."
    assert len(fake.calls) == 1


def test_it_reschedules_at_the_rate_limit_reset_and_holds_the_account(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    other = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Second",
        connections=[personas.connection],
        scheduled_at=NOW + timedelta(minutes=2),
    )
    approvals.submit_post(other, personas.bob, now=NOW)
    fake.outcomes = [ConnectorError("Rate limited.", permanent=False, retry_after=600)]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "scheduled"
    reset = NOW + timedelta(seconds=600)
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED
    assert scheduled.due_at == reset
    assert scheduled.scheduled_at == NOW  # the person's time is kept
    assert scheduled.attempts == 0  # a rate limit is not a failed attempt
    assert other.variants.get().due_at == reset
    assert outbox.due_variant_ids(reset - timedelta(seconds=1)) == []


def test_it_marks_the_connection_and_fails_with_a_message_on_an_expired_token(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [AuthExpired("The access token was revoked")]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "failed"
    scheduled.refresh_from_db()
    personas.connection.refresh_from_db()
    assert personas.connection.status == Connection.Status.NEEDS_RECONNECTION
    assert scheduled.status == Status.FAILED
    assert "must be reconnected" in scheduled.error
    assert "The access token was revoked" in scheduled.error
    assert AuditEntry.objects.filter(action="connection.needs_reconnection").count() == 1


def test_it_fails_without_calling_the_network_when_the_account_needs_reconnection(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    Connection.objects.filter(id=personas.connection.id).update(
        status=Connection.Status.NEEDS_RECONNECTION, last_error="Token revoked."
    )
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "failed"
    assert fake.calls == []
    assert "must be reconnected" in Variant.objects.get(id=scheduled.id).error


def test_it_retries_a_failed_variant_when_a_person_asks(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [ConnectorError("Refused.", permanent=True)]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    outbox.retry_variant(scheduled, personas.bob, now=NOW)
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "published"
    with pytest.raises(ServiceError):
        outbox.retry_variant(scheduled, personas.bob, now=NOW)


# --- unknown outcomes: never a blind retry ------------------------------------------------------


def test_it_marks_a_call_without_answer_unknown_and_finds_it_on_the_network(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [OutcomeUnknown("No answer in time.")]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "unknown"
    # Not retried by the next run: it is not due, it is unknown.
    assert outbox.due_variant_ids(NOW + timedelta(hours=1)) == []
    # Too early to read the network.
    assert outbox.unknown_variant_ids(NOW) == []
    later = NOW + timedelta(minutes=2)
    assert outbox.unknown_variant_ids(later) == [scheduled.id]
    fake.posts = [
        RawItem(
            source="mastodon",
            external_id="https://mastodon.social/users/brand_a/statuses/42",
            url="https://mastodon.social/@brand_a/42",
            text="Nouvelle carte d’automne au Café Lumière ☕",
            created_at=NOW,
        )
    ]
    # Equivalent apostrophes do not have to match exactly, but the words do.
    fake.posts[0] = RawItem(
        **{**fake.posts[0].__dict__, "text": "Nouvelle carte d'automne au  Café Lumière ☕"}
    )
    assert (
        outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "published"
    )
    scheduled.refresh_from_db()
    assert scheduled.status == Status.PUBLISHED
    assert scheduled.remote_url == "https://mastodon.social/@brand_a/42"
    assert len(fake.calls) == 1  # found, so never sent again


def test_it_publishes_again_with_a_new_key_when_reconciliation_finds_nothing(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [OutcomeUnknown("No answer in time."), None]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    later = NOW + timedelta(minutes=2)
    assert (
        outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "scheduled"
    )
    assert outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory) == "published"
    assert fake.calls[0].idempotency_key != fake.calls[1].idempotency_key


def test_it_stays_unknown_while_the_network_cannot_be_read(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [OutcomeUnknown("No answer in time.")]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    fake.read_error = ConnectorError("Down.", permanent=False)
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "unknown"
    assert Variant.objects.get(id=scheduled.id).status == Status.UNKNOWN
    assert len(fake.calls) == 1


def test_it_retries_with_the_same_key_on_a_network_that_deduplicates(scheduled: Variant) -> None:
    class Deduplicating(FakePublisher):
        idempotent = True
        idempotency_window = 3600

    fake = Deduplicating()

    def factory(connection: Any) -> FakePublisher:
        return fake

    fake.outcomes = [OutcomeUnknown("No answer in time."), None]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    later = NOW + timedelta(minutes=2)
    assert (
        outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "scheduled"
    )
    assert outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory) == "published"
    assert fake.calls[0].idempotency_key == fake.calls[1].idempotency_key
    # An hour later the network has forgotten the key: read it instead.
    fake.outcomes = [OutcomeUnknown("No answer.")]
    Variant.objects.filter(id=scheduled.id).update(status=Status.SCHEDULED, due_at=later)
    outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory)
    much_later = later + timedelta(hours=2)
    assert (
        outbox.reconcile_variant(scheduled.id, now=much_later, publisher_factory=factory)
        == "scheduled"
    )
    assert Variant.objects.get(id=scheduled.id).keep_key is False


def test_it_reads_the_account_when_the_publisher_says_these_credentials_take_no_key(
    scheduled: Variant,
) -> None:
    """The class can deduplicate (a Discord bot), this connection cannot (a webhook): a lost answer
    is settled by reading the account, never by resending the key."""

    class Webhook(FakePublisher):
        idempotent = True
        idempotency_window = 3600

        def deduplicates(self, credentials: Any) -> bool:
            return False

    fake = Webhook()

    def factory(connection: Any) -> FakePublisher:
        return fake

    fake.outcomes = [OutcomeUnknown("No answer in time.")]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "unknown"
    assert Variant.objects.get(id=scheduled.id).key_deduplicated is False
    fake.read_error = ConnectorError("A webhook cannot read the channel.", permanent=True)
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == (
        "failed"
    )
    assert "We do not know whether the post went out" in Variant.objects.get(id=scheduled.id).error
    assert len(fake.calls) == 1


def test_it_treats_a_worker_that_died_mid_call_as_an_unknown_outcome(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    assert outbox.claim(scheduled.id, NOW) is not None  # then the worker is SIGKILLed
    # Its heartbeat stops: seconds later (not ten minutes), the outcome is unknown.
    assert outbox.expire_stuck(NOW + outbox_engine.DEAD_AFTER) == 0
    assert outbox.expire_stuck(NOW + outbox_engine.DEAD_AFTER + timedelta(seconds=1)) == 1
    assert Variant.objects.get(id=scheduled.id).status == Status.UNKNOWN
    fake.posts = []
    later = NOW + timedelta(minutes=1)
    assert (
        outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "scheduled"
    )


def test_it_keeps_a_late_success_even_after_the_sweeper_gave_up(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    def slow() -> None:
        outbox.expire_stuck(NOW + timedelta(minutes=11))

    fake.outcomes = [slow]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "published"
    assert Variant.objects.get(id=scheduled.id).status == Status.PUBLISHED


def test_it_treats_a_crash_in_the_connector_as_unknown(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [RuntimeError("boom")]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "unknown"


# --- the crisis hold ------------------------------------------------------------------------------


def test_it_holds_everything_while_the_outbox_is_paused(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    assert hold.pause_outbox(personas.workspace_a, "Crisis: product recall", personas.alice)
    assert not hold.pause_outbox(personas.workspace_a, "again")  # idempotent
    assert outbox.due_variant_ids(NOW) == []
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "skipped"
    assert list(outbox.held_variants(personas.workspace_a)) == [scheduled]
    assert fake.calls == []
    assert hold.resume_outbox(personas.workspace_a, personas.alice)
    assert list(outbox.held_variants(personas.workspace_a)) == []
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "published"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"outbox.paused", "outbox.resumed"} <= actions


def test_it_holds_reconciliation_too_while_paused(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [OutcomeUnknown("No answer.")]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    hold.pause_outbox(personas.workspace_a, "Crisis")
    later = NOW + timedelta(minutes=5)
    assert outbox.unknown_variant_ids(later) == []
    assert outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "skipped"


def test_it_only_pauses_the_workspace_in_crisis(scheduled: Variant, personas: Personas) -> None:
    hold.pause_outbox(personas.workspace_b, "Crisis at B")
    assert outbox.due_variant_ids(NOW) == [scheduled.id]


# --- daylight saving ---------------------------------------------------------------------------


def test_it_refuses_a_time_skipped_by_the_spring_forward_change() -> None:
    with pytest.raises(scheduling.NonexistentLocalTime):
        scheduling.local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Paris")
    assert scheduling.local_to_utc(date(2026, 3, 29), time(3, 30), "Europe/Paris") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


def test_it_takes_the_first_occurrence_of_a_time_repeated_at_the_fall_back_change() -> None:
    assert scheduling.local_to_utc(date(2026, 10, 25), time(2, 30), "Europe/Paris") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    # Either side of the change, an hour apart in wall-clock time is an hour apart in UTC.
    assert scheduling.local_to_utc(date(2026, 10, 24), time(2, 30), "Europe/Paris") == datetime(
        2026, 10, 24, 0, 30, tzinfo=UTC
    )
    assert scheduling.local_to_utc(date(2026, 10, 26), time(2, 30), "Europe/Paris") == datetime(
        2026, 10, 26, 1, 30, tzinfo=UTC
    )


def test_it_asks_a_person_when_the_network_cannot_be_read(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [OutcomeUnknown("No answer in time.")]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    fake.read_error = ConnectorError("A Telegram bot cannot read the channel.", permanent=True)
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(scheduled.id, now=later, publisher_factory=factory) == "failed"
    variant = Variant.objects.get(id=scheduled.id)
    assert "We do not know whether the post went out" in variant.error
    assert "retry only if the post is not there" in variant.error
    assert len(fake.calls) == 1


def test_it_words_the_error_in_the_readers_language(
    scheduled: Variant, personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    # Stored with its code, not in the workspace's language (issue 10, item 14).
    from ambassade.workspaces.messages import words_in

    personas.workspace_a.language = "fr"
    personas.workspace_a.save(update_fields=["language"])
    fake.outcomes = [
        AuthExpired(
            "Mastodon refused the access token: gone",
            code="connector.token_refused",
            params={"network": "Mastodon", "detail": "gone"},
        )
    ]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    error = Variant.objects.get(id=scheduled.id).error
    assert words_in("fr", error) == (
        "Le compte @brand_a@mastodon.social doit être reconnecté : le réseau a refusé son accès "
        "(Mastodon a refusé le jeton d’accès : gone). Reconnectez-le dans Connexions, puis "
        "relancez."
    )
    assert words_in("en", error).startswith(
        "The account @brand_a@mastodon.social must be reconnected: the network refused its "
        "access (Mastodon refused the access token: gone)."
    )


def test_it_sends_a_post_back_to_draft_when_its_approval_comes_too_late(
    post: Any, personas: Personas
) -> None:
    approvals.set_approval_steps(personas.workspace_a, 1, personas.alice)
    approvals.submit_post(post, personas.bob, now=NOW - timedelta(hours=2))
    assert approvals.expire_pending_approvals(NOW - timedelta(minutes=1)) == 0
    outbox.run_outbox(NOW)
    post.refresh_from_db()
    assert post.variants.get().status == Status.DRAFT
    assert "The approval did not come before the publication time" in post.rejection_reason
    with pytest.raises(ServiceError, match="not awaiting approval"):
        approvals.approve_post(post, personas.alice)
    assert AuditEntry.objects.filter(action="post.approval_expired").count() == 1


def test_it_asks_a_person_after_half_an_hour_of_failed_checks(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [OutcomeUnknown("No answer in time.")]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    fake.read_error = ConnectorError("Service unavailable.", permanent=False)
    now = NOW
    for _minute in range(outbox_engine.MAX_CHECKS):
        now += timedelta(minutes=1, seconds=1)
        assert outbox.reconcile_variant(scheduled.id, now=now, publisher_factory=factory) == (
            "unknown"
        )
    now += timedelta(minutes=1, seconds=1)
    assert outbox.reconcile_variant(scheduled.id, now=now, publisher_factory=factory) == "failed"
    assert "We do not know whether the post went out" in Variant.objects.get(id=scheduled.id).error
    assert len(fake.calls) == 1


def test_it_reconciles_from_the_last_call_after_a_rate_limit(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [
        ConnectorError("Rate limited.", permanent=False, retry_after=3600),
        OutcomeUnknown("No answer."),
    ]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    later = NOW + timedelta(hours=1)
    outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory)
    seen: list[datetime] = []
    fake.recent_posts = lambda credentials, since: seen.append(since) or []  # type: ignore[method-assign]
    outbox.reconcile_variant(
        scheduled.id, now=later + timedelta(minutes=2), publisher_factory=factory
    )
    assert seen == [later - outbox_engine.RECONCILE_MARGIN]


def test_it_publishes_a_long_text_as_a_thread_where_asked(
    personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    text = " ".join(f"Phrase numéro {n} du long texte." for n in range(40))
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text=text,
        connections=[personas.connection],
        scheduled_at=NOW,
    )
    with pytest.raises(ServiceError, match="Mastodon accepts 500"):
        approvals.submit_post(post, personas.bob, now=NOW)
    post.thread = True
    post.save()
    approvals.submit_post(post, personas.bob, now=NOW)
    variant = post.variants.get()
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory) == "published"
    (draft,) = fake.calls
    assert len(draft.thread) >= 2
    assert draft.text.endswith(f"1/{len(draft.thread) + 1}")
    assert " ".join(p.rsplit(" ", 1)[0] for p in [draft.text, *draft.thread]) == text


def test_it_resends_the_same_key_after_a_5xx_on_a_network_that_deduplicates(
    scheduled: Variant,
) -> None:
    """`ambassade bench outbox` found it: a proxy answering 502 after Mastodon (or Bluesky) created
    the post made the outbox retry with a new key, and the network published a second post."""

    class Deduplicating(FakePublisher):
        idempotent = True
        idempotency_window = 3600

    fake = Deduplicating()

    def factory(connection: Any) -> FakePublisher:
        return fake

    fake.outcomes = [
        ConnectorError("The network failed (502).", permanent=False),
        ConnectorError("Rate limited.", permanent=False, retry_after=30),
        None,
    ]
    assert outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory) == "scheduled"
    later = NOW + timedelta(minutes=1)
    assert outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory) == "scheduled"
    latest = later + timedelta(seconds=30)
    assert (
        outbox.publish_variant(scheduled.id, now=latest, publisher_factory=factory) == "published"
    )
    assert len({call.idempotency_key for call in fake.calls}) == 1


def test_it_takes_a_new_key_after_a_5xx_on_a_network_without_keys(
    scheduled: Variant, fake: FakePublisher, factory: Any
) -> None:
    fake.outcomes = [ConnectorError("The network failed (503).", permanent=False), None]
    outbox.publish_variant(scheduled.id, now=NOW, publisher_factory=factory)
    later = NOW + timedelta(minutes=1)
    assert outbox.publish_variant(scheduled.id, now=later, publisher_factory=factory) == "published"
    assert fake.calls[0].idempotency_key != fake.calls[1].idempotency_key


@pytest.mark.parametrize(
    ("text", "with_media"),
    [("", True), ("☕🍂 !", False), ("https://cafe-lumiere.example/carte", True)],
    ids=["media-only", "emoji-only", "link-only"],
)
def test_it_never_publishes_again_a_post_it_cannot_recognise(
    personas: Personas, fake: FakePublisher, factory: Any, text: str, with_media: bool
) -> None:
    """A post without words (media alone, emoji, a link) cannot be told apart from the account's
    other posts: after a lost answer a person is asked to look, nothing is sent again."""
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=text, connections=[personas.connection]
    )
    if with_media:
        authoring.add_media(
            post,
            personas.bob,
            filename="tasse.jpg",
            content_type="image/jpeg",
            data=b"\xff\xd8\xff\xe0",
            alt_text="Une tasse fumante",
        )
    approvals.submit_post(post, personas.bob, now=NOW)
    variant = post.variants.get()
    fake.outcomes = [OutcomeUnknown("No answer in time.")]
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory) == "unknown"
    # The account shows an older post without words: it proves nothing either way.
    fake.posts = [
        RawItem(
            source="mastodon",
            external_id="41",
            url="https://mastodon.social/@brand_a/41",
            text="",
            created_at=NOW,
        )
    ]
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory) == "failed"
    variant.refresh_from_db()
    assert variant.status == Status.FAILED
    assert "We do not know whether the post went out" in variant.error
    assert "the post has no words to recognise it by" in variant.error
    assert "retry only if the post is not there" in variant.error
    outbox.run_outbox(
        later + timedelta(hours=1),
        publish=lambda i: outbox.publish_variant(i, now=later, publisher_factory=factory),
        reconcile=lambda i: outbox.reconcile_variant(i, now=later, publisher_factory=factory),
    )
    assert len(fake.calls) == 1
