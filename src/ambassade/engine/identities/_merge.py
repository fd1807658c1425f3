"""Merge suggestions: which members are probably one person (docs/community.md, "Merge suggestions").

Each piece of evidence that two members are the same person has a weight, the probability it alone
would give; pieces are combined as independent ("noisy OR": ``1 - Π(1 - w)``), so two weak clues make
a stronger one but never a certainty. Two identities on the same network (two different accounts
where one person usually has one) halve the result. The weights follow crowd.dev's ordering: a
shared verified e-mail is near-certain (0.99), a shared e-mail verified on one side 0.95, an e-mail
used as the other's handle 0.9, a link from one profile to the other 0.9, an unverified shared
e-mail 0.85, the same handle on several networks 0.75 (0.85 on three or more), the same link 0.8,
the e-mail's local part as a handle 0.6, a name written as the other's handle 0.45, the same name
0.25 and a similar name 0.25 × its similarity: like crowd.dev, a name alone stays below the default
``min_score`` (many people share one), it only strengthens another clue.

Pairs are found through blocking keys (e-mails, handles, names, links), never by comparing every
member with every other; a key shared by more than ``max_block`` members (a common name, a shared
support address) finds no pair by itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Final

from ambassade.engine.messages import Message

__all__ = [
    "HIGH_CONFIDENCE",
    "Blocking",
    "Candidate",
    "Evidence",
    "Identity",
    "Profile",
    "blocking",
    "match",
    "name_similarity",
    "suggest_merges",
]

#: At or above: a suggestion that can be merged in bulk.
HIGH_CONFIDENCE: Final = 0.9
MEDIUM_CONFIDENCE: Final = 0.6
SAME_NETWORK_FACTOR: Final = 0.5
SIMILAR_NAME: Final = 0.88
#: A name is a weak clue: alone it stays below the default ``min_score``.
NAME_WEIGHT: Final = 0.25

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class Identity:
    """One account: ``network`` (a connector kind; ``email`` for an address), ``handle``,
    ``name`` as displayed, ``links`` (its profile URL, the website in its bio…), the e-mails
    seen for it and those verified (by double opt-in, a sign-in, a customer file the brand trusts)."""

    network: str
    handle: str
    name: str = ""
    links: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    verified_emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Profile:
    """A member as the engine sees it: the caller's ``key`` and the member's identities."""

    key: str
    identities: tuple[Identity, ...]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason, coded (``message``), with its weight; a negative weight is a factor that
    lowers the score (two identities on the same network)."""

    message: Message
    weight: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two members that are probably one person, ``score`` in [0, 1], with the evidence."""

    first: str
    second: str
    score: float
    evidence: tuple[Evidence, ...]

    @property
    def confidence(self) -> str:
        """``high`` (can be merged in bulk), ``medium`` or ``low``."""
        if self.score >= HIGH_CONFIDENCE:
            return "high"
        return "medium" if self.score >= MEDIUM_CONFIDENCE else "low"


def _fold(text: str) -> str:
    """Case-folded, accents removed, only letters, digits and single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).replace("_", " ").split())


def _email(text: str) -> str:
    text = text.strip().casefold()
    return text if _EMAIL.fullmatch(text) else ""


def _handle_key(identity: Identity) -> str:
    """The handle as a person would type it on any network: ``ana`` for ``@Ana``,
    ``ana@mastodon.social`` and ``ana.bsky.social``."""
    handle = identity.handle.strip().casefold().lstrip("@")
    if identity.network == "email":
        return ""
    if "@" in handle:
        handle = handle.split("@", 1)[0]
    if handle.endswith(".bsky.social"):
        handle = handle[: -len(".bsky.social")]
    return handle


def _link(url: str) -> str:
    url = url.strip().casefold()
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url)
    url = re.sub(r"^(www\.|m\.|mobile\.)", "", url)
    url = url.split("#", 1)[0].split("?", 1)[0]
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class _Facts:
    key: str
    verified: frozenset[str]
    unverified: frozenset[str]
    handles: dict[str, str]  # handle key -> network (the first seen)
    raw_handles: dict[str, str]  # the handle as written on its network, casefolded -> network
    networks: dict[str, frozenset[str]]  # network -> handle keys on it
    names: frozenset[str]
    links: frozenset[str]
    own_links: frozenset[str]  # the identities' own profile URLs (the first link of each)


