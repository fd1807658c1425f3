"""Listening fixtures: a deterministic stand-in for the text engine, a source of workspace A, items."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ambassade.connectors.base import Author, RawItem
from ambassade.engine.text import Analysis, fingerprint

POSITIVE = {"love", "great", "merci", "parfait", "top", "excellent", "bravo"}
NEGATIVE = {"terrible", "nul", "twice", "hate", "broken", "lent", "slow", "déçu"}
FRENCH = {"le", "la", "les", "est", "merci", "très", "pour", "une", "et", "je", "chez"}


def fake_analyse(texts: Sequence[str]) -> list[Analysis]:
    """Keyword rules: predictable in tests, whatever the state of the trained models."""
    results = []
    for text in texts:
        words = re.findall(r"[^\W_]+", text.lower())
        positive = sum(word in POSITIVE for word in words)
        negative = sum(word in NEGATIVE for word in words)
        sentiment = "positive" if positive > negative else "negative" if negative else "neutral"
        results.append(
            Analysis(
                lang="fr" if sum(word in FRENCH for word in words) >= 1 else "en",
                lang_confidence=0.9,
                sentiment=sentiment,
                sentiment_score=0.8 if sentiment == "positive" else -0.8 if negative else 0.0,
                offensive=0.9 if "idiot" in words else 0.02,
                hateful=0.01,
                spam=0.95 if "free" in words or "gratuit" in words else 0.03,
                fingerprint=fingerprint(text),
                keywords=tuple(word for word in words if len(word) >= 6)[:5],
            )
        )
    return results


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    # Assertions read English text; tests/workspaces/test_i18n checks the French catalogue.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from ambassade.listening import analysis, pipeline

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    pipeline.forget_caches()


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def item(
    external_id: str,
    text: str,
    *,
    at: datetime | None = None,
    source: str = "mastodon",
    handle: str = "someone",
    followers: int | None = 100,
    **extra: Any,
) -> RawItem:
    return RawItem(
        source=source,
        external_id=external_id,
        text=text,
        created_at=at or NOW,
        url=extra.pop("url", f"https://social.example/@{handle}/{external_id}"),
        author=Author(handle=handle, name=handle.title(), followers=followers),
        **extra,
    )


@pytest.fixture
def source(personas: Any) -> Any:
    from ambassade.listening.models import Source

    return Source.objects.create(
        workspace=personas.workspace_a, name="Mastodon search", kind="mastodon", interval=300
    )


@pytest.fixture
def brand_query(personas: Any) -> Any:
    from ambassade.listening.models import ListeningQuery

    return ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Brand", text="lumiere OR #lumiere", kind="brand"
    )


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def clock_at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django's clock (``timezone.now``) set to NOW and moving on from there, for code that counts
    "the last 30 days" from the clock while the sample mentions are dated from NOW, a fixed day:
    without it, such a test fails once the real date is a month past NOW."""
    from django.utils import timezone

    started = time.monotonic()
    monkeypatch.setattr(
        timezone, "now", lambda: NOW + timedelta(seconds=time.monotonic() - started)
    )
