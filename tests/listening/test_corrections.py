"""The correction panel for offensive, hateful and spam labels, and the corrections exported as the
JSONL that `ambassade train-text --extra` reads (page download and command)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from ambassade.engine.text.training import load_file
from ambassade.engine.text.training._train import BINARY_LABELS, SENTIMENT_LABELS
from ambassade.listening import services
from ambassade.listening.feedback import training_examples
from ambassade.listening.models import Feedback, Mention
from tests.listening.conftest import item


@pytest.fixture
def mentions(personas: Any, source: Any, brand_query: Any) -> dict[str, Mention]:
    services.ingest(
        source,
        [
            item("ok", "Le bagel de chez Lumière ce matin, un petit bonheur ☕"),
            item("rude", "Lumière, bande d'incapables, des clowns"),
            item("promo", "GAGNEZ 1000€ PAR JOUR avec Lumière, cliquez ici"),
        ],
    )
    Mention.objects.update(lang="fr")  # the tests' stand-in analyser knows few French words
    return {m.external_id: m for m in Mention.objects.all()}


def url(name: str, personas: Any, *args: Any) -> str:
    return reverse(f"listening:{name}", args=[personas.workspace_a.slug, *args])


def post(client: Any, personas: Any, mention: Mention, **data: str) -> Any:
    return client.post(url("mention_feedback", personas, mention.pk), data)


def test_a_person_corrects_offensive_and_hateful(
    personas: Any, client: Any, mentions: dict[str, Mention]
) -> None:
    rude, ok = mentions["rude"], mentions["ok"]
    Mention.objects.filter(pk=rude.pk).update(offensive=0.2, hateful=0.1)
    Mention.objects.filter(pk=ok.pk).update(offensive=0.8)
    client.force_login(personas.bob)  # an editor
    assert post(client, personas, rude, action="label", value="offensive").status_code == 302
    post(client, personas, ok, action="label", value="not_offensive")
    post(client, personas, rude, action="label", value="not_hateful")  # already says so: no row
    rude.refresh_from_db()
    ok.refresh_from_db()
    assert (rude.offensive, rude.hateful, ok.offensive) == (1.0, 0.1, 0.0)
    assert rude.flagged and not ok.flagged
    rows = sorted(Feedback.objects.values_list("kind", "previous", "value", "author__email"))
    assert rows == [
        ("offensive", "not_offensive", "offensive", "bob@example.com"),
        ("offensive", "offensive", "not_offensive", "bob@example.com"),
    ]
    page = client.get(url("mention", personas, rude.pk)).content.decode()
    assert 'name="value" value="offensive" class="button button-small is-current"' in page
    assert 'value="not_hateful" class="button button-small is-current"' in page


def test_an_unknown_label_is_refused_with_a_message(
    personas: Any, client: Any, mentions: dict[str, Mention]
) -> None:
    client.force_login(personas.bob)
    response = post(client, personas, mentions["ok"], action="label", value="sarcastic")
    assert response.status_code == 302
    assert not Feedback.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Unknown label." in page


def test_not_spam_clears_the_engine_verdict(
    personas: Any, client: Any, mentions: dict[str, Mention]
) -> None:
    promo = mentions["promo"]
    Mention.objects.filter(pk=promo.pk).update(spam=0.9)
    client.force_login(personas.bob)
    post(client, personas, promo, action="not_spam")
    promo.refresh_from_db()
    assert not promo.looks_spam and promo.spam == 0.0
    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.previous, feedback.value) == ("not_spam", "True", "False")


def test_the_panel_is_worded_in_french_and_english(
    personas: Any, client: Any, mentions: dict[str, Mention]
) -> None:
    client.force_login(personas.alice)
    mention = mentions["rude"]
    post(client, personas, mention, action="label", value="hateful")
    for language, words in {
        "en": ["Is it offensive", "Not hateful", "not hateful → hateful", "Download corrections"],
        "fr": [
            "Est-ce injurieux",
            "Pas haineux",
            "non haineux → haineux",
            "Télécharger les corrections",
        ],
    }.items():
        with translation.override(language):
            mention_page = client.get(
                url("mention", personas, mention.pk), HTTP_ACCEPT_LANGUAGE=language
            ).content.decode()
            stream_page = client.get(
                url("stream", personas), HTTP_ACCEPT_LANGUAGE=language
            ).content.decode()
        for word in words[:3]:
            assert word in mention_page, (language, word)
        assert words[3] in stream_page, language


def test_the_corrections_download_as_train_text_extra_lines(
    personas: Any, client: Any, mentions: dict[str, Mention], tmp_path: Path
) -> None:
    ok, rude, promo = mentions["ok"], mentions["rude"], mentions["promo"]
    alice = personas.alice
    services.correct_sentiment(ok, alice, "negative")
    services.correct_sentiment(ok, alice, "positive")  # the latest correction wins
    services.correct_label(rude, alice, "offensive", True)
    services.correct_label(rude, alice, "hateful", False)
    Mention.objects.filter(pk=rude.pk).update(hateful=0.7)
    rude.refresh_from_db()
    services.correct_label(rude, alice, "hateful", False)
    services.mark_spam(promo, alice, True)
    services.mark_irrelevant(promo, alice, True)  # teaches no text model
    client.force_login(alice)
    response = client.get(url("feedback_export", personas))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    path = tmp_path / "mine.jsonl"
    path.write_text(body, encoding="utf-8")
    examples = load_file(path)  # what `ambassade train-text --extra` reads
    labels = {(e.text[:12], e.label, e.lang) for e in examples}
    assert labels == {
        ("Le bagel de ", "positive", "fr"),
        ("Lumière, ban", "offensive", "fr"),
        ("Lumière, ban", "not_hateful", "fr"),
        ("GAGNEZ 1000€", "spam", "fr"),
    }
    known = set(SENTIMENT_LABELS) | set(BINARY_LABELS)
    assert all(e.label in known for e in examples)


def test_the_download_is_for_owners_and_managers_only(
    personas: Any, client: Any, mentions: dict[str, Mention]
) -> None:
    from ambassade.workspaces.models import Membership

    client.force_login(personas.bob)  # an editor
    assert client.get(url("feedback_export", personas)).status_code == 403
    assert "Download corrections" not in client.get(url("stream", personas)).content.decode()
    Membership.objects.filter(pk=personas.bob_membership.pk).update(role="manager")
    assert client.get(url("feedback_export", personas)).status_code == 200
    client.force_login(personas.charlie)  # owner of another workspace
    assert client.get(url("feedback_export", personas)).status_code == 404


def test_only_the_workspace_s_own_corrections_are_exported(
    personas: Any, mentions: dict[str, Mention]
) -> None:
    from ambassade.workspaces.models import Workspace

    services.correct_label(mentions["rude"], personas.alice, "offensive", True)
    other = Workspace.objects.exclude(pk=personas.workspace_a.pk).get()
    assert training_examples(other) == []
    assert len(training_examples(personas.workspace_a)) == 1


def test_the_command_writes_the_same_lines(
    personas: Any, mentions: dict[str, Mention], tmp_path: Path
) -> None:
    services.correct_label(mentions["rude"], personas.alice, "offensive", True)
    services.correct_sentiment(mentions["ok"], personas.alice, "negative")
    out = io.StringIO()
    call_command(
        "export_feedback", workspace=personas.workspace_a.slug, stdout=out, stderr=io.StringIO()
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["label"], line["task"]) for line in lines] == [
        ("offensive", "offensive"),
        ("negative", "sentiment"),
    ]
    target = tmp_path / "feedback.jsonl"
    call_command("export_feedback", workspace=personas.workspace_a.slug, output=target)
    assert target.read_text(encoding="utf-8") == out.getvalue()
    with pytest.raises(CommandError, match="No workspace has the slug 'nope'"):
        call_command("export_feedback", workspace="nope")


def test_offensive_and_hateful_corrections_feed_train_text_feedback(
    personas: Any, client: Any, mentions: dict[str, Mention], tmp_path: Path
) -> None:
    """The panel's offensive and hateful corrections, French or English, reach the workspace's
    feedback file (moderation's download, `train-text --feedback`) as examples of those tasks."""
    from ambassade.engine.text._adapt import read_feedback
    from ambassade.moderation.feedback import feedback_lines

    rude, ok = mentions["rude"], mentions["ok"]
    services.ingest(mentions["ok"].source, [item("en", "Lumière staff are useless idiots")])
    english = Mention.objects.get(external_id="en")
    Mention.objects.filter(pk=english.pk).update(lang="en", offensive=0.3, hateful=0.7)
    Mention.objects.filter(pk=rude.pk).update(offensive=0.2, hateful=0.1)
    Mention.objects.filter(pk=ok.pk).update(offensive=0.8)
    client.force_login(personas.bob)
    post(client, personas, rude, action="label", value="offensive")
    post(client, personas, rude, action="label", value="hateful")
    post(client, personas, ok, action="label", value="not_offensive")
    post(client, personas, english, action="label", value="offensive")
    post(client, personas, english, action="label", value="not_hateful")
    post(client, personas, ok, action="sentiment", sentiment="positive")
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(feedback_lines(personas.workspace_a, unreviewed=0)), "utf-8")
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert sorted((r["text"][:12], r["lang"], r["label"]) for r in rows) == [
        ("Le bagel de ", "fr", "not_offensive"),
        ("Le bagel de ", "fr", "positive"),
        ("Lumière staf", "en", "not_hateful"),
        ("Lumière staf", "en", "offensive"),
        ("Lumière, ban", "fr", "hateful"),
        ("Lumière, ban", "fr", "offensive"),
    ]
    read = read_feedback(path)
    assert sorted((e.task, e.target) for e in read) == [
        ("hateful", 0),
        ("hateful", 1),
        ("offensive", 0),
        ("offensive", 1),
        ("offensive", 1),
        ("sentiment", 2),
    ]
