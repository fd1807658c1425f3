"""Thread splitting at sentence and word boundaries, never inside an entity or a grapheme."""

from __future__ import annotations

import re

import pytest

from ambassade.engine.publishing import Limits, Network, ThreadSplitError, measure, split_thread

PARAGRAPH = (
    "Bonjour à toutes et à tous ! Nous lançons aujourd'hui notre nouvelle gamme éco-conçue. "
    "Elle a été pensée avec vous, pendant deux ans, dans nos ateliers de Lyon et de Lille."
)
LONG = (
    " ".join([PARAGRAPH] * 4) + " Plus d'infos : https://ambassade.fr/eco?ref=lancement #écologie"
)
NUMBER = re.compile(r" \d+/\d+$")


def words(parts: list[str]) -> list[str]:
    return " ".join(NUMBER.sub("", part) for part in parts).split()


@pytest.mark.parametrize("network", [Network.X, Network.BLUESKY, Network.MASTODON, Network.THREADS])
def test_every_part_fits_and_the_words_come_back(network: Network) -> None:
    parts = split_thread(network, LONG)
    assert len(parts) > 1
    assert all(measure(network, part).fits for part in parts)
    assert words(parts) == LONG.split()
    assert [NUMBER.search(part).group() for part in parts] == [  # type: ignore[union-attr]
        f" {n}/{len(parts)}" for n in range(1, len(parts) + 1)
    ]


def test_it_cuts_at_sentence_ends() -> None:
    parts = split_thread(Network.X, LONG, numbering=False)
    assert all(part.endswith((".", "!", "#écologie")) for part in parts)


def test_it_prefers_paragraphs() -> None:
    first = "Premier paragraphe. " + "Un peu plus long. " * 9
    text = first + "\n\n" + "mot " * 60 + "fin."
    parts = split_thread(Network.X, text, numbering=False)
    assert parts[0] == first.strip()


def test_a_text_that_fits_is_one_part_without_number() -> None:
    assert split_thread(Network.X, "  Bonjour !  ") == ["Bonjour !"]
    assert split_thread(Network.X, "") == []


def test_it_never_cuts_a_url_mention_or_hashtag() -> None:
    url = "https://ambassade.fr/" + "a" * 40
    text = " ".join(["mot"] * 30 + [url, "@alice.bsky.social", "#" + "b" * 30] * 4)
    for network in (Network.X, Network.BLUESKY):
        parts = split_thread(network, text, numbering=False)
        assert all(
            part.split()[0] in {"mot", url, "@alice.bsky.social", "#" + "b" * 30} for part in parts
        )
        assert words(parts) == text.split()


def test_it_never_cuts_an_emoji() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    parts = split_thread(Network.BLUESKY, family * 400, numbering=False)
    assert "".join(parts) == family * 400
    assert [measure(Network.BLUESKY, part).byte_length for part in parts] == [
        3000,
        3000,
        3000,
        1000,
    ]


def test_it_cuts_a_word_longer_than_a_part_between_graphemes() -> None:
    word = "é" * 700
    parts = split_thread(Network.MASTODON, word)
    assert "".join(NUMBER.sub("", part) for part in parts) == word
    assert all(measure(Network.MASTODON, part).fits for part in parts)


def test_it_cuts_a_link_only_when_it_is_longer_than_a_part() -> None:
    url = "https://ambassade.fr/" + "a" * 400
    parts = split_thread(Network.BLUESKY, "Voir " + url, numbering=False)
    assert parts[0] == "Voir"
    assert "".join(parts[1:]) == url
    assert all(measure(Network.BLUESKY, part).fits for part in parts)


def test_it_uses_the_server_limit() -> None:
    assert len(split_thread(Network.MASTODON, LONG, Limits(max_length=5000))) == 1


def test_numbering_counts_within_the_limit() -> None:
    text = "x " * 280
    for part in split_thread(Network.X, text):
        assert measure(Network.X, part).length <= 280


def test_it_refuses_networks_without_threads() -> None:
    with pytest.raises(ValueError, match="no threads"):
        split_thread(Network.LINKEDIN, LONG)


def test_it_refuses_a_character_longer_than_a_part() -> None:
    with pytest.raises(ThreadSplitError):
        split_thread(Network.THREADS, "a" + "\u0301" * 600)


# --- issue #10, item 19: sentence and clause boundaries first, no part of hashtags alone ----------


def test_it_cuts_after_a_sentence_rather_than_inside_the_next_one() -> None:
    first = "Nous ouvrons un nouveau café à Lyon, rue de la République, dès lundi matin."
    second = (
        "Venez goûter la carte d'automne avec ses pâtisseries maison, ses boissons chaudes "
        "épicées et ses jus pressés du jour, préparés devant vous par toute l'équipe du matin "
        "au soir, et profitez de la terrasse chauffée pour travailler ou retrouver vos amis."
    )
    parts = split_thread(Network.BLUESKY, f"{first} {second}", numbering=False)
    assert parts == [first, second]


def test_it_cuts_a_long_sentence_at_a_clause_before_a_word() -> None:
    clauses = [
        "Cette semaine au Café Lumière nous fêtons les dix ans de la maison avec vous",
        "avec un concert acoustique jeudi soir dans la grande salle du premier étage",
        "une dégustation de cafés d'Éthiopie et du Guatemala vendredi après-midi",
        "et samedi un atelier latte art ouvert à tous les curieux de huit à quatre-vingts ans",
    ]
    text = ", ".join(clauses) + "."
    parts = split_thread(Network.BLUESKY, text, numbering=False)
    assert len(parts) == 2
    assert parts[0].endswith(",")
    assert words(parts) == text.split()


def test_it_never_leaves_the_hashtags_alone_in_the_last_part() -> None:
    body = (
        "La rentrée au Café Lumière, c'est une nouvelle carte, des horaires élargis et une "
        "terrasse chauffée pour profiter des derniers beaux jours. On vous attend dès lundi, "
        "dans nos trois adresses de Lyon, avec un café offert pour tout gâteau acheté avant dix "
        "heures le matin. Tous les jours de la semaine."
    )
    text = body + " #café #lyon #rentrée"
    assert measure(Network.BLUESKY, body).fits and not measure(Network.BLUESKY, text).fits
    parts = split_thread(Network.BLUESKY, text, numbering=False)
    assert len(parts) == 2
    assert not all(token.startswith("#") for token in parts[-1].split())
    assert parts[-1].endswith("#café #lyon #rentrée")
    assert words(parts) == text.split()
