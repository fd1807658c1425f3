from __future__ import annotations

from collections.abc import Mapping

from ..messages import Param, Params, check_code, check_params

__all__ = ["QuerySyntaxError"]


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed: ``column`` is 1-based, in characters of the query text;
    ``expected`` says what the parser expected there; ``message`` is a whole sentence in English.
    ``code`` and ``params`` are the same message for the product to word in the reader's language
    (docs/query-language.md lists the codes; the column is not a parameter, it is shown apart)."""

    def __init__(
        self,
        column: int,
        expected: str,
        message: str,
        code: str = "",
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.expected = expected
        self.message = message
        self.code = check_code(code)
        self.params: Params = check_params(params)
