"""Properties of thread splitting (hypothesis): every part fits, the text comes back whole, no part
is made of hashtags alone, and parts end at sentence ends when sentences are short enough."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.publishing import Network, measure, split_thread

NETWORKS = [Network.X, Network.BLUESKY, Network.MASTODON, Network.THREADS]
NUMBER = re.compile(r" \d+/\d+$")
WORDS = [
    "café",
    "Lumière",
    "l'équipe",
    "rentrée",
    "nous",
    "vous",
    "attendons",
    "terrasse",
    "chauffée",
    "gâteau",
    "dégustation",
    "Lyon",
    "ouverture",
    "matin",
    "soir",
    "avec",
    "et",
    "à",
    "pour",
    "une",
    "nouvelle",
    "carte",
    "d'automne",
    "🎉",
    "☕",
    "https://cafe.example/carte",
    "@lumiere",
]
TAGS = ["#café", "#lyon", "#rentrée", "#automne", "#brunch"]

word = st.sampled_from(WORDS)
clause = st.lists(word, min_size=1, max_size=8).map(" ".join)
sentence = st.builds(
    lambda clauses, end: ", ".join(clauses) + end,
    st.lists(clause, min_size=1, max_size=3),
    st.sampled_from([".", "!", "?", "…"]),
)
tags = st.lists(st.sampled_from(TAGS), min_size=0, max_size=3).map(" ".join)
paragraph = st.builds(
    lambda sentences, closing: " ".join(sentences) + (" " + closing if closing else ""),
    st.lists(sentence, min_size=1, max_size=6),
    tags,
)
text = st.lists(paragraph, min_size=1, max_size=4).map("\n\n".join)


def _plain(parts: list[str]) -> list[str]:
    return [NUMBER.sub("", part) for part in parts]


def _only_tags(part: str) -> bool:
    return all(token.startswith("#") for token in part.split())


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(NETWORKS), text, st.booleans())
def test_every_part_fits_and_the_text_comes_back(
    network: Network, body: str, numbering: bool
) -> None:
    parts = split_thread(network, body, numbering=numbering)
    assert all(measure(network, part).fits for part in parts)
    assert " ".join(_plain(parts)).split() == body.split()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(NETWORKS), text)
def test_no_part_is_made_of_hashtags_alone(network: Network, body: str) -> None:
    parts = split_thread(network, body, numbering=False)
    assert not any(_only_tags(part) for part in parts), parts


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(NETWORKS), st.lists(sentence, min_size=2, max_size=30), tags)
def test_parts_end_at_sentence_ends_when_sentences_are_short(
    network: Network, sentences: list[str], closing: str
) -> None:
    limit = measure(network, "").limit
    longest = max(measure(network, f"{one} {closing}").length for one in sentences)
    body = " ".join(sentences) + (" " + closing if closing else "")
    parts = split_thread(network, body, numbering=False)
    if longest * 3 > limit:
        return  # a sentence that long may need a cut inside it
    for part in parts[:-1]:
        last = [token for token in part.split() if not token.startswith("#")][-1]
        assert last.endswith((".", "!", "?", "…")), part
