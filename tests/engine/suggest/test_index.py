"""The reply index: retrieval, de-duplication, neutralisation, incremental updates."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.suggest import Context, ReplyIndex, Settings

HISTORY = [
    (
        "1",
        "where is my order? it has not arrived",
        "@ana Hi Ana, sorry! Please DM us your order number. ^Jo",
    ),
    (
        "2",
        "my order never arrived, where is it",
        "@bo Sorry Bo! Please DM us your order number. -Kim",
    ),
    ("3", "the order I placed did not arrive", "@cy Please DM us your order number 🙏 ^Jo"),
    ("4", "love your new latte, thank you!", "@di Thanks for the love! ☕ ^Jo"),
    ("5", "thanks for the great coffee this morning", "@ed Thank you, enjoy your day! -Kim"),
    ("6", "the app crashes when I pay", "@fa Sorry about that: which phone and app version? ^Jo"),
    ("7", "app keeps crashing on payment", "@gi Which phone and app version do you use? -Kim"),
]


def index_of(history=HISTORY, **options: object) -> ReplyIndex:
    index = ReplyIndex(Settings(**options))  # type: ignore[arg-type]
    for key, inbound, reply in history:
        assert index.add(key, inbound, reply)
    return index


def test_it_suggests_the_answers_given_to_similar_messages_first() -> None:
    suggestions = index_of().suggest("Where is my order?? It didn't arrive")
    assert len(suggestions) == 3
    assert "DM us your order number" in suggestions[0].text
    assert set(suggestions[0].keys) <= {"1", "2", "3"}
    assert suggestions[0].score > suggestions[1].score


def test_it_suggests_three_different_answers() -> None:
    texts = [s.text for s in index_of().suggest("where is my order")]
    # The three "DM us your order number" answers are near-copies: only one of them is shown.
    assert sum("order number" in text for text in texts) == 1
    assert len(set(texts)) == 3


def test_it_shows_nothing_personal_of_the_first_conversations() -> None:
    suggestions = index_of().suggest("my order did not arrive")
    for suggestion in suggestions:
        for personal in ("Ana", "Bo", "Jo", "Kim", "@ana", "@bo"):
            assert personal not in suggestion.text.replace("{", " ").split()
    first = suggestions[0]
    assert "{agent}" in first.text
    assert set(first.placeholders) <= {"first_name", "agent"}


def test_it_counts_identical_answers_as_one_with_their_support() -> None:
    index = index_of(
        [
            ("1", "refund please", "@a Please DM us. ^Jo"),
            ("2", "I want a refund", "@b Please DM us. -Kim"),
            ("3", "refund?", "@c please dm us ^Al"),
        ]
    )
    (suggestion,) = index.suggest("refund", 3)
    assert suggestion.support == 3
    assert suggestion.text == "please dm us {agent}"  # the most recent wording


def test_it_completes_with_the_most_frequent_answers_when_nothing_is_similar() -> None:
    index = index_of()
    suggestions = index.suggest("zzz qqq")
    assert len(suggestions) == 3
    assert all(s.score == 0.0 and not s.keys for s in suggestions)
    assert [s.text for s in suggestions] == [s.text for s in index.most_frequent(3)]
    assert index.suggest("") == suggestions


def test_it_learns_a_new_answer_at_once_and_forgets_a_removed_one() -> None:
    index = index_of()
    assert index.add("8", "do you sell gift cards?", "@hu Yes! Gift cards are sold in every café.")
    assert index.suggest("gift cards for sale?")[0].text == (
        "Yes! Gift cards are sold in every café."
    )
    assert index.remove("8")
    assert not index.remove("8")
    assert "8" not in index and len(index) == 7
    assert all("Gift" not in s.text for s in index.suggest("gift cards for sale?"))


def test_it_replaces_the_entry_of_a_key_added_again() -> None:
    index = index_of()
    index.add("4", "love your new latte", "@di Glad you like it!")
    assert len(index) == 7
    assert index.suggest("love the latte")[0].text == "Glad you like it!"


def test_it_keeps_only_the_most_recent_entries_when_bounded() -> None:
    index = index_of(max_entries=3)
    assert len(index) == 3
    assert "1" not in index and "7" in index


def test_it_shows_a_recurring_address_and_hides_a_one_off() -> None:
    index = index_of(
        [
            ("1", "how do I reset", "@a See https://help.example.com/reset ^Jo"),
            ("2", "reset my password", "@b See https://help.example.com/reset -Kim"),
            ("3", "track my parcel", "@c Track it at https://track.example.com/x9Y7 ^Jo"),
        ]
    )
    assert index.suggest("password reset")[0].text == "See https://help.example.com/reset {agent}"
    assert index.suggest("track parcel")[0].text == "Track it at {link} {agent}"
    assert index.suggest("track parcel")[0].placeholders == ("agent", "link")


def test_it_suggests_answers_in_the_language_asked_for() -> None:
    index = ReplyIndex()
    index.add("1", "where is my order", "Please DM us your order number.", lang="en")
    index.add(
        "2", "où est ma commande order", "Écrivez-nous en privé avec votre numéro.", lang="fr"
    )
    index.add("3", "order", "Thanks!", lang=None)
    texts = [s.text for s in index.suggest("order", lang="fr")]
    assert sorted(texts) == ["Thanks!", "Écrivez-nous en privé avec votre numéro."]
    assert "Please DM us your order number." in [s.text for s in index.suggest("order", lang="en")]


def test_it_uses_the_names_of_the_conversation() -> None:
    index = ReplyIndex()
    index.add(
        "1",
        "hello",
        "Hello Jean-Marc Dubois, Nadia here.",
        context=Context.of(customer=["Jean-Marc Dubois"], agent=["Nadia"]),
    )
    assert index.suggest("hello")[0].text == "Hello {first_name}, {agent} here."


def test_it_takes_a_neutralised_answer_as_it_is() -> None:
    index = ReplyIndex()
    index.add("1", "hello", "Hi {first_name}, ^Jo", neutralised=True)
    assert index.suggest("hello")[0].text == "Hi {first_name}, ^Jo"


def test_it_refuses_an_answer_with_nothing_left_to_suggest() -> None:
    index = ReplyIndex()
    assert not index.add("1", "hello", "@a @b")
    assert len(index) == 0 and index.suggest("hello") == []


def test_it_lets_sentence_vectors_bring_close_meanings_together() -> None:
    index = ReplyIndex(Settings(vector_weight=1.0, consensus=0.0))
    index.add("1", "the coffee was cold", "Sorry, we'll make you another.", vector=[1.0, 0.0])
    index.add("2", "great service", "Thank you!", vector=[0.0, 1.0])
    # No word in common with either: the vectors decide.
    assert index.suggest("superb staff", vector=[0.1, 0.9])[0].text == "Thank you!"
    assert index.suggest("superb staff")[0].score == 0.0


def test_it_refuses_vectors_of_another_size() -> None:
    index = ReplyIndex()
    index.add("1", "a", "b", vector=[1.0, 0.0])
    try:
        index.add("2", "a", "c", vector=[1.0, 0.0, 0.0])
    except ValueError as exc:
        assert "2 dimensions" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a vector of another size was accepted")


def test_it_rebuilds_after_many_removals_with_the_same_results() -> None:
    index = ReplyIndex()
    for number in range(2_400):
        index.add(
            f"n{number}", f"noise message {number} about topic{number % 50}", f"Answer {number % 7}"
        )
    for key, inbound, reply in HISTORY:
        index.add(key, inbound, reply)
    for number in range(2_400):
        index.remove(f"n{number}")
    assert len(index) == len(HISTORY)
    fresh = index_of()
    for question in ("where is my order", "the app crashed", "thanks a lot", "hello"):
        got, want = index.suggest(question), fresh.suggest(question)
        assert [(s.text, s.support, s.keys) for s in got] == [
            (s.text, s.support, s.keys) for s in want
        ]
        # The stored BM25 weights may date from another average length (within a tenth).
        assert np.allclose([s.score for s in got], [s.score for s in want], rtol=0.05)


history = st.lists(
    st.tuples(
        st.sampled_from(["order late", "refund please", "app crash", "thanks", "hello there"]),
        st.sampled_from(
            ["Please DM us.", "Sorry! Which phone?", "Thank you!", "Refund sent.", "Hi!"]
        ),
        st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(history)
def test_it_answers_after_updates_as_an_index_built_from_what_is_left(
    entries: list[tuple[str, str, bool]],
) -> None:
    # Without length normalisation (b=0) the stored BM25 weights do not depend on the average
    # length at the time an entry was added, so both indexes must agree exactly.
    index = ReplyIndex(Settings(b=0.0))
    kept = []
    for number, (inbound, reply, keep) in enumerate(entries):
        index.add(str(number), inbound, reply)
        if keep:
            kept.append((str(number), inbound, reply))
    for number, (_, _, keep) in enumerate(entries):
        if not keep:
            index.remove(str(number))
    fresh = ReplyIndex(Settings(b=0.0))
    for entry in kept:
        fresh.add(*entry)
    for question in ("order late", "thanks", "nothing alike"):
        got = index.suggest(question)
        want = fresh.suggest(question)
        assert [s.text for s in got] == [s.text for s in want]
        assert [s.support for s in got] == [s.support for s in want]
        assert np.allclose([s.score for s in got], [s.score for s in want])
