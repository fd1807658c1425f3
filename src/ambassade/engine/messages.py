"""Messages for people, made where something happens and worded where they are shown.

The engine and the connectors speak no language of their own. What they report to a person (a query
that does not parse, a network that refused a token, a line of a file that cannot be imported)
carries a ``code`` naming the situation and the ``params`` a sentence about it needs. The English
``text`` beside them is for logs, the command line and as a last resort; the product words the code
in the reader's language when it shows it (``ambassade.workspaces.messages``), stored messages
included, so a notification written yesterday reads in today's reader's language.

Codes are dotted lower-case names (``query.unterminated_quote``, ``http.timeout``); parameters are
plain values (text, whole or decimal numbers), never sentences in a language, except a network's own
words passed through as they came (``detail``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeAlias

__all__ = ["CODE_PATTERN", "Coded", "Message", "Param", "Params", "check_code", "check_params"]

Param: TypeAlias = str | int | float
Params: TypeAlias = Mapping[str, Param]

CODE_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
#: Longer text parameters are cut: a message is a sentence, not a copy of a network's answer.
MAX_PARAM_LENGTH: Final = 500


def check_code(code: str) -> str:
    """``code`` if it is a dotted lower-case name (or empty: no code); ValueError otherwise."""
    if code and not CODE_PATTERN.fullmatch(code):
        raise ValueError(f"a message code is a dotted lower-case name, not {code!r}")
    return code


def check_params(params: Mapping[str, object] | None) -> dict[str, Param]:
    """A copy of ``params`` holding only plain values; long texts are cut at
    :data:`MAX_PARAM_LENGTH` characters. TypeError names a value of another type."""
    clean: dict[str, Param] = {}
    for name, value in (params or {}).items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(f"message parameter {name!r} must be text or a number, not {value!r}")
        if isinstance(value, str) and len(value) > MAX_PARAM_LENGTH:
            value = value[: MAX_PARAM_LENGTH - 1] + "…"
        clean[name] = value
    return clean


class Coded(Protocol):
    """Anything that carries a coded message: :class:`Message`, ``ConnectorError``,
    ``QuerySyntaxError``. ``message`` is the English sentence."""

    @property
    def code(self) -> str: ...

    @property
    def params(self) -> Params: ...

    @property
    def message(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Message:
    """One message for a person: ``code`` and ``params`` for the product to word, ``text`` in
    English for logs and the command line."""

    code: str
    text: str = ""
    params: Params = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_code(self.code)
        object.__setattr__(self, "params", check_params(self.params))

    @property
    def message(self) -> str:
        return self.text or self.code

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params), "text": self.text}

    @classmethod
    def from_json(cls, data: object) -> Message | None:
        """The message :meth:`to_json` gave, or None when ``data`` is not one."""
        if not isinstance(data, dict):
            return None
        code, text, params = data.get("code"), data.get("text", ""), data.get("params", {})
        if not isinstance(code, str) or not isinstance(text, str) or not isinstance(params, dict):
            return None
        try:
            return cls(code, text, params)
        except (TypeError, ValueError):
            return None
