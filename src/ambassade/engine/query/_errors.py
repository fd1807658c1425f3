from __future__ import annotations

__all__ = ["QuerySyntaxError"]


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed: ``column`` is 1-based, in characters of the query text;
    ``expected`` says what the parser expected there; ``message`` is a whole sentence."""

    def __init__(self, column: int, expected: str, message: str) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.expected = expected
        self.message = message
