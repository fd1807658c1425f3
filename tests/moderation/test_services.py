"""Rules read new mentions: the first matching rule decides, log-only rules record, every decision is
explained, and the actions go to the network exactly once through the outbox."""

from __future__ import annotations

from typing import Any

from ambassade.connectors.base import ConnectorError, ModerationAction
from ambassade.listening.models import Feedback, Mention
from ambassade.moderation import outbox, services
from ambassade.moderation.models import Decision, NetworkAction, NetworkActionAttempt, Review
from ambassade.publishing.models import Status
from ambassade.workspaces.messages import words
from tests.listening.conftest import item
from tests.moderation.conftest import make_rule

A = ModerationAction


def test_a_watched_word_hides_the_comment_and_queues_it_with_the_reason(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any, network: Any
) -> None:
    make_rule(personas.workspace_a, name="Insults", words="idiot*\ncasse-toi", article=2)
    ingest(
        reddit_source,
        [
            item("t1_a", "Quel IDIOT, ce serveur", source="reddit", handle="troll42"),
            item("t1_b", "Merci pour le café", source="reddit", handle="fan"),
        ],
    )
    review = Review.objects.get()
    assert review.mention.external_id == "t1_a" and review.state == Review.State.PENDING
    assert review.explanation["rule"] == "Insults" and review.explanation["article"] == 2
    assert [words(r) for r in services.reasons_of(review.explanation)] == [
        "Watched words found: idiot*"
    ]
    start, end = review.explanation["spans"][0]
    assert review.text[start:end] == "IDIOT"
    action = NetworkAction.objects.get()
    assert (action.action, action.target, action.status) == ("hide", "t1_a", Status.SCHEDULED)
    decision = Decision.objects.get()
    assert decision.actor is None and decision.rule_name == "Insults" and decision.action == "hide"

    assert outbox.carry_out(action.id, moderator_factory=lambda c: network) == Status.PUBLISHED
    assert network.holds(A.HIDE, "t1_a")
    # Exactly once: running it again sends nothing.
    assert outbox.carry_out(action.id, moderator_factory=lambda c: network) == "skipped"
    assert outbox.run(moderator_factory=lambda c: network)["due"] == 0
    assert len(network.calls) == 1