def _facts(profile: Profile) -> _Facts:
    verified: set[str] = set()
    unverified: set[str] = set()
    handles: dict[str, str] = {}
    raw: dict[str, str] = {}
    networks: dict[str, set[str]] = defaultdict(set)
    names: set[str] = set()
    links: set[str] = set()
    own: set[str] = set()
    for identity in profile.identities:
        verified.update(filter(None, map(_email, identity.verified_emails)))
        unverified.update(filter(None, map(_email, identity.emails)))
        if identity.network == "email" and _email(identity.handle):
            unverified.add(_email(identity.handle))
        key = _handle_key(identity)
        if key:
            handles.setdefault(key, identity.network)
            raw.setdefault(identity.handle.strip().casefold().lstrip("@"), identity.network)
            networks[identity.network].add(key)
        if _fold(identity.name):
            names.add(_fold(identity.name))
        found = [_link(url) for url in identity.links if _link(url)]
        links.update(found)
        own.update(found[:1])
    return _Facts(
        profile.key,
        frozenset(verified),
        frozenset(unverified - verified),
        handles,
        raw,
        {network: frozenset(keys) for network, keys in networks.items()},
        frozenset(names),
        frozenset(links),
        frozenset(own),
    )


def name_similarity(first: str, second: str) -> float:
    """Jaro-Winkler similarity of two names once folded, their words in order (0 to 1)."""
    a = " ".join(sorted(_fold(first).split()))
    b = " ".join(sorted(_fold(second).split()))
    return _jaro_winkler(a, b)


def _jaro_winkler(a: str, b: str) -> float:
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    reach = max(0, max(len(a), len(b)) // 2 - 1)
    taken = [False] * len(b)
    matched_a = []
    for i, char in enumerate(a):
        for j in range(max(0, i - reach), min(len(b), i + reach + 1)):
            if not taken[j] and b[j] == char:
                taken[j] = True
                matched_a.append(char)
                break
    if not matched_a:
        return 0.0
    matched_b = [b[j] for j in range(len(b)) if taken[j]]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b, strict=True)) / 2
    m = len(matched_a)
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def _evidence(code: str, text: str, weight: float, **params: str | int | float) -> Evidence:
    return Evidence(Message(code, text, params), weight)


def _compare(a: _Facts, b: _Facts) -> Iterator[Evidence]:
    for email in sorted((a.verified | a.unverified) & (b.verified | b.unverified)):
        sides = (email in a.verified) + (email in b.verified)
        if sides == 2:
            yield _evidence(
                "identity.same_email_verified", f"same verified e-mail {email}", 0.99, email=email
            )
        elif sides == 1:
            yield _evidence(
                "identity.same_email_half_verified",
                f"same e-mail {email}, verified for one of them",
                0.95,
                email=email,
            )
        else:
            yield _evidence("identity.same_email", f"same e-mail {email}", 0.85, email=email)
    for one, other in ((a, b), (b, a)):
        emails = one.verified | one.unverified
        used = set()
        for handle, network in sorted(other.raw_handles.items()):
            if handle in emails:
                used.add(handle.split("@", 1)[0])
                yield _evidence(
                    "identity.email_as_handle",
                    f"the e-mail {handle} is a handle on {network}",
                    0.9,
                    email=handle,
                    network=network,
                )
        users = {email.split("@", 1)[0] for email in emails}
        for handle, network in sorted(other.handles.items()):
            if len(handle) >= 5 and handle in users - used and handle not in one.handles:
                yield _evidence(
                    "identity.email_user_as_handle",
                    f"the handle {handle} on {network} is the user of an e-mail",
                    0.6,
                    handle=handle,
                    network=network,
                )
        for link in sorted(one.links & other.own_links - one.own_links):
            yield _evidence(
                "identity.links_to_profile",
                f"a profile links to the other's {link}",
                0.9,
                link=link,
            )
    for handle in sorted(a.handles.keys() & b.handles.keys()):
        on = sorted(
            {n for n, keys in a.networks.items() if handle in keys}
            | {n for n, keys in b.networks.items() if handle in keys}
        )
        if len(on) < 2:
            continue  # the same handle on one network is the same identity, not two
        weight = 0.85 if len(on) >= 3 else 0.75
        if len(handle) <= 3:
            weight = 0.4
        yield _evidence(
            "identity.same_handle",
            f"same handle {handle} on {', '.join(on)}",
            weight,
            handle=handle,
            networks=", ".join(on),
            count=len(on),
        )
    shared_links = (a.links & b.links) - (a.own_links ^ b.own_links)
    for link in sorted(shared_links):
        yield _evidence("identity.same_link", f"same link {link}", 0.8, link=link)
    if a.names & b.names:
        name = sorted(a.names & b.names)[0]
        yield _evidence("identity.same_name", f"same name {name}", NAME_WEIGHT, name=name)
    elif a.names and b.names:
        best, first, second = max(
            (name_similarity(x, y), x, y) for x in sorted(a.names) for y in sorted(b.names)
        )
        if best >= SIMILAR_NAME:
            yield _evidence(
                "identity.similar_name",
                f"similar names {first} and {second}",
                round(NAME_WEIGHT * best, 2),
                first=first,
                second=second,
                similarity=round(best, 2),
            )
    for one, other in ((a, b), (b, a)):
        for name in sorted(one.names):
            compact = name.replace(" ", "")
            if len(compact) >= 5 and " " in name and compact in other.handles:
                yield _evidence(
                    "identity.handle_is_name",
                    f"the handle {compact} is the name {name}",
                    0.45,
                    handle=compact,
                    name=name,
                )


