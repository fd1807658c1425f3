"""The query tree. Nodes are immutable and compare by structure; ``column`` (1-based, where the
node starts in the query text, 0 when built by hand) is carried for error messages and ignored by
``==``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "FIELDS",
    "And",
    "Field",
    "FieldName",
    "Near",
    "Node",
    "Not",
    "Or",
    "Pattern",
    "Phrase",
    "Prefix",
    "Term",
    "TermKind",
]

TermKind = Literal["word", "hashtag", "mention"]
FieldName = Literal["lang", "source", "author", "site", "url"]
FIELDS: tuple[FieldName, ...] = ("lang", "source", "author", "site", "url")


@dataclass(frozen=True, slots=True)
class Term:
    """One normalised word. A ``word`` term also matches a hashtag or mention with that body."""

    text: str
    kind: TermKind = "word"
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Prefix:
    """A word starting with ``text`` (``avi*``), at least 3 characters."""

    text: str
    kind: TermKind = "word"
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Two or more consecutive tokens (``"air france"``, ``e-mail``)."""

    items: tuple[Term | Prefix, ...]
    column: int = field(default=0, compare=False, repr=False)


Pattern: TypeAlias = Term | Prefix | Phrase


@dataclass(frozen=True, slots=True)
class Field:
    """A filter on the message's metadata: ``lang:fr``, ``source:reddit``, ``author:jean``,
    ``site:example.com``, ``url:example.com/promo``. The value is normalised."""

    name: FieldName
    value: str
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Near:
    """An occurrence of one of ``left`` and one of ``right`` at most ``distance`` words apart
    (adjacent words are 1 apart); with ``ordered``, the ``left`` one comes first."""

    left: tuple[Pattern, ...]
    right: tuple[Pattern, ...]
    distance: int
    ordered: bool = False
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    """Two or more operands, none of them an ``And`` (the parser flattens)."""

    operands: tuple[Node, ...]
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    """Two or more operands, none of them an ``Or`` (the parser flattens)."""

    operands: tuple[Node, ...]
    column: int = field(default=0, compare=False, repr=False)


Node: TypeAlias = Term | Prefix | Phrase | Field | Near | Not | And | Or
