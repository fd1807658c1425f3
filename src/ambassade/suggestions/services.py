"""Suggested replies for a conversation, from the workspace's own past answers.

Each process keeps one :class:`~ambassade.engine.suggest.ReplyIndex` per workspace in memory (the
most recently used ones, :data:`KEPT_WORKSPACES`), built on first use from the inbox's messages and
brought up to date on every request with the answers sent since (a query on the message id), so a
reply sent a second ago is suggested next. It is rebuilt from scratch after :data:`REBUILD_AFTER`
(edits and deletions upstream, erased conversations). Nothing leaves the server: the index, the
neutralised answers and the suggestions live in this process.

A *past exchange* is one answer of the brand (an outbound message, sent from Ambassade or natively)
and the person's messages it answered (the inbound messages since the brand's previous answer in
the conversation, joined). Notes, deleted messages and the satisfaction questions Ambassade sends
are not answers.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q

from ambassade.engine.suggest import Context, ReplyIndex, Settings, Suggestion
from ambassade.inbox.models import Conversation, Message
from ambassade.workspaces.models import Workspace

__all__ = [
    "KEPT_WORKSPACES",
    "MAX_PAST_ANSWERS",
    "REBUILD_AFTER",
    "Shown",
    "exchanges",
    "fill",
    "forget",
    "index_for",
    "suggest_for",
]

#: The most recent answers a workspace's index holds.
MAX_PAST_ANSWERS = 50_000
#: A process keeps the indexes of this many workspaces (least recently used dropped).
KEPT_WORKSPACES = 16
#: An index is rebuilt from the database after this long (it is updated in between).
REBUILD_AFTER = timedelta(hours=1)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Shown:
    """A suggestion as the composer shows it: ``text`` with what is known filled in (the person's
    first name, the agent's), ``missing`` the placeholders still to fill."""

    text: str
    missing: tuple[str, ...]
    support: int
    score: float


class _Entry:
    __slots__ = ("built_at", "index", "lock", "watermark")

    def __init__(self) -> None:
        self.index = ReplyIndex(Settings(max_entries=MAX_PAST_ANSWERS))
        self.watermark = 0  # the largest message id read
        self.built_at = 0.0
        self.lock = threading.Lock()


_ENTRIES: OrderedDict[int, _Entry] = OrderedDict()
_ENTRIES_LOCK = threading.Lock()


def forget(workspace_id: int | None = None) -> None:
    """Drop a workspace's index (or every one) from this process: the next use rebuilds it."""
    with _ENTRIES_LOCK:
        if workspace_id is None:
            _ENTRIES.clear()
        else:
            _ENTRIES.pop(workspace_id, None)


def _entry(workspace_id: int) -> _Entry:
    with _ENTRIES_LOCK:
        entry = _ENTRIES.get(workspace_id)
        if entry is None:
            entry = _ENTRIES[workspace_id] = _Entry()
        _ENTRIES.move_to_end(workspace_id)
        while len(_ENTRIES) > KEPT_WORKSPACES:
            _ENTRIES.popitem(last=False)
        return entry


def _answers(workspace: Workspace) -> Any:
    """The workspace's messages that count in an exchange (module docstring)."""
    from ambassade.satisfaction.models import Survey

    return (
        Message.objects.filter(
            workspace=workspace,
            direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
            deleted_at=None,
        )
        .filter(Q(mention__isnull=True) | Q(mention__deleted_at=None))
        .exclude(Exists(Survey.objects.filter(message=OuterRef("pk"))))
    )


_FIELDS = (
    "id",
    "conversation_id",
    "direction",
    "text",
    "lang",
    "mention__text",
    "mention__lang",
    "sender__first_name",
    "sender__last_name",
    "conversation__contact_name",
    "conversation__contact_handle",
    "conversation__lang",
)


def exchanges(
    rows: Iterable[dict[str, Any]],
) -> Iterator[tuple[str, str, str, Context, str | None]]:
    """``(key, inbound, reply, context, lang)`` for each answer of ``rows`` (one conversation's
    messages after another, each in order) that follows at least one inbound message."""
    conversation = None
    pending: list[str] = []
    lang: str | None = None
    for row in rows:
        if row["conversation_id"] != conversation:
            conversation, pending, lang = row["conversation_id"], [], None
        body = row["mention__text"] if row["mention__text"] is not None else row["text"]
        if row["direction"] == Message.Direction.INBOUND:
            if body:
                pending.append(body)
                lang = row["mention__lang"] or row["lang"] or lang
            continue
        if pending and body:
            context = Context.of(
                customer=[row["conversation__contact_name"], row["conversation__contact_handle"]],
                agent=[row["sender__first_name"] or "", row["sender__last_name"] or ""],
            )
            yield (
                str(row["id"]),
                "\n".join(pending),
                body,
                context,
                lang or row["conversation__lang"] or None,
            )
        pending = []


def _build(entry: _Entry, workspace: Workspace) -> None:
    answers = _answers(workspace)
    newest = answers.aggregate(top=Max("id"))["top"] or 0
    # The conversations of the most recent answers only: a workspace with a million messages
    # reads what its index can hold.
    recent = (
        answers.filter(direction=Message.Direction.OUTBOUND)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)[MAX_PAST_ANSWERS - 1 : MAX_PAST_ANSWERS]
    )
    rows = answers.filter(id__lte=newest)
    cutoff = next(iter(recent), None)
    if cutoff is not None:
        rows = rows.filter(conversation__last_outbound_at__gte=cutoff)
    index = ReplyIndex(Settings(max_entries=MAX_PAST_ANSWERS))
    ordered = rows.order_by("conversation_id", "created_at", "id").values(*_FIELDS)
    found = sorted(exchanges(ordered.iterator(chunk_size=2000)), key=lambda e: int(e[0]))
    for key, inbound, reply, context, lang in found:
        index.add(key, inbound, reply, context=context, lang=lang)
    entry.index = index
    entry.watermark = newest
    entry.built_at = time.monotonic()