def _score(a: _Facts, b: _Facts) -> Candidate | None:
    found = list(_compare(a, b))
    if not found:
        return None
    doubt = 1.0
    for item in found:
        doubt *= 1.0 - item.weight
    score = 1.0 - doubt
    for network in sorted(a.networks.keys() & b.networks.keys()):
        if a.networks[network] != b.networks[network]:
            score *= SAME_NETWORK_FACTOR
            found.append(
                _evidence(
                    "identity.same_network",
                    f"each has a different account on {network}",
                    -SAME_NETWORK_FACTOR,
                    network=network,
                )
            )
    first, second = sorted((a.key, b.key))
    return Candidate(first, second, round(score, 4), tuple(found))


def match(first: Profile, second: Profile) -> Candidate | None:
    """How likely two members are one person, with the evidence; None without any."""
    return _score(_facts(first), _facts(second))


def _blocking_keys(facts: _Facts, names: bool) -> tuple[set[str], set[str], set[str]]:
    """Keys that pair members sharing them, then the keys of two sides that pair a member of one
    with a member of the other only: what one shows (an e-mail's user, a name written without
    spaces) and what the other has as a handle. Two people called Ana Martin share a written-out
    name but are not compared for it."""
    emails = facts.verified | facts.unverified
    keys = {f"e:{email}" for email in emails}
    keys |= {f"e:{handle}" for handle in facts.raw_handles if "@" in handle}
    keys |= {f"h:{handle}" for handle in facts.handles}
    keys |= {f"l:{link}" for link in facts.links}
    shown = {f"u:{email.split('@', 1)[0]}" for email in emails}
    shown |= {f"c:{name.replace(' ', '')}" for name in facts.names}
    held = {f"u:{handle}" for handle in facts.handles} | {f"c:{h}" for h in facts.handles}
    if names:
        for name in facts.names:
            words = sorted(name.split())
            keys.add(f"n:{' '.join(words)}")
            if len(words) >= 2:
                # Finds a similar name unless a typo is in the first two letters of its first or
                # last word (in alphabetical order).
                keys.add(f"p:{words[0][:2]}|{words[-1][:2]}")
    return keys, shown, held


@dataclass(frozen=True, slots=True)
class Blocking:
    """A member's blocking keys as :func:`suggest_merges` uses them (without names): two members
    are compared when they share a key of ``keys``, or when one shows a key the other holds."""

    keys: frozenset[str]
    shown: frozenset[str]
    held: frozenset[str]

    def meets(self, other: Blocking) -> bool:
        return bool(self.keys & other.keys or self.shown & other.held or self.held & other.shown)


def blocking(profile: Profile) -> Blocking:
    """The keys that make :func:`suggest_merges` compare ``profile`` with another (``e:`` an
    e-mail, ``h:`` a handle as typed on any network, ``l:`` a link; shown ``u:`` an e-mail's user
    and ``c:`` a name without spaces, held ``u:``/``c:`` a handle): what a caller needs to find,
    among many members, those a member would be compared with."""
    keys, shown, held = _blocking_keys(_facts(profile), names=False)
    return Blocking(frozenset(keys), frozenset(shown), frozenset(held))


def suggest_merges(
    profiles: Iterable[Profile], *, min_score: float = 0.3, max_block: int = 100
) -> list[Candidate]:
    """Pairs of members that are probably one person, most likely first (then by keys), each
    at least ``min_score``. Keys must be unique. Pairs that share nothing but a name are looked
    at only when ``min_score`` is low enough for a name alone (:data:`NAME_WEIGHT`)."""
    facts: dict[str, _Facts] = {}
    names = min_score <= NAME_WEIGHT
    blocks: dict[str, list[str]] = defaultdict(list)
    shown: dict[str, list[str]] = defaultdict(list)
    held: dict[str, list[str]] = defaultdict(list)
    for profile in profiles:
        if profile.key in facts:
            raise ValueError(f"member {profile.key!r} is given twice")
        facts[profile.key] = _facts(profile)
        keys, shows, holds = _blocking_keys(facts[profile.key], names)
        for key in keys:
            blocks[key].append(profile.key)
        for key in shows:
            shown[key].append(profile.key)
        for key in holds:
            held[key].append(profile.key)
    pairs: set[tuple[str, str]] = set()
    for members in blocks.values():
        if 1 < len(members) <= max_block:
            pairs.update((x, y) if x < y else (y, x) for x, y in combinations(members, 2))
    for key, showing in shown.items():
        holding = held.get(key, [])
        if holding and len(showing) <= max_block and len(holding) <= max_block:
            pairs.update((x, y) if x < y else (y, x) for x in showing for y in holding if x != y)
    found = []
    for x, y in pairs:
        candidate = _score(facts[x], facts[y])
        if candidate is not None and candidate.score >= min_score:
            found.append(candidate)
    found.sort(key=lambda c: (-c.score, c.first, c.second))
    return found
