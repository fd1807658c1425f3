"""Reading untrusted JSON and JSON Lines: every problem is a :class:`JsonProblem` naming where.

Every reader of a file or a body a person or a network gives (file import, ``analyze``, ``match``, the
webhook) goes through these, so that no input can raise ``RecursionError`` (deeply nested arrays),
split a line where JSON does not (``str.splitlines`` also splits on U+2028, U+0085, form feeds…: all
valid inside a JSON string), or hold a whole file in memory. Pure Python, no Django.

- :func:`loads` parses one JSON text; nesting deeper than :data:`MAX_DEPTH` is refused.
- :func:`read_lines` yields ``(line number, text)`` for each line of a binary stream, splitting on
  ``\\n`` only (``\\r\\n`` too), decoding UTF-8 (a byte-order mark on the first line is dropped) and
  refusing a line longer than ``max_bytes`` without reading it into memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import IO, Any

from ambassade.engine.messages import Param, Params, check_code, check_params

__all__ = ["MAX_DEPTH", "MAX_LINE_BYTES", "JsonProblem", "LineProblem", "loads", "read_lines"]

#: Deepest nesting of arrays and objects accepted (real exports nest a few levels).
MAX_DEPTH = 64
#: Longest JSON Lines line read by default (a post with its metadata is a few kilobytes).
MAX_LINE_BYTES = 1 << 20
_CHUNK = 1 << 16


class JsonProblem(ValueError):
    """Not JSON, or JSON this product does not read; ``message`` says why (and the column), in
    English; ``code`` and ``params`` are the same for the product to word
    (:mod:`ambassade.engine.messages`)."""

    def __init__(
        self,
        message: str,
        column: int | None = None,
        reason: str = "",
        *,
        code: str = "",
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        #: For a syntax error, the decoder's own words ("Expecting value at column 3"), else "".
        self.reason = reason
        self.code = check_code(code)
        self.params: Params = check_params(params)


class LineProblem(ValueError):
    """A line that cannot be read as text (not UTF-8, too long)."""

    def __init__(
        self, line: int, message: str, *, code: str = "", params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message
        self.code = check_code(code)
        self.params: Params = check_params(params)


def _too_deep(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        return text.count(b"[") + text.count(b"{") > MAX_DEPTH
    return text.count("[") + text.count("{") > MAX_DEPTH


def _depth(value: Any) -> int:
    """The nesting depth of a decoded value, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises only :class:`JsonProblem` on bad input."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonProblem(
            f"arrays and objects are nested more than {MAX_DEPTH} deep",
            code="json.too_deep",
            params={"limit": MAX_DEPTH},
        ) from None
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at column {exc.colno}"
        raise JsonProblem(
            f"not valid JSON: {reason}",
            exc.colno,
            reason,
            code="json.invalid_at",
            params={"detail": exc.msg, "column": exc.colno},
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:  # e.g. an integer of more than 4,300 digits
        raise JsonProblem(
            f"not valid JSON: {exc}",
            None,
            str(exc),
            code="json.invalid",
            params={"detail": str(exc)},
        ) from None
    # Counting brackets is cheap and rules out deep nesting for nearly every line.
    if _too_deep(text) and _depth(value) > MAX_DEPTH:
        raise JsonProblem(
            f"arrays and objects are nested more than {MAX_DEPTH} deep",
            code="json.too_deep",
            params={"limit": MAX_DEPTH},
        )
    return value


def read_lines(
    stream: IO[bytes], *, max_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, str | LineProblem]]:
    """``(number, text without its line ending)`` for each line, 1-based, or a :class:`LineProblem`
    for a line that is not UTF-8 or longer than ``max_bytes`` (that line is skipped, unread)."""
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while True:  # skip the rest of the long line in bounded chunks
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield (
                number,
                LineProblem(
                    number,
                    f"the line is longer than {max_bytes:,} bytes",
                    code="json.line_too_long",
                    params={"limit": max_bytes},
                ),
            )
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, LineProblem(number, "not UTF-8 text", code="json.not_utf8")
