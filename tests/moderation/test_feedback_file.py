"""The feedback file of a workspace (moderation/feedback.py): the queue's decisions that say a
score was wrong or right, the listening corrections, and uncorrected messages as anchors; for
owners and managers only, and read back by ``train-text --feedback``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from ambassade.engine.text._adapt import read_feedback
from ambassade.listening.feedback import author_key
from ambassade.moderation import services
from ambassade.moderation.feedback import feedback_lines
from ambassade.moderation.models import Review
from tests.listening.conftest import item
from tests.moderation.conftest import make_rule


def test_the_feedback_file_holds_decisions_and_anchors_and_train_text_reads_it(
    personas: Any,
    reddit_source: Any,
    reddit_account: Any,
    ingest: Any,
    no_enqueue: Any,
    tmp_path: Path,
) -> None:
    make_rule(personas.workspace_a, score="spam", threshold=0.5, actions=["hide"])
    ingest(
        reddit_source,
        [
            item("t1_1", "free refills on Sunday", source="reddit", handle="Barista"),
            item("t1_2", "lovely latte this morning", source="reddit", handle="fan"),
        ],
    )
    review = Review.objects.get(mention__external_id="t1_1")
    services.decide(review, "not_spam", personas.alice)
    lines = [json.loads(line) for line in feedback_lines(personas.workspace_a)]
    assert [(row["label"], row["text"]) for row in lines] == [
        ("ham", "free refills on Sunday"),
        ("unreviewed", "lovely latte this morning"),
    ]
    assert lines[0]["group"] == author_key(personas.workspace_a.id, "reddit", "barista")
    assert all("Barista" not in json.dumps(row) and row["group"] != "fan" for row in lines)
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(feedback_lines(personas.workspace_a)), encoding="utf-8")
    read = read_feedback(path)
    assert [(e.task, e.target) for e in read] == [("spam", 0), ("", -1)]
    assert list(feedback_lines(personas.workspace_a, unreviewed=0)) == [
        json.dumps(lines[0], ensure_ascii=False) + "\n"
    ]


def test_only_owners_and_managers_download_it(personas: Any) -> None:
    url = reverse("moderation:feedback", args=[personas.workspace_a.slug])
    client = Client()
    client.force_login(personas.alice)  # owner of workspace A
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert "attachment" in response["Content-Disposition"]
    log = client.get(reverse("moderation:log", args=[personas.workspace_a.slug]))
    assert url in log.content.decode()
    outsider = Client()
    outsider.force_login(personas.bob)
    assert outsider.get(url).status_code in (403, 404)


def test_not_offensive_on_a_message_flagged_as_hateful_contradicts_both_scores(
    personas: Any, reddit_source: Any, ingest: Any, no_enqueue: Any
) -> None:
    from ambassade.listening.models import Feedback, Mention
    from ambassade.workspaces.messages import coded

    ingest(reddit_source, [item("t1_9", "they should all go home", source="reddit", handle="z")])
    mention = Mention.objects.get(external_id="t1_9")
    why = coded("moderation.why_score", score=coded("moderation.score_hateful"), threshold=0.7)
    review = Review.objects.create(
        workspace=personas.workspace_a,
        mention=mention,
        rule_name="Hate",
        explanation={"reasons": [why.to_json()]},
        text=mention.text,
    )
    services.decide(review, "not_offensive", personas.alice)
    labels = sorted((f.kind, f.value) for f in Feedback.objects.filter(mention=mention))
    assert labels == [("hateful", "not_hateful"), ("offensive", "not_offensive")]
    exported = [json.loads(line)["label"] for line in feedback_lines(personas.workspace_a, 0)]
    assert sorted(exported) == ["not_hateful", "not_offensive"]
