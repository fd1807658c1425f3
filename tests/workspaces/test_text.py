"""Titles in lists and the audit log are shortened at a word, with an ellipsis (issue #10, item 23:
they were cut mid-word without one)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ambassade.workspaces.text import shorten

POST = "Vous êtes plusieurs à avoir été débités deux fois via l'appli fidélité : on vous explique"


def test_it_cuts_after_a_whole_word_with_an_ellipsis() -> None:
    assert shorten(POST, 60) == "Vous êtes plusieurs à avoir été débités deux fois via…"
    assert shorten("Offre flash : 2 cafés achetés avec l'appli fidélité Café Lumière", 60) == (
        "Offre flash : 2 cafés achetés avec l'appli fidélité Café…"
    )
    assert shorten("short  title\n", 60) == "short title"
    assert shorten("x" * 80, 10) == "x" * 9 + "…"


@given(st.text(), st.integers(min_value=2, max_value=120))
def test_it_fits_and_keeps_whole_words(text: str, width: int) -> None:
    short = shorten(text, width)
    assert len(short) <= width
    if short.endswith("…") and " " in short:
        kept = short[:-1].split()
        assert kept == " ".join(text.split()).split()[: len(kept)]


@pytest.mark.django_db
def test_posts_and_mentions_read_shortened(personas: object) -> None:
    from ambassade.listening.models import Mention
    from ambassade.publishing.models import Post

    assert str(Post(text=POST + "\nsecond line")) == (
        "Vous êtes plusieurs à avoir été débités deux fois via…"
    )
    assert str(Mention(author_handle="lea", text=POST)) == (
        "lea: Vous êtes plusieurs à avoir été débités deux fois via…"
    )
