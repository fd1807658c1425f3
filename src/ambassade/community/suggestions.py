"""Merge suggestions for a workspace's members (docs/community.md, "Merge review").

The engine (``ambassade.engine.identities``) scores every pair of members that share a clue; this
module gives it the workspace's members, leaves out the pairs someone dismissed, remembers
dismissals and merges the suggestions a person picked through ``services.merge_members`` (one audit
line per merge). A pair is given as ``(low id, high id)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower, Trim

from ambassade.community import services
from ambassade.community.models import Consent, DismissedPair, Identity, Member
from ambassade.engine.identities import Candidate, Profile, blocking, suggest_merges
from ambassade.engine.identities import Identity as EngineIdentity
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.params import parse_id

__all__ = [
    "MergeOutcome",
    "Pair",
    "dismiss",
    "for_member",
    "merge_pairs",
    "pair_of",
    "suggestions",
]

#: The members looked at for one member's suggestions (the member page), at most: those found by
#: each kind of query, before the engine's keys keep the ones it would compare.
MAX_CANDIDATES = 2000

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


def _profiles(workspace: Workspace, only: Collection[int] | None = None) -> list[Profile]:
    """Every member (or those of ``only``) as the engine sees them: each account's network,
    handle, name and profile link, and the e-mail addresses known of them (an ``email`` account's
    address; the member's own address, verified when they confirmed it by double opt-in), so that
    the e-mail clues can fire."""
    within = Q() if only is None else Q(member_id__in=sorted(only))
    verified = {
        (member_id, address.strip().casefold())
        for member_id, address in Consent.objects.filter(
            within,
            workspace=workspace,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.GRANTED,
            source=Consent.Source.DOUBLE_OPT_IN,
        ).values_list("member_id", "email")
        if address
    }
    addresses = dict(
        Member.objects.filter(workspace=workspace)
        .filter(Q() if only is None else Q(pk__in=sorted(only)))
        .exclude(email="")
        .values_list("id", "email")
        .iterator(chunk_size=5000)
    )
    by_member: dict[int, list[EngineIdentity]] = defaultdict(list)
    rows = (
        Identity.objects.filter(within, workspace=workspace)
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


def _neighbours(member: Member) -> set[int]:
    """The members the engine would compare with ``member`` in the whole workspace: those whose
    blocking keys (``engine.identities.blocking``, the review list's own) meet the member's. A few
    narrow queries find a superset for each of the member's keys (a handle as typed on any network,
    on Mastodon with its instance and on Bluesky with its domain; an e-mail address; a link; an
    e-mail's user part; a name written as the member's handle, by its three-letter pieces), then
    the engine's keys of each keep the right ones."""
    workspace = member.workspace
    profiles = _profiles(workspace, {member.pk})
    if not profiles:
        return set()
    own = blocking(profiles[0])
    typed, emails, links = set(), set(), set()
    for key in own.keys | own.shown:
        kind, value = key[:1], key[2:]
        if kind in ("h", "u", "c"):
            typed.add(value)  # others' handles: the same, or an e-mail's user, or a name
        elif kind == "e":
            emails.add(value)
        elif kind == "l":
            links.add(value)
    users = sorted(key[2:] for key in own.held if key.startswith("u:"))
    names = sorted(key[2:] for key in own.held if key.startswith("c:") and len(key) >= 7)
    typed_keys = sorted(typed)[:50]
    accounts = Q(handle__in=typed_keys + [f"{t}.bsky.social" for t in typed_keys] + sorted(emails))
    for value in dict.fromkeys([*typed_keys[:20], *users[:20]]):
        accounts |= Q(handle__startswith=f"{value}@")
    for link in sorted(links)[:10]:
        accounts |= Q(profile_url__icontains=link)
    for name in names[:5]:
        pieces = Q(pk__in=[])
        for start in range(len(name) - 2):
            pieces |= Q(name__icontains=name[start : start + 3])
        accounts |= Q(name__contains=" ") & pieces
    found = set(
        Identity.objects.filter(accounts, workspace_id=member.workspace_id)
        .exclude(member=member)
        .values_list("member_id", flat=True)[:MAX_CANDIDATES]
    )
    people = Q(address__in=sorted(emails)) if emails else Q(pk__in=[])
    for user in users[:20]:
        people |= Q(email__istartswith=f"{user}@")
    found |= set(
        Member.objects.annotate(address=Lower(Trim("email")))
        .filter(people, workspace_id=member.workspace_id)
        .exclude(pk=member.pk)
        .values_list("id", flat=True)[:MAX_CANDIDATES]
    )
    if not found:
        return set()
    return {
        int(profile.key) for profile in _profiles(workspace, found) if blocking(profile).meets(own)
    }


def for_member(member: Member) -> list[Candidate]:
    """``member``'s merge suggestions from the same engine and the same facts as the review list
    (:func:`suggestions`), dismissed pairs aside, most likely first: the engine is given this
    member and the members it would compare them with in the whole workspace
    (:func:`_neighbours`), so the pairs and their evidence (a similar name included) are the
    review list's."""
    neighbours = _neighbours(member)
    if not neighbours:
        return []
    workspace = member.workspace
    dismissed = set(
        DismissedPair.objects.filter(workspace=workspace)
        .filter(Q(first_id=member.pk) | Q(second_id=member.pk))
        .values_list("first_id", "second_id")
    )
    key = str(member.pk)
    return [
        candidate
        for candidate in suggest_merges(_profiles(workspace, neighbours | {member.pk}))
        if key in (candidate.first, candidate.second) and _key(candidate) not in dismissed
    ]


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
