"""The verifiable contest draw, version ``ambassade-draw/1`` (docs/contests.md, the specification).

1. Before the close, the organiser draws a secret 32-byte **seed** and publishes its
   **commitment**, ``SHA-256(seed)`` in lower-case hexadecimal.
2. At the close the entry list is frozen. Its **canonical form** is every entry identifier in
   Unicode NFC, encoded in UTF-8, unique, sorted by those bytes, each followed by one line feed
   (``0x0A``); ``entries_sha256`` is the SHA-256 of that, in hexadecimal.
3. After the close the organiser publishes the seed, the entry list and its hash. Winners come
   from ``HMAC-SHA256(key=seed, message=b"ambassade-draw/1\\x00" + SHA-256(canonical entries)
   + counter as 8 bytes big-endian)``, counter 0, 1, 2… one per HMAC: the first 8 bytes of each
   HMAC, big-endian, are a number ``r`` below 2⁶⁴; to pick among ``m`` remaining entries,
   ``r`` is rejected when ``r ≥ 2⁶⁴ − (2⁶⁴ mod m)`` (so every entry has exactly the same chance),
   else the entry at index ``r mod m`` of the remaining ones (canonical order) wins and leaves
   the list, the others keeping their order. Winners come first, then the reserves, in the order
   drawn.

Anyone can then check that the seed matches the commitment made before the close, that the list
matches its hash, and recompute the winners (:func:`verify`, ``ambassade verify-draw``).

A draw may also publish its **eligibility** (:class:`Eligibility`): the saved segments that said
who could win, each with its definition, how many members it held at the freeze and the entry
codes it left out; :func:`verify` checks that none of those codes is in the list.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from ambassade.engine.messages import Message

__all__ = [
    "FORMAT",
    "Draw",
    "DrawError",
    "Eligibility",
    "Verification",
    "canonical_entries",
    "commitment",
    "draw_winners",
    "entries_sha256",
    "new_seed",
    "verify",
]

FORMAT: Final = "ambassade-draw/1"
SEED_BYTES: Final = 32
_DOMAIN: Final = FORMAT.encode("ascii") + b"\x00"
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
#: An entry identifier is one line of text, at most this many characters.
MAX_ENTRY_LENGTH: Final = 200


class DrawError(ValueError):
    """A draw that cannot be made or read; ``code`` and ``params`` say why (engine messages)."""

    def __init__(self, text: str, code: str, **params: str | int) -> None:
        super().__init__(text)
        self.message = text
        self.code = code
        self.params: dict[str, str | int] = dict(params)


def new_seed() -> bytes:
    """A fresh secret seed, from the operating system's random source."""
    return secrets.token_bytes(SEED_BYTES)


def commitment(seed: bytes) -> str:
    """What is published before the close: SHA-256 of the seed, in hexadecimal."""
    _check_seed(seed)
    return hashlib.sha256(seed).hexdigest()


def _check_seed(seed: bytes) -> None:
    if len(seed) != SEED_BYTES:
        raise DrawError(
            f"the seed must be {SEED_BYTES} bytes, not {len(seed)}",
            "draw.bad_seed",
            expected=SEED_BYTES,
            length=len(seed),
        )


def canonical_entries(entries: Iterable[str]) -> bytes:
    """The canonical form of an entry list (NFC, UTF-8, sorted, one line each). DrawError names
    an empty, multi-line, too long or repeated entry (``position`` counts from 1)."""
    seen: set[bytes] = set()
    for position, entry in enumerate(entries, 1):
        if not isinstance(entry, str):
            raise DrawError(f"entry {position} is not text", "draw.bad_entry", position=position)
        text = unicodedata.normalize("NFC", entry)
        if not text or "\n" in text or "\r" in text or len(text) > MAX_ENTRY_LENGTH:
            raise DrawError(
                f"entry {position} must be one line of 1 to {MAX_ENTRY_LENGTH} characters",
                "draw.bad_entry",
                position=position,
            )
        encoded = text.encode("utf-8")
        if encoded in seen:
            raise DrawError(
                f"entry {position} is there twice", "draw.repeated_entry", position=position
            )
        seen.add(encoded)
    return b"".join(entry + b"\n" for entry in sorted(seen))


def entries_sha256(entries: Iterable[str]) -> str:
    return hashlib.sha256(canonical_entries(entries)).hexdigest()


