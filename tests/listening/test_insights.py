"""The insights page's reads: most active authors named with their own network, trending terms shown
in the spelling people write them (accents kept) though counted accent-free."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest

from ambassade.engine.text import Analysis, fingerprint
from ambassade.engine.text._normalize import normalize
from ambassade.listening import insights, services
from tests.listening.conftest import days_ago, item

pytestmark = pytest.mark.django_db


def engine_like(texts: Sequence[str]) -> list[Analysis]:
    """Keywords as the text engine gives them: normalised (lower-case, accents removed)."""
    return [
        Analysis(
            lang="fr",
            lang_confidence=0.9,
            sentiment="neutral",
            sentiment_score=0.0,
            offensive=0.0,
            hateful=0.0,
            spam=0.0,
            fingerprint=fingerprint(text + str(i)),
            keywords=tuple(w for w in re.findall(r"[^\W\d_]+", normalize(text)) if len(w) >= 6),
        )
        for i, text in enumerate(texts)
    ]


def test_most_active_authors_are_named_with_their_own_network(
    personas: Any, source: Any, clock_at_now: None
) -> None:
    services.ingest(
        source,
        [
            item("1", "un", handle="lea", source="mastodon", at=days_ago(1)),
            item("2", "deux", handle="lea", source="mastodon", at=days_ago(1)),
            item("3", "trois", handle="lea", source="mastodon", at=days_ago(1)),
            item("4", "quatre", handle="lea", source="youtube", at=days_ago(1)),
            item("5", "cinq", handle="tom", source="x", at=days_ago(1)),
            item("6", "six", handle="tom", source="x", at=days_ago(1)),
        ],
    )
    volume = insights.top_authors(personas.workspace_a)["volume"]
    assert [(a.handle, a.network, a.mentions) for a in volume] == [
        ("lea", "mastodon", 3),
        ("tom", "x", 2),
        ("lea", "youtube", 1),
    ]
    assert [a.network_label for a in volume] == ["Mastodon", "X", "YouTube"]


def test_trending_terms_keep_the_spelling_people_use(
    personas: Any, source: Any, clock_at_now: None
) -> None:
    texts = [
        "Débité deux fois pour un café",
        "On m'a débité deux fois, aucune réponse",
        "débité encore, toujours aucune réponse",
        "Pareil, debite deux fois",  # typed without accents: a minority
        "Réponse du service client attendue",
    ]
    services.ingest(
        source,
        [item(str(i), text, at=days_ago(0.1)) for i, text in enumerate(texts)],
        analyser=engine_like,
    )
    trends = {t.term: t for t in insights.trending_terms(personas.workspace_a)}
    assert trends["debite"].surface == "débité"
    assert trends["debite"].current == 4
    assert trends["reponse"].surface == "réponse"


def test_the_page_shows_the_spelling_and_the_network(
    personas: Any, source: Any, client: Any, clock_at_now: None
) -> None:
    services.ingest(
        source,
        [
            item(str(i), f"Débité deux fois {i}", handle="lea", source="youtube", at=days_ago(0.1))
            for i in range(3)
        ],
        analyser=engine_like,
    )
    client.force_login(personas.alice)
    page = client.get(f"/w/{personas.workspace_a.slug}/listening/insights/").content.decode()
    assert ">débité</a>" in page and ">debite</a>" not in page
    assert "?q=d%C3%A9bit%C3%A9" in page
    assert "@lea · YouTube" in page
