from __future__ import annotations

from collections.abc import Mapping

from ..messages import Param, Params, check_code, check_params

__all__ = ["InvalidRule"]


class InvalidRule(ValueError):
    """A rule that cannot be compiled. ``message`` is an English sentence for logs; ``code`` and
    ``params`` the same for the product to word (``moderation.*`` codes); ``rule`` names the rule
    and ``field`` the part of it at fault (``words``, ``query``, ``actions``…)."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        params: Mapping[str, Param] | None = None,
        field: str = "",
        rule: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = check_code(code)
        self.params: Params = check_params(params)
        self.field = field
        self.rule = rule
