"""What the rules read of the workspace's history (a member's first message, their strikes, the raid
counts), what the queue shows around a message (its conversation, the author's member page), and the
dry run of a rule over the last 30 days."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from ambassade.engine.moderation import ConditionKind, Item, RuleSet, compile_rules, raid_authors
from ambassade.listening.models import Mention
from ambassade.moderation.models import Rule, Strike
from ambassade.moderation.specs import rule_spec
from ambassade.workspaces.models import Workspace

__all__ = [
    "conversation_around",
    "dry_run",
    "items_for",
    "members_of",
    "strikes_of",
]

#: Messages of a conversation shown around a queued one.
AROUND = 8


def _item(
    mention: Mention,
    *,
    first_message: bool = False,
    strikes: int = 0,
    raid: dict[int, int] | None = None,
) -> Item:
    return Item(
        text=mention.text,
        lang=mention.lang,
        author=mention.author_handle,
        network=mention.network,
        url=mention.url,
        offensive=mention.offensive,
        hateful=mention.hateful,
        spam=mention.spam,
        first_message=first_message,
        strikes=strikes,
        raid_authors=raid or {},
    )


def strikes_of(
    workspace: Workspace, authors: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The strikes in force (not revoked by an appeal) of each (network, handle), keyed as given;
    handles compare as the community app does (case and a leading ``@`` ignored)."""
    from ambassade.community.models import normalise_handle

    keys = {(n, normalise_handle(h)): (n, h) for n, h in authors if h}
    if not keys:
        return {}
    rows = (
        Strike.objects.filter(
            workspace=workspace,
            handle__in={h for _n, h in keys},
            revoked_at__isnull=True,
        )
        .values_list("network", "handle")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {keys[(n, h)]: c for n, h, c in rows if (n, h) in keys}


def items_for(workspace: Workspace, mentions: Sequence[Mention], ruleset: RuleSet) -> list[Item]:
    """What the rules read of each mention, with the facts that need the workspace's history
    computed in a few queries, and only when a rule reads them: the author's first message, their
    strikes, and the raid counts (how many different authors wrote a near-duplicate within each
    rule's window, up to the mention's time)."""
    reads = ruleset.reads
    first: dict[tuple[str, str], Any] = {}
    if ConditionKind.FIRST_MESSAGE in reads:
        handles = {m.author_handle for m in mentions if m.author_handle}
        for network, handle, earliest in (
            Mention.objects.filter(workspace=workspace, author_handle__in=handles)
            .exclude(kind="message")
            .values_list("network", "author_handle")
            .annotate(at=Min("created_at"))
            .order_by()
        ):
            first[(network, handle)] = earliest
    strikes: dict[tuple[str, str], int] = {}
    if ConditionKind.STRIKES in reads:
        strikes = strikes_of(workspace, ((m.network, m.author_handle) for m in mentions))
    raids: list[dict[int, int]] = [{} for _m in mentions]
    windows = ruleset.raid_windows
    clustered = [m for m in mentions if m.cluster]
    if windows and clustered:
        widest = timedelta(minutes=max(windows))
        earliest = min(m.created_at for m in clustered) - widest
        latest = max(m.created_at for m in clustered)
        history = [
            (cluster, (network, handle), at.timestamp())
            for cluster, network, handle, at in Mention.objects.filter(
                workspace=workspace,
                cluster__in={m.cluster for m in clustered},
                created_at__gte=earliest,
                created_at__lte=latest,
            )
            .exclude(author_handle="")
            .values_list("cluster", "network", "author_handle", "created_at")
        ]
        counted = raid_authors(
            [(c, f"{n}\x00{h}", at) for c, (n, h), at in history],
            [(m.cluster, m.author_handle, m.created_at.timestamp()) for m in mentions],
            windows,
        )
        raids = counted
    return [
        _item(
            m,
            first_message=bool(
                m.author_handle
                and first.get((m.network, m.author_handle)) is not None
                and m.created_at <= first[(m.network, m.author_handle)]
            ),
            strikes=strikes.get((m.network, m.author_handle), 0),
            raid=raids[i],
        )
        for i, m in enumerate(mentions)
    ]


def members_of(
    workspace: Workspace, authors: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The community member (id) of each (network, handle) the community app knows."""
    from ambassade.community.models import Identity, normalise_handle

    keys = {(n, normalise_handle(h)): (n, h) for n, h in authors if h}
    if not keys:
        return {}
    rows = Identity.objects.filter(
        workspace=workspace, handle__in={h for _n, h in keys}
    ).values_list("network", "handle", "member_id")
    return {keys[(n, h)]: m for n, h, m in rows if (n, h) in keys}


def conversation_around(mention: Mention, limit: int = AROUND) -> list[Mention]:
    """The messages of ``mention``'s conversation that the workspace heard: its parent, its thread,
    its replies, in order, at most ``limit`` around it (itself included). Empty when it stands
    alone."""
    links = Q(parent_external_id=mention.external_id)
    if mention.parent_external_id:
        links |= Q(external_id=mention.parent_external_id)
        links |= Q(parent_external_id=mention.parent_external_id)
    if mention.thread_external_id:
        links |= Q(thread_external_id=mention.thread_external_id)
        links |= Q(external_id=mention.thread_external_id)
    found = list(
        Mention.objects.filter(links, workspace_id=mention.workspace_id, network=mention.network)
        .exclude(kind="message")
        .exclude(id=mention.id)
        .only("id", "author_handle", "text", "created_at", "external_id")
        .order_by("created_at", "id")[: 4 * limit]
    )
    if not found:
        return []
    before = [m for m in found if (m.created_at, m.id) < (mention.created_at, mention.id)]
    after = [m for m in found if (m.created_at, m.id) > (mention.created_at, mention.id)]
    half = limit // 2
    keep_after = after[: max(half, limit - 1 - len(before))]
    keep_before = before[-(limit - 1 - len(keep_after)) :] if limit - 1 - len(keep_after) else []
    return [*keep_before, mention, *keep_after]


# --- dry run ------------------------------------------------------------------------------------

DRY_RUN_DAYS = 30
DRY_RUN_LIMIT = 20_000
DRY_RUN_SAMPLES = 10


def dry_run(workspace: Workspace, rule: Rule, *, now: Any = None) -> dict[str, Any]:
    """What ``rule`` alone would have done to the workspace's messages of the last 30 days (the
    latest :data:`DRY_RUN_LIMIT` of them): how many it matches, the count per action, and samples
    with the words found. Nothing is recorded and nothing is sent."""
    from ambassade.moderation.services import explanation, reasons_of

    now = now or timezone.now()
    spec = rule_spec(rule)
    spec["mode"] = "on"
    spec["continue"] = False
    ruleset = compile_rules([spec])
    mentions = (
        Mention.objects.filter(
            workspace=workspace, created_at__gte=now - timedelta(days=DRY_RUN_DAYS)
        )
        .exclude(kind="message")
        .order_by("-created_at", "-id")
        .only(
            "id",
            "workspace_id",
            "network",
            "external_id",
            "kind",
            "url",
            "text",
            "author_handle",
            "lang",
            "offensive",
            "hateful",
            "spam",
            "cluster",
            "created_at",
        )[:DRY_RUN_LIMIT]
    )
    read = matched = 0
    samples: list[dict[str, Any]] = []
    batch: list[Mention] = []
    evaluated: list[tuple[Mention, Any]] = []

    def flush() -> None:
        evaluated.extend(
            zip(batch, map(ruleset.evaluate, items_for(workspace, batch, ruleset)), strict=True)
        )
        batch.clear()

    for mention in mentions.iterator(chunk_size=2000):
        batch.append(mention)
        if len(batch) >= 2000:
            flush()
    flush()
    for mention, outcome in evaluated:
        read += 1
        if not outcome.matches:
            continue
        matched += 1
        if len(samples) < DRY_RUN_SAMPLES:
            explained = explanation(outcome.matches[0], rule)
            samples.append(
                {
                    "mention": mention,
                    "spans": explained["spans"],
                    "reasons": reasons_of(explained),
                }
            )
    counts = {kind: matched for kind in rule.actions}
    return {
        "read": read,
        "matched": matched,
        "counts": counts,
        "samples": samples,
        "days": DRY_RUN_DAYS,
        "limit": DRY_RUN_LIMIT,
    }
