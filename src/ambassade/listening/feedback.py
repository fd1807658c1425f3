"""A workspace's corrections as training examples for ``ambassade train-text --extra``.

Each person's correction of a mention (sentiment, offensive, hateful, spam) is a :class:`Feedback` row.
:func:`training_examples` turns them into the JSONL lines that ``train-text --extra`` reads
(``text``, ``label``, ``lang``; docs/text-analysis.md): the latest correction of each mention and
task wins, so a label changed twice counts once, as it ends.

Each line also carries ``group``: a pseudonymous key of the message's author (a keyed hash of the
network and handle, unreadable without the installation's secret key), so that ``train-text
--feedback`` never has one author on both sides of its cross-validation. No handle, name or id of
the author is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.utils.crypto import salted_hmac

from ambassade.listening.models import Feedback

__all__ = ["training_examples", "training_lines"]

_SENTIMENTS = frozenset({"negative", "neutral", "positive"})
_BINARY = frozenset({"offensive", "not_offensive", "hateful", "not_hateful"})


def _label(feedback: Feedback) -> tuple[str, str] | None:
    """(task, label) of a correction, or None when it teaches no text model."""
    kind, value = feedback.kind, feedback.value
    if kind == Feedback.Kind.SENTIMENT and value in _SENTIMENTS:
        # Without a language a sentiment example would open a head of its own: left out.
        return ("sentiment", value) if _language(feedback.lang) != "und" else None
    if kind in (Feedback.Kind.OFFENSIVE, Feedback.Kind.HATEFUL) and value in _BINARY:
        return str(kind), value
    if kind == Feedback.Kind.SPAM:
        return "spam", "spam"
    if kind == Feedback.Kind.NOT_SPAM:
        return "spam", "ham"
    return None


def _language(code: str) -> str:
    code = (code or "").strip().lower().split("-", 1)[0]
    return code if len(code) == 2 and code.isalpha() else "und"


def author_key(workspace_id: int, network: str, handle: str) -> str:
    """A pseudonymous key of an author within a workspace (16 hex digits of a keyed hash)."""
    value = f"{workspace_id}:{network}:{handle.strip().lower()}"
    return salted_hmac("ambassade.feedback.author", value, algorithm="sha256").hexdigest()[:16]


def training_examples(workspace: Any) -> list[dict[str, str]]:
    """The workspace's corrections as ``{"text", "label", "lang", "task", "corrected_at",
    "group"}`` rows, oldest first, one per mention and task (the latest correction). Only this
    workspace's rows are read."""
    latest: dict[tuple[int, str], dict[str, str]] = {}
    rows = (
        Feedback.objects.filter(workspace=workspace)
        .select_related("mention")
        .order_by("created_at", "id")
        .only(
            "mention_id",
            "kind",
            "value",
            "text",
            "lang",
            "created_at",
            "mention__network",
            "mention__author_handle",
        )
    )
    for feedback in rows.iterator():
        found = _label(feedback)
        if found is None or not feedback.text.strip():
            continue
        task, label = found
        latest.pop((feedback.mention_id, task), None)
        latest[(feedback.mention_id, task)] = {
            "text": feedback.text,
            "label": label,
            "lang": _language(feedback.lang),
            "task": task,
            "corrected_at": feedback.created_at.isoformat(),
            "group": author_key(
                workspace.id, feedback.mention.network, feedback.mention.author_handle
            ),
        }
    return list(latest.values())


def training_lines(workspace: Any) -> Iterator[str]:
    """:func:`training_examples` as JSONL lines, each ending with a newline."""
    for example in training_examples(workspace):
        yield json.dumps(example, ensure_ascii=False) + "\n"
