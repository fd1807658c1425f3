"""Merge suggestions for a workspace's members (docs/community.md, "Merge review").

The engine (``ambassade.engine.identities``) scores every pair of members that share a clue; this
module gives it the workspace's members, leaves out the pairs someone dismissed, remembers
dismissals and merges the suggestions a person picked through ``services.merge_members`` (one audit
line per merge). A pair is given as ``(low id, high id)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from ambassade.community import services
from ambassade.community.models import Consent, DismissedPair, Identity, Member
from ambassade.engine.identities import Candidate, Profile, suggest_merges
from ambassade.engine.identities import Identity as EngineIdentity
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.params import parse_id

__all__ = ["MergeOutcome", "Pair", "dismiss", "merge_pairs", "pair_of", "suggestions"]

Pair = tuple[int, int]


def pair_of(value: object) -> Pair | None:
    """``"12-34"`` (either order) as ``(12, 34)``; None for anything else."""
    if not isinstance(value, str) or len(value) > 41:
        return None
    first, sep, second = value.partition("-")
    a, b = parse_id(first), parse_id(second)
    if not sep or a is None or b is None or a == b:
        return None
    return (a, b) if a < b else (b, a)


def _profiles(workspace: Workspace) -> list[Profile]:
    """Every member as the engine sees them: each account's network, handle, name and profile
    link, and the e-mail addresses known of them (an ``email`` account's address; the member's own
    address, verified when they confirmed it by double opt-in), so that the e-mail clues can fire."""
    verified = {
        (member_id, address.strip().casefold())
        for member_id, address in Consent.objects.filter(
            workspace=workspace,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.GRANTED,
            source=Consent.Source.DOUBLE_OPT_IN,
        ).values_list("member_id", "email")
        if address
    }
    addresses = dict(
        Member.objects.filter(workspace=workspace)
        .exclude(email="")
        .values_list("id", "email")
        .iterator(chunk_size=5000)
    )
    by_member: dict[int, list[EngineIdentity]] = defaultdict(list)
    rows = (
        Identity.objects.filter(workspace=workspace)
        .order_by("member_id", "id")
        .values_list("member_id", "network", "handle", "name", "profile_url")
    )
    for member_id, network, handle, name, profile_url in rows.iterator(chunk_size=5000):
        links = (profile_url,) if profile_url else ()
        emails: tuple[str, ...] = ()
        confirmed: tuple[str, ...] = ()
        if network == "email" and "@" in handle:
            emails = (handle,)
        own = (addresses.pop(member_id, "") or "").strip().casefold()
        if own:  # the member's own address, on their first account
            emails = tuple(dict.fromkeys((*emails, own)))
            if (member_id, own) in verified:
                confirmed = (own,)
        if emails and (member_id, emails[0]) in verified and emails[0] not in confirmed:
            confirmed = (*confirmed, emails[0])
        by_member[member_id].append(EngineIdentity(network, handle, name, links, emails, confirmed))
    return [Profile(str(key), tuple(found)) for key, found in by_member.items()]


def _key(candidate: Candidate) -> Pair:
    a, b = int(candidate.first), int(candidate.second)
    return (a, b) if a < b else (b, a)


def suggestions(workspace: Workspace) -> dict[Pair, Candidate]:
    """The workspace's merge suggestions not dismissed, most likely first."""
    dismissed = set(
        DismissedPair.objects.filter(workspace=workspace).values_list("first_id", "second_id")
    )
    found = suggest_merges(_profiles(workspace))
    return {_key(c): c for c in found if _key(c) not in dismissed}


def dismiss(workspace: Workspace, pair: Pair, actor: Any) -> bool:
    """Remember that the two members are not one person; False when either is not a member of
    the workspace (any more)."""
    found = Member.objects.filter(workspace=workspace, id__in=pair).count()
    if found != 2:
        return False
    try:
        with transaction.atomic():
            DismissedPair.objects.get_or_create(
                workspace=workspace,
                first_id=pair[0],
                second_id=pair[1],
                defaults={"dismissed_by": actor},
            )
    except IntegrityError:
        # A member merged away meanwhile (foreign key), or the same pair dismissed concurrently.
        return DismissedPair.objects.filter(first_id=pair[0], second_id=pair[1]).exists()
    return True


@dataclass
class MergeOutcome:
    merges: int = 0  # merges done, one audit line each
    members: int = 0  # members merged into another
    stale: int = 0  # pairs no longer suggested (a member merged, unknown, dismissed…)
    not_high: int = 0  # pairs left out of a bulk merge: not high confidence
    targets: list[int] = field(default_factory=list)


def _components(pairs: Iterable[Pair]) -> list[set[int]]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = defaultdict(set)
    for x in list(parent):
        groups[root(x)].add(x)
    return sorted(groups.values(), key=min)


def merge_pairs(
    workspace: Workspace, pairs: Sequence[Pair], actor: Any, *, bulk: bool
) -> MergeOutcome:
    """Merge each pair that is still a suggestion (high confidence only when ``bulk``). Pairs that
    share a member become one merge: into the member with the most reach (then mentions, then the
    oldest), one audit line naming everyone merged."""
    outcome = MergeOutcome()
    current = suggestions(workspace)
    wanted: list[Pair] = []
    for pair in dict.fromkeys(pairs):
        candidate = current.get(pair)
        if candidate is None:
            outcome.stale += 1
        elif bulk and candidate.confidence != "high":
            outcome.not_high += 1
        else:
            wanted.append(pair)
    ids = {x for pair in wanted for x in pair}
    members = Member.objects.filter(workspace=workspace).in_bulk(ids)
    for group in _components(wanted):
        people = [members[x] for x in group if x in members]
        if len(people) < 2:
            outcome.stale += 1
            continue
        people.sort(key=lambda m: (-m.reach, -m.mention_count, m.pk))
        target, others = people[0], people[1:]
        try:
            target = services.merge_members(target, others, actor)
        except services.ActionError:
            outcome.stale += 1  # a member merged away by someone else meanwhile
            continue
        outcome.merges += 1
        outcome.members += len(others)
        outcome.targets.append(target.pk)
    return outcome
