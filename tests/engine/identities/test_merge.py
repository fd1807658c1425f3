"""Merge suggestions: each kind of evidence, the same-network penalty, blocking, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.identities import (
    HIGH_CONFIDENCE,
    Identity,
    Profile,
    blocking,
    match,
    name_similarity,
    suggest_merges,
)


def member(key: str, *identities: Identity) -> Profile:
    return Profile(key, identities)


def codes(first: Profile, second: Profile) -> list[str]:
    found = match(first, second)
    return [e.message.code for e in found.evidence] if found else []


def test_a_shared_verified_email_is_near_certain() -> None:
    a = member("1", Identity("x", "ana", verified_emails=("Ana@Example.org ",)))
    b = member("2", Identity("email", "ana@example.org", verified_emails=("ana@example.org",)))
    found = match(a, b)
    assert found is not None
    assert found.score == 0.99 and found.confidence == "high"
    assert found.evidence[0].message.code == "identity.same_email_verified"
    assert found.evidence[0].message.params == {"email": "ana@example.org"}


def test_the_email_weighs_less_the_less_it_is_verified() -> None:
    half = match(
        member("1", Identity("x", "a", verified_emails=("a@b.fr",))),
        member("2", Identity("mastodon", "b@m.social", emails=("a@b.fr",))),
    )
    unverified = match(
        member("1", Identity("x", "a", emails=("a@b.fr",))),
        member("2", Identity("mastodon", "b@m.social", emails=("a@b.fr",))),
    )
    assert half is not None and unverified is not None
    assert half.evidence[0].message.code == "identity.same_email_half_verified"
    assert unverified.evidence[0].message.code == "identity.same_email"
    assert 0.99 > half.score > unverified.score


def test_an_email_used_as_a_handle_links_two_members() -> None:
    a = member("1", Identity("email", "lea.dubois@example.org"))
    b = member("2", Identity("discord", "Lea.Dubois@example.org"))
    assert codes(a, b) == ["identity.email_as_handle"]
    assert match(a, b).score == 0.9  # type: ignore[union-attr]
    # The e-mail's user as a handle elsewhere is a weaker clue.
    c = member("3", Identity("x", "lea.dubois"))
    assert codes(a, c) == ["identity.email_user_as_handle"]
    assert [(x.first, x.second) for x in suggest_merges([a, c])] == [("1", "3")]


def test_the_same_handle_on_several_networks() -> None:
    a = member("1", Identity("mastodon", "cafe_fan@piaille.fr"))
    b = member("2", Identity("x", "@Cafe_Fan"))
    c = member("3", Identity("bluesky", "cafe_fan.bsky.social"))
    found = match(a, b)
    assert found is not None and found.score == 0.75
    assert found.evidence[0].message.params == {
        "handle": "cafe_fan",
        "networks": "mastodon, x",
        "count": 2,
    }
    three = match(member("1", *a.identities, *b.identities), c)
    assert three is not None and three.score == 0.85
    # A short handle is a weak clue: many people are "jo".
    assert (
        match(member("1", Identity("x", "jo")), member("2", Identity("reddit", "jo"))).score == 0.4
    )  # type: ignore[union-attr]


def test_similar_names_and_links() -> None:
    a = member("1", Identity("x", "a1", "Jonathan Smith", links=("https://x.com/a1",)))
    b = member("2", Identity("reddit", "b2", "Jonathon Smith", links=("https://reddit.com/u/b2",)))
    found = match(a, b)
    assert found is not None and [e.message.code for e in found.evidence] == [
        "identity.similar_name"
    ]
    assert 0.2 < found.score < 0.25
    assert found.evidence[0].message.params["similarity"] == pytest.approx(0.97, abs=0.02)
    # The same website in both bios, and one profile linking to the other's.
    c = member("3", Identity("x", "c3", links=("https://x.com/c3", "https://www.anabelle.fr/")))
    d = member(
        "4",
        Identity(
            "mastodon",
            "d4@m.social",
            links=("https://m.social/@d4", "http://anabelle.fr", "https://x.com/c3"),
        ),
    )
    assert codes(c, d) == ["identity.links_to_profile", "identity.same_link"]
    assert match(c, d).score == pytest.approx(1 - 0.1 * 0.2)  # type: ignore[union-attr]
    # A name written as the other's handle.
    e = member("5", Identity("x", "x5", "Léa Dubois"))
    f = member("6", Identity("instagram", "leadubois"))
    assert codes(e, f) == ["identity.handle_is_name"]
    # Found through one's name and the other's handle, though names are not compared alone.
    assert [
        (c.first, c.second)
        for c in suggest_merges([e, f, member("7", Identity("x", "x7", "Léa Dubois"))])
    ] == [("5", "6"), ("6", "7")]


def test_two_accounts_on_one_network_lower_the_score() -> None:
    a = member("1", Identity("x", "anabel", "Ana Belle"), Identity("mastodon", "anabel@m.social"))
    b = member(
        "2", Identity("x", "ana_pro", "Ana Belle"), Identity("bluesky", "anabel.bsky.social")
    )
    found = match(a, b)
    assert found is not None
    assert [e.message.code for e in found.evidence] == [
        "identity.same_handle",
        "identity.same_name",
        "identity.same_network",
    ]
    # "anabel" is on three networks (0.85), the name is the same (0.25), but each has an account
    # of their own on X.
    assert found.score == pytest.approx((1 - 0.15 * 0.75) * 0.5, abs=1e-4)
    assert found.evidence[-1].weight < 0


def test_nothing_in_common_is_no_candidate() -> None:
    assert match(member("1", Identity("x", "ana")), member("2", Identity("x", "bob"))) is None
    assert (
        suggest_merges([member("1", Identity("x", "ana")), member("2", Identity("x", "bob"))]) == []
    )


def test_it_ranks_suggestions_and_drops_the_weak_and_over_common_keys() -> None:
    profiles = [
        member("a", Identity("x", "zoe", verified_emails=("z@z.fr",))),
        member("b", Identity("email", "z@z.fr", verified_emails=("z@z.fr",))),
        member("c", Identity("x", "sam_b", "Sam Bee")),
        member("d", Identity("reddit", "sam_b")),
        member("e", Identity("x", "e1", "Marie Martin")),
        member("f", Identity("reddit", "f1", "Marie Martin")),
        member("g", Identity("x", "jo")),
        member("h", Identity("reddit", "jo")),
    ]
    found = suggest_merges(profiles)
    assert [(c.first, c.second) for c in found] == [("a", "b"), ("c", "d"), ("g", "h")]
    assert [c.confidence for c in found] == ["high", "medium", "low"]
    assert found[0].score >= HIGH_CONFIDENCE
    assert [(c.first, c.second) for c in suggest_merges(profiles, min_score=0.6)] == [
        ("a", "b"),
        ("c", "d"),
    ]
    # A name alone is a weak clue, below the default minimum: many people share one.
    weak = suggest_merges(profiles, min_score=0.2)
    assert [(c.first, c.second, c.score) for c in weak][-1] == ("e", "f", 0.25)
    # A key shared by too many people finds no pair by itself.
    crowd = [member(str(n), Identity(f"net{n}", f"u{n}", "Marie Martin")) for n in range(5)]
    assert suggest_merges(crowd, min_score=0.2, max_block=4) == []
    assert len(suggest_merges(crowd, min_score=0.2, max_block=5)) == 10
    assert suggest_merges(crowd) == []
    with pytest.raises(ValueError, match="twice"):
        suggest_merges([member("a", Identity("x", "a")), member("a", Identity("x", "b"))])


def test_name_similarity() -> None:
    assert name_similarity("Élodie Durand", "durand elodie") == 1.0
    assert name_similarity("", "x") == 0.0
    assert name_similarity("Martha", "Marhta") == pytest.approx(0.961, abs=0.001)


names = st.sampled_from(["Ana Belle", "Anna Bell", "Léa Dubois", "Bob", ""])
handles = st.sampled_from(["ana", "ana_b", "lea", "bob", "zoe@m.social", "a@b.fr"])
networks = st.sampled_from(["x", "mastodon", "bluesky", "email"])
emails = st.lists(st.sampled_from(["a@b.fr", "c@d.fr", "bad"]), max_size=2).map(tuple)
identities = st.builds(Identity, networks, handles, names, st.just(()), emails, emails)
profiles = st.lists(st.lists(identities, min_size=1, max_size=3).map(tuple), max_size=6)


@settings(max_examples=80, deadline=None)
@given(profiles)
def test_scores_are_symmetric_bounded_and_found_by_blocking(
    found: list[tuple[Identity, ...]],
) -> None:
    people = [Profile(str(n), ids) for n, ids in enumerate(found)]
    suggested = {(c.first, c.second): c for c in suggest_merges(people, min_score=0.0)}
    for x in people:
        for y in people:
            if x.key >= y.key:
                continue
            one, other = match(x, y), match(y, x)
            assert (one is None) == (other is None)
            if one is None or other is None:
                continue
            assert one.score == other.score and 0.0 < one.score <= 1.0
            assert (one.first, one.second) == (x.key, y.key)
            # Blocking misses no pair that has evidence.
            assert (x.key, y.key) in suggested
            # The blocking keys a caller reads (the member page finds neighbours by them): two
            # members are a suggestion of the default threshold when their keys meet and the
            # score is high enough.
            kept = {(c.first, c.second) for c in suggest_merges([x, y])}
            assert ((x.key, y.key) in kept) == (blocking(x).meets(blocking(y)) and one.score >= 0.3)
