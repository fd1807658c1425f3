"""A rule's dry run shows what it would have done to the last 30 days' messages, and does nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from ambassade.moderation.models import Decision, NetworkAction, Review
from tests.listening.conftest import item
from tests.moderation.conftest import make_rule


def test_a_dry_run_counts_and_shows_samples_without_acting(
    personas: Any, client: Any, reddit_source: Any, reddit_account: Any, no_enqueue: Any
) -> None:
    from ambassade.listening import services

    now = timezone.now()
    services.ingest(
        reddit_source,
        [
            item(
                "t1_1",
                "Quel idiot <i>!</i>",
                source="reddit",
                handle="a",
                at=now - timedelta(days=2),
            ),
            item(
                "t1_2", "idiote réponse", source="reddit", handle="b", at=now - timedelta(days=10)
            ),
            item("t1_3", "merci", source="reddit", handle="c", at=now - timedelta(days=3)),
            item(
                "t1_4",
                "idiot, il y a longtemps",
                source="reddit",
                handle="d",
                at=now - timedelta(days=45),
            ),
        ],
    )
    rule = make_rule(
        personas.workspace_a, name="Insults", words="idiot*", actions=["hide", "flag"], mode="log"
    )
    client.force_login(personas.alice)
    page = client.get(reverse("moderation:rule_dry_run", args=[personas.workspace_a.slug, rule.id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "It would have matched 2 messages" in body
    assert "on the 3 messages of the last 30 days" in body
    assert "Hide on the network: 2" in body and "Flag for review: 2" in body
    assert "Quel <mark>idiot</mark> &lt;i&gt;!&lt;/i&gt;" in body
    assert "il y a longtemps" not in body
    assert not Decision.objects.exists() and not Review.objects.exists()
    assert not NetworkAction.objects.exists()
