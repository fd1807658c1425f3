"""The score explanations on a member's page agree with their numbers in English and French: one
activity is singular, several are plural (community/messages.py, worded with ``ngettext``)."""

from __future__ import annotations

import pytest
from django.utils import translation

from ambassade.workspaces.messages import coded, words


def _influence(relevant: int, count: int) -> str:
    return words(
        coded(
            "score.influence",
            influence="4.2",
            reach="6.0",
            relevance="0.7",
            relevant=relevant,
            count=count,
        )
    )


def _detractor(negative: int, count: int) -> str:
    return words(coded("score.detractor", sentiment="-0.8", negative=negative, count=count))


def _love(count: int) -> str:
    return words(coded("score.love", love="3.0", count=count, recent="1.0", days=30))


def _sentiment(count: int) -> str:
    return words(coded("score.sentiment", sentiment="0.5", count=count, positive=count, negative=0))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "1 activity of 1 matches the workspace’s queries",
                "3 activities of 5 match the workspace’s queries",
                "1 negative activity of 4",
                "2 negative activities of 4",
                "1 activity in the past year",
                "6 activities in the past year",
                "over 1 activity (",
                "over 6 activities (",
            ],
        ),
        (
            "fr",
            [
                "1 activité sur 1 correspond aux requêtes de l’espace",
                "3 activités sur 5 correspondent aux requêtes de l’espace",
                "1 activité négative sur 4",
                "2 activités négatives sur 4",
                "1 activité sur l’année écoulée",
                "6 activités sur l’année écoulée",
                "sur 1 activité (",
                "sur 6 activités (",
            ],
        ),
    ],
)
def test_it_words_one_activity_in_the_singular(language: str, expected: list[str]) -> None:
    with translation.override(language):
        said = [
            _influence(1, 1),
            _influence(3, 5),
            _detractor(1, 4),
            _detractor(2, 4),
            _love(1),
            _love(6),
            _sentiment(1),
            _sentiment(6),
        ]
    for sentence, wanted in zip(said, expected, strict=True):
        assert wanted in sentence


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "1 follower, reposts by others: 1",
                "2 followers, reposts by others: 0",
                "1 follower",
                "5 followers",
                "Reposted 1 time by others",
                "Reposted 3 times by others",
            ],
        ),
        (
            "fr",
            [
                "1 abonné, repartages par d’autres : 1",
                "2 abonnés, repartages par d’autres : 0",
                "1 abonné",
                "5 abonnés",
                "Repartagé 1 fois par d’autres",
                "Repartagé 3 fois par d’autres",
            ],
        ),
    ],
)
def test_it_words_one_follower_in_the_singular(language: str, expected: list[str]) -> None:
    with translation.override(language):
        said = [
            words(coded("score.reach", reach="2.0", followers=1, amplified=1)),
            words(coded("score.reach", reach="2.0", followers=2, amplified=0)),
            words(coded("score.discover.followers", followers=1)),
            words(coded("score.discover.followers", followers=5)),
            words(coded("score.discover.amplified", amplified=1)),
            words(coded("score.discover.amplified", amplified=3)),
        ]
    for wanted, sentence in zip(expected, said, strict=True):
        assert wanted in sentence, sentence