def draw_winners(seed: bytes, entries: Iterable[str], count: int) -> list[str]:
    """``count`` entries drawn from ``entries`` with ``seed`` (winners, then reserves), in the
    order drawn, as NFC text. Fewer when there are fewer entries."""
    _check_seed(seed)
    if count < 0:
        raise DrawError("the number of winners must be at least 0", "draw.bad_count")
    canonical = canonical_entries(entries)
    remaining = [line.decode("utf-8") for line in canonical.split(b"\n")[:-1]]
    message = _DOMAIN + hashlib.sha256(canonical).digest()
    winners: list[str] = []
    counter = 0
    while len(winners) < count and remaining:
        m = len(remaining)
        limit = 2**64 - (2**64 % m)
        while True:
            block = hmac.new(seed, message + counter.to_bytes(8, "big"), hashlib.sha256).digest()
            counter += 1
            r = int.from_bytes(block[:8], "big")
            if r < limit:
                break
        winners.append(remaining.pop(r % m))
    return winners


#: The rules an :class:`Eligibility` may have.
ELIGIBILITY_RULES: Final = ("only", "exclude")


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who could win, fixed at the freeze: ``rule`` is ``only`` (only the members of the segment
    could win) or ``exclude`` (its members could not); ``segment`` is its name, ``definition``
    its filter as it was at the freeze (a JSON object), ``members`` how many members it held
    then, ``left_out`` the entry codes it kept out of the list (in canonical order)."""

    rule: str
    segment: str
    definition: Mapping[str, object]
    members: int
    left_out: tuple[str, ...]

    def to_data(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "segment": self.segment,
            "definition": dict(self.definition),
            "members": self.members,
            "left_out": list(self.left_out),
        }

    @classmethod
    def from_data(cls, data: object, position: int) -> Eligibility:
        """One item of a file's ``eligibility`` (``position`` from 1, for the error)."""

        def bad(name: str) -> DrawError:
            where = f"eligibility.{position}.{name}"
            return DrawError(f"{where} is not valid", "draw.bad_eligibility", field=where)

        if not isinstance(data, Mapping):
            raise bad("rule")
        rule, segment, definition = data.get("rule"), data.get("segment"), data.get("definition")
        members, left_out = data.get("members"), data.get("left_out")
        if rule not in ELIGIBILITY_RULES:
            raise bad("rule")
        if not isinstance(segment, str):
            raise bad("segment")
        if not isinstance(definition, Mapping):
            raise bad("definition")
        if isinstance(members, bool) or not isinstance(members, int) or members < 0:
            raise bad("members")
        if not isinstance(left_out, list) or not all(isinstance(c, str) for c in left_out):
            raise bad("left_out")
        return cls(str(rule), segment[:200], dict(definition), members, tuple(left_out))