def _catch_up(entry: _Entry, workspace: Workspace) -> None:
    """Add the answers sent since the index was built or last caught up."""
    answers = _answers(workspace)
    new = list(
        answers.filter(id__gt=entry.watermark, direction=Message.Direction.OUTBOUND)
        .order_by("id")
        .values_list("id", "conversation_id")
    )
    if not new:
        return
    conversations = {conversation for _, conversation in new}
    wanted = {str(message) for message, _ in new}
    rows = (
        answers.filter(conversation_id__in=conversations, id__lte=new[-1][0])
        .order_by("conversation_id", "created_at", "id")
        .values(*_FIELDS)
    )
    for key, inbound, reply, context, lang in sorted(
        exchanges(rows.iterator()), key=lambda e: int(e[0])
    ):
        if key in wanted:
            entry.index.add(key, inbound, reply, context=context, lang=lang)
    entry.watermark = new[-1][0]


def index_for(workspace: Workspace) -> tuple[ReplyIndex, threading.Lock]:
    """The workspace's index, up to date, and the lock to hold while reading it."""
    entry = _entry(workspace.pk)
    with entry.lock:
        stale = time.monotonic() - entry.built_at > REBUILD_AFTER.total_seconds()
        if not entry.built_at or stale:
            _build(entry, workspace)
        else:
            _catch_up(entry, workspace)
    return entry.index, entry.lock


def _question(conversation: Conversation) -> tuple[str, str | None]:
    """What the person said since the brand's last answer (or their last words)."""
    messages = list(
        conversation.messages.filter(
            direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND]
        )
        .select_related("mention")
        .order_by("-created_at", "-id")[:20]
    )
    asked: list[str] = []
    lang = None
    for message in messages:
        if message.direction == Message.Direction.OUTBOUND:
            if asked:
                break
            continue
        if message.body and not message.is_deleted:
            asked.append(message.body)
            lang = lang or (message.mention.lang if message.mention_id else message.lang) or None
    return "\n".join(reversed(asked)), lang or conversation.lang or None


def first_name(value: str) -> str:
    return value.strip().split()[0] if value.strip() else ""


def fill(text: str, values: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The text with the placeholders of ``values`` (non-empty) filled; the others, in order."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        if value:
            return value
        if match.group(1) not in missing:
            missing.append(match.group(1))
        return match.group()

    return _PLACEHOLDER.sub(replace, text), tuple(missing)


def suggest_for(conversation: Conversation, user: Any, k: int = 3) -> list[Shown]:
    """Up to ``k`` suggested answers for the conversation, with what is known filled in."""
    question, lang = _question(conversation)
    index, lock = index_for(conversation.workspace)
    with lock:
        found: list[Suggestion] = index.suggest(question, k, lang=lang)
    values = {
        "first_name": first_name(conversation.contact_name),
        "agent": first_name(getattr(user, "first_name", "") or ""),
    }
    shown = []
    for suggestion in found:
        text, missing = fill(suggestion.text, values)
        shown.append(Shown(text, missing, suggestion.support, suggestion.score))
    return shown
