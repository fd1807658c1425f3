"""Properties over generated text: counting never crashes, thread parts are valid and give the text
back, UTM tagging is idempotent, facets point at their entity."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ambassade.engine.publishing import (
    TWITTER_V3,
    EntityKind,
    Network,
    ThreadSplitError,
    Utm,
    add_utm,
    bluesky_facets,
    escape_little_text,
    extract_entities,
    measure,
    split_thread,
    unescape_little_text,
    validate,
)
from ambassade.engine.publishing._counting import segments
from ambassade.engine.publishing._rules import Counting, rules_for

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any code point, lone surrogates included: text pasted from elsewhere carries everything.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=400)

WORDS = st.sampled_from(
    [
        "Bonjour",
        "été",
        "cafe\u0301",
        "naïve",
        "日本語のテキスト",
        "👨\u200d👩\u200d👧\u200d👦",
        "🇫🇷",
        "👍🏽",
        "1\ufe0f\u20e3",
        "https://ambassade.fr/produits/eco?ref=x",
        "https://fr.wikipedia.org/wiki/Lyon_(ville)",
        "www.ambassade.fr",
        "@alice",
        "@alice@mastodon.social",
        "@bob.bsky.social",
        "#rentrée",
        "(entre parenthèses)",
        "fin.",
        "vraiment ?",
        "—",
        "anticonstitutionnellement",
        "x" * 90,
    ]
)
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  "])
POSTS = st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=150).map(
    lambda pairs: "".join(word + separator for word, separator in pairs)
)
THREAD_NETWORKS = st.sampled_from([Network.X, Network.BLUESKY, Network.MASTODON, Network.THREADS])


@FAST
@given(ANY_TEXT, st.sampled_from(list(Network)))
def test_counting_and_validation_never_crash(text: str, network: Network) -> None:
    measured = measure(network, text)
    assert measured.length >= 0
    assert measured.fits == (measured.overflow_start is None)
    for problem in validate(network, text):
        if problem.span is not None:
            assert 0 <= problem.span[0] <= problem.span[1] <= len(text)
        assert problem.message()
    for entity in extract_entities(text, network):
        assert text[entity.start : entity.end] == entity.text


@FAST
@given(st.one_of(ANY_TEXT, POSTS), st.sampled_from(list(Network)))
def test_the_fast_count_agrees_with_the_segments(text: str, network: Network) -> None:
    rules = rules_for(network)
    cut = segments(text, rules)
    assert "".join(text[segment.start : segment.end] for segment in cut) == text
    scale = TWITTER_V3.scale if rules.counting is Counting.X_WEIGHTED else 1
    measured = measure(network, text)
    assert measured.length == -(-sum(segment.cost for segment in cut) // scale)
    assert measured.byte_length == sum(segment.size for segment in cut)


@FAST
@given(st.one_of(ANY_TEXT, POSTS))
def test_facets_point_at_their_entity(text: str) -> None:
    encoded = text.encode("utf-8", "surrogatepass")
    for facet in bluesky_facets(text):
        written = encoded[facet.byte_start : facet.byte_end].decode("utf-8", "surrogatepass")
        if facet.kind is EntityKind.URL:
            assert facet.value in (written, "https://" + written)
        elif facet.kind is EntityKind.MENTION:
            assert written == "@" + facet.value
        else:
            assert written in ("#" + facet.value, "＃" + facet.value)


@FAST
@given(POSTS, THREAD_NETWORKS, st.booleans())
def test_thread_parts_are_valid_and_give_the_text_back(
    text: str, network: Network, numbering: bool
) -> None:
    try:
        parts = split_thread(network, text, numbering=numbering)
    except ThreadSplitError:  # pragma: no cover - the generated words are all shorter than a part
        assume(False)
        return
    assert all(part.strip() for part in parts)
    for part in parts:
        assert measure(network, part).fits, part
    if numbering and len(parts) > 1:
        suffixes = [f" {n}/{len(parts)}" for n in range(1, len(parts) + 1)]
        assert all(part.endswith(suffix) for part, suffix in zip(parts, suffixes, strict=True))
        parts = [part[: -len(suffix)] for part, suffix in zip(parts, suffixes, strict=True)]
    assert "".join("".join(part.split()) for part in parts) == "".join(text.split())


LINK_TEXT = st.lists(
    st.sampled_from(
        [
            "https://ambassade.fr/a",
            "https://ambassade.fr/a?x=1&y=",
            "http://shop.ambassade.fr/b#frag",
            "https://autre.fr/c?utm_source=deja",
            "https://fr.wikipedia.org/wiki/Lyon_(ville)",
            "(https://ambassade.fr/d).",
            "www.ambassade.fr",
            "texte",
            "été",
            "!",
        ]
    ),
    max_size=12,
).map(" ".join)


@FAST
@given(
    st.one_of(LINK_TEXT, ANY_TEXT),
    st.text(min_size=1, max_size=12),
    st.one_of(st.none(), st.text(max_size=12)),
    st.one_of(st.none(), st.just(["ambassade.fr"])),
)
def test_utm_tagging_is_idempotent(
    text: str, source: str, campaign: str | None, domains: list[str] | None
) -> None:
    utm = Utm(source, campaign=campaign)
    once = add_utm(text, utm, domains)
    assert add_utm(once, utm, domains) == once


@FAST
@given(ANY_TEXT)
def test_little_text_escaping_round_trips(text: str) -> None:
    assert unescape_little_text(escape_little_text(text, keep_urls=False)) == text