def test_the_first_matching_rule_decides_unless_it_lets_the_next_match(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    make_rule(workspace, name="Fans", authors_allowed="@fan", actions=["allow"])
    make_rule(workspace, name="Spam", score="spam", threshold=0.5, actions=["hold"])
    make_rule(workspace, name="Watch", words="free", mode="log", actions=["delete"])
    ingest(
        reddit_source,
        [
            item("t1_1", "free coffee", source="reddit", handle="fan"),
            item("t1_2", "free coffee", source="reddit", handle="bot7"),
        ],
    )
    by_rule = sorted(Decision.objects.values_list("mention__external_id", "rule_name", "log_only"))
    # The fan is allowed: nothing else. The bot's message is held by the spam rule, which decides:
    # the log-only rule after it is not even reached.
    assert by_rule == [("t1_1", "Fans", False), ("t1_2", "Spam", False)]
    review = Review.objects.get()
    assert review.mention.external_id == "t1_2" and review.planned == ["hold"]
    assert [words(r) for r in services.reasons_of(review.explanation)] == [
        "Spam score 0.95, above the rule's 0.5"
    ]
    assert not NetworkAction.objects.exists()


def test_a_log_only_rule_records_what_it_would_do_and_does_nothing(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    make_rule(personas.workspace_a, name="Trial", words="idiot", mode="log", actions=["ban"])
    ingest(reddit_source, [item("t1_1", "idiot", source="reddit", handle="x")])
    decision = Decision.objects.get()
    assert decision.log_only and decision.action == "ban"
    assert not Review.objects.exists() and not NetworkAction.objects.exists()


def test_without_an_account_that_may_the_item_waits_in_the_queue_with_the_reason(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    ingest(reddit_source, [item("t1_1", "idiot", source="reddit", handle="x")])
    review = Review.objects.get()
    assert not NetworkAction.objects.exists()
    assert "No connected reddit account can moderate" in words(review.explanation["notes"][0])


def test_a_refusal_leaves_the_item_in_the_queue_and_nothing_marked_done(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any, network: Any
) -> None:
    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    ingest(reddit_source, [item("t1_1", "idiot", source="reddit", handle="x")])
    review = Review.objects.get()
    services.decide(review, "reject", personas.alice)  # a person agrees before the network acts
    network.fail(
        A.HIDE,
        ConnectorError(
            "Reddit refused access: Forbidden",
            permanent=True,
            code="reddit.access_refused",
            params={"detail": "Forbidden"},
        ),
    )
    action = NetworkAction.objects.get()
    assert outbox.carry_out(action.id, moderator_factory=lambda c: network) == Status.FAILED
    action.refresh_from_db()
    assert action.status == Status.FAILED and not action.published_at
    review.refresh_from_db()
    assert review.state == Review.State.PENDING
    assert "Reddit refused access" in words(review.explanation["notes"][-1])
    assert NetworkActionAttempt.objects.filter(network_action=action).count() == 1


def test_a_rate_limit_retries_later_then_succeeds_once(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any, network: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    ingest(reddit_source, [item("t1_1", "idiot", source="reddit", handle="x")])
    network.fail(
        A.HIDE,
        ConnectorError("slow down", permanent=False, retry_after=60, code="http.rate_limited"),
    )
    action = NetworkAction.objects.get()
    assert outbox.carry_out(action.id, moderator_factory=lambda c: network) == Status.SCHEDULED
    later = timezone.now() + timedelta(minutes=5)
    assert outbox.run(later, moderator_factory=lambda c: network)["due"] == 1
    action.refresh_from_db()
    assert action.status == Status.PUBLISHED and network.holds(A.HIDE, "t1_1")
    assert len(network.calls) == 2


def test_approving_undoes_the_hide_and_not_spam_feeds_the_training_export(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any, network: Any
) -> None:
    from ambassade.listening.feedback import author_key, training_examples

    make_rule(personas.workspace_a, score="spam", threshold=0.5, actions=["hide"])
    ingest(reddit_source, [item("t1_1", "free refills on Sunday", source="reddit", handle="x")])
    hide = NetworkAction.objects.get()
    outbox.carry_out(hide.id, moderator_factory=lambda c: network)
    review = Review.objects.get()
    assert services.decide(review, "not_spam", personas.alice, "Our own offer") == []
    review.refresh_from_db()
    assert review.state == Review.State.APPROVED and review.note == "Our own offer"
    unhide = NetworkAction.objects.get(undoes=hide)
    assert unhide.action == "unhide"
    outbox.carry_out(unhide.id, moderator_factory=lambda c: network)
    assert not network.holds(A.HIDE, "t1_1")
    feedback = Feedback.objects.get()
    assert feedback.kind == Feedback.Kind.NOT_SPAM
    assert training_examples(personas.workspace_a) == [
        {
            "text": "free refills on Sunday",
            "label": "ham",
            "lang": "en",
            "task": "spam",
            "corrected_at": feedback.created_at.isoformat(),
            "group": author_key(personas.workspace_a.id, "reddit", "x"),
        }
    ]
    assert not Mention.objects.get(external_id="t1_1").marked_spam
    assert Decision.objects.filter(actor=personas.alice, action="not_spam").exists()


def test_a_temporary_ban_is_lifted_at_its_end(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any, no_enqueue: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ambassade.connectors.moderators import MemoryModerator

    network = MemoryModerator(network="reddit")
    make_rule(personas.workspace_a, words="idiot", actions=["ban"], minutes=60)
    ingest(reddit_source, [item("t1_1", "idiot", source="reddit", handle="troll")])
    ban = NetworkAction.objects.get()
    assert ban.target == "troll" and ban.until is not None
    outbox.carry_out(ban.id, moderator_factory=lambda c: network)
    assert services.lift_expired(timezone.now()) == 0
    assert services.lift_expired(timezone.now() + timedelta(hours=2)) == 1
    unban = NetworkAction.objects.get(undoes=ban)
    outbox.carry_out(unban.id, moderator_factory=lambda c: network)
    assert not network.holds(A.BAN, "troll")
    assert services.lift_expired(timezone.now() + timedelta(hours=3)) == 0


def test_a_network_that_cannot_is_said_in_plain_words(
    personas: Any, source: Any, ingest: Any
) -> None:
    # personas.connection is a Mastodon account: Mastodon cannot hide another person's post.
    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    ingest(source, [item("m1", "idiot", handle="x@example.social")])
    review = Review.objects.get()
    assert words(review.explanation["notes"][0]) == "mastodon does not let Ambassade hide."


def test_approving_before_the_network_acted_cancels_the_action(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any, network: Any
) -> None:
    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    ingest(reddit_source, [item("t1_1", "idiot", source="reddit", handle="x")])
    services.decide(Review.objects.get(), "approve", personas.alice)
    action = NetworkAction.objects.get()
    assert action.status == Status.FAILED
    assert words(action.error) == "Not sent: a person approved the message first."
    assert outbox.carry_out(action.id, moderator_factory=lambda c: network) == "skipped"
    assert network.calls == []


def test_a_feed_item_linking_to_reddit_is_not_moderated_on_reddit(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    """A feed item linking to reddit.com is a Reddit mention with the feed's id and the feed
    author's name: no hide on Reddit with those, the existing coded refusal instead."""
    from ambassade.listening.models import Source

    feed = Source.objects.create(workspace=personas.workspace_a, name="Blog", kind="rss")
    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    ingest(
        feed,
        [
            item(
                "https://blog.example/?p=1",
                "idiot",
                source="reddit",
                handle="Jean Dupont",
                url="https://www.reddit.com/r/cafe/comments/abc/",
            )
        ],
    )
    review = Review.objects.get()
    assert review.mention.network == "reddit"
    assert words(review.explanation["notes"][0]) == "rss does not let Ambassade hide."
    assert not NetworkAction.objects.exists()
    _action, why = services.schedule(personas.workspace_a, review.mention, A.BAN)
    assert _action is None and why is not None and why.code == "moderation.network_cannot"

    # The same words heard by the Reddit connector are hidden on Reddit.
    ingest(reddit_source, [item("t1_z", "idiot", source="reddit", handle="troll42")])
    action = NetworkAction.objects.get()
    assert (action.network, action.target) == ("reddit", "t1_z")