@dataclass(frozen=True, slots=True)
class Draw:
    """A published draw: what ``ambassade verify-draw`` reads (docs/contests.md)."""

    commitment: str
    seed: str
    entries: tuple[str, ...]
    entries_sha256: str
    winners: int
    reserves: int
    results: tuple[str, ...]
    contest: str = ""
    committed_at: str = ""
    closed_at: str = ""
    eligibility: tuple[Eligibility, ...] = ()

    @classmethod
    def make(
        cls,
        seed: bytes,
        entries: Sequence[str],
        winners: int,
        reserves: int = 0,
        eligibility: Sequence[Eligibility] = (),
        **about: str,
    ) -> Draw:
        """The draw to publish after the close, for ``seed`` committed before it."""
        if winners < 1 or reserves < 0:
            raise DrawError("a draw has at least one winner", "draw.bad_count")
        listed = tuple(
            line.decode("utf-8") for line in canonical_entries(entries).split(b"\n")[:-1]
        )
        return cls(
            commitment=commitment(seed),
            seed=seed.hex(),
            entries=listed,
            entries_sha256=entries_sha256(listed),
            winners=winners,
            reserves=reserves,
            results=tuple(draw_winners(seed, listed, winners + reserves)),
            contest=about.get("contest", ""),
            committed_at=about.get("committed_at", ""),
            closed_at=about.get("closed_at", ""),
            eligibility=tuple(eligibility),
        )

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "contest": self.contest,
            "committed_at": self.committed_at,
            "closed_at": self.closed_at,
            "commitment": self.commitment,
            "seed": self.seed,
            "entries_sha256": self.entries_sha256,
            "winners": self.winners,
            "reserves": self.reserves,
            "results": list(self.results),
            "entries": list(self.entries),
        }
        if self.eligibility:
            data["eligibility"] = [item.to_data() for item in self.eligibility]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, data: object) -> Draw:
        """Read a published draw (a decoded JSON object); DrawError names the bad field."""
        if not isinstance(data, Mapping):
            raise DrawError("a draw file is a JSON object", "draw.not_an_object")
        if data.get("format") != FORMAT:
            raise DrawError(
                f"unknown draw format {str(data.get('format'))[:40]!r}; expected {FORMAT}",
                "draw.unknown_format",
                expected=FORMAT,
            )
        for name in ("commitment", "seed", "entries_sha256"):
            value = data.get(name)
            if not isinstance(value, str) or not _HEX64.fullmatch(value):
                raise DrawError(
                    f"{name} must be 64 lower-case hexadecimal digits", "draw.bad_hex", field=name
                )
        for name in ("winners", "reserves"):
            value = data.get(name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise DrawError(
                    f"{name} must be a whole number of at least 0", "draw.bad_number", field=name
                )
        for name in ("entries", "results"):
            value = data.get(name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DrawError(f"{name} must be a list of texts", "draw.bad_list", field=name)
        about = {
            name: str(data.get(name) or "")[:200]
            for name in ("contest", "committed_at", "closed_at")
        }
        rules = data.get("eligibility", [])
        if not isinstance(rules, list):
            raise DrawError(
                "eligibility must be a list", "draw.bad_eligibility", field="eligibility"
            )
        eligibility = tuple(Eligibility.from_data(item, n) for n, item in enumerate(rules, 1))
        return cls(
            commitment=data["commitment"],
            seed=data["seed"],
            entries=tuple(data["entries"]),
            entries_sha256=data["entries_sha256"],
            winners=data["winners"],
            reserves=data["reserves"],
            results=tuple(data["results"]),
            eligibility=eligibility,
            **about,
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`: ``ok`` and one coded message saying why."""

    ok: bool
    message: Message


def _failed(code: str, text: str, **params: str | int) -> Verification:
    return Verification(False, Message(code, text, params))


def verify(draw: Draw) -> Verification:
    """Check a published draw: the seed against the commitment, the entry list against its
    hash, and the results against a recomputation."""
    seed = bytes.fromhex(draw.seed)
    if hashlib.sha256(seed).hexdigest() != draw.commitment:
        return _failed(
            "draw.commitment_mismatch",
            "the seed does not match the commitment published before the close",
        )
    try:
        digest = entries_sha256(draw.entries)
    except DrawError as error:
        return Verification(False, Message(error.code, error.message, error.params))
    if digest != draw.entries_sha256:
        return _failed("draw.entries_mismatch", "the entry list does not match its published hash")
    listed = {unicodedata.normalize("NFC", entry) for entry in draw.entries}
    for rule in draw.eligibility:
        for code in rule.left_out:
            if unicodedata.normalize("NFC", code) in listed:
                return _failed(
                    "draw.left_out_listed",
                    f"the entry {code!r} is in the list, yet the segment {rule.segment!r} left "
                    "it out",
                    entry=code[:200],
                    segment=rule.segment,
                )
    expected = draw_winners(seed, draw.entries, draw.winners + draw.reserves)
    published = [unicodedata.normalize("NFC", result) for result in draw.results]
    for position, (want, got) in enumerate(zip(expected, published, strict=False), 1):
        if want != got:
            return _failed(
                "draw.result_mismatch",
                f"result {position} should be {want!r}, the file says {got!r}",
                position=position,
                expected=want,
                published=got,
            )
    if len(published) != len(expected):
        return _failed(
            "draw.result_count",
            f"the file lists {len(published)} results; the draw gives {len(expected)}",
            published=len(published),
            expected=len(expected),
        )
    return Verification(
        True,
        Message(
            "draw.verified",
            f"verified: {min(draw.winners, len(expected))} winners and "
            f"{max(0, len(expected) - draw.winners)} reserves out of {len(draw.entries)} entries",
            {
                "winners": min(draw.winners, len(expected)),
                "reserves": max(0, len(expected) - draw.winners),
                "entries": len(draw.entries),
            },
        ),
    )
