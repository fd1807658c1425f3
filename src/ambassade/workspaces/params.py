"""Numbers and ids read from untrusted request parameters.

``str.isdigit()`` is the wrong gate before ``int()``: it accepts ``'²'`` (which ``int()`` refuses) and
``'١٢'`` or ``'９'`` (which ``int()`` reads, though no form of ours writes them), and says nothing of
size, so ``'1' * 30`` overflows the database's integer. These helpers accept ASCII digits only and
numbers within the database's range, and answer None (or the default) for anything else.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_ID", "parse_id", "parse_ids", "parse_int"]

#: The largest value of a 64-bit signed integer column (``BigAutoField`` on SQLite and PostgreSQL).
MAX_ID = 2**63 - 1


def parse_int(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``value`` as a whole number written in ASCII digits (no sign, space or exponent) between
    ``minimum`` and ``maximum``, or None."""
    if not isinstance(value, str) or not value or len(value) > 19:
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A database id (1 to :data:`MAX_ID`) from request text, or None."""
    return parse_int(value, minimum=1)


def parse_ids(values: Iterable[object], limit: int | None = None) -> list[int]:
    """The valid ids among ``values``, in order, without repeats, at most ``limit`` of them."""
    ids = list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))
    return ids if limit is None else ids[:limit]
