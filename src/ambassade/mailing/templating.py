"""The campaigns' tiny template language: ``{{ first_name }}`` or ``{{ first_name|"there" }}``
(a default when the value is empty), nothing else.

Sandboxed by construction: a variable is looked up in a dictionary of plain strings given by the
product (no attribute, no method, no filter, no tag), so a template can reach nothing. An unknown
variable or a broken ``{{`` is refused when the campaign is saved, naming the variable (or what was
found), the field and the line. The text part is the template with the values put in; the HTML
part is built from the text by :mod:`ambassade.mailing.composing`, every value escaped there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

__all__ = ["VARIABLES", "TemplateError", "check", "render", "variables_help"]

#: The variables a campaign may use, with what they hold.
VARIABLES = (
    "first_name",
    "name",
    "email",
    "brand",
    "unsubscribe_url",
)

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_INSIDE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*"([^"{}]*)"\s*)?$')


class TemplateError(ValueError):
    """A template cannot be used; ``str(error)`` names what, where, in the active language."""

    def __init__(self, message: str, *, variable: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.variable = variable
        self.line = line


@dataclass(frozen=True)
class _Piece:
    text: str
    variable: str = ""
    default: str = ""


def _parse(source: str, where: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    position = 0
    for found in _TAG.finditer(source):
        line = source.count("\n", 0, found.start()) + 1
        inside = _INSIDE.match(found.group(1))
        if inside is None:
            raise TemplateError(
                _('%(where)s, line %(line)s: "%(tag)s" is not a variable (write {{ first_name }}).')
                % {"where": where, "line": line, "tag": found.group(0)[:60]},
                line=line,
            )
        name = inside.group(1)
        if name not in VARIABLES:
            raise TemplateError(
                _("%(where)s, line %(line)s: unknown variable {{ %(name)s }}. Known: %(known)s.")
                % {
                    "where": where,
                    "line": line,
                    "name": name,
                    "known": ", ".join(VARIABLES),
                },
                variable=name,
                line=line,
            )
        pieces.append(_Piece(source[position : found.start()]))
        pieces.append(_Piece("", name, inside.group(2) or ""))
        position = found.end()
    rest = source[position:]
    if "{{" in rest or "}}" in rest:
        index = position + max(rest.find("{{"), rest.find("}}"))
        line = source.count("\n", 0, index) + 1
        raise TemplateError(
            _("%(where)s, line %(line)s: a {{ is not closed by }} (or a }} has no {{).")
            % {"where": where, "line": line},
            line=line,
        )
    pieces.append(_Piece(rest))
    return pieces


def check(source: str, where: str) -> None:
    """Raise :class:`TemplateError` when ``source`` cannot be rendered."""
    _parse(source, where)


def render(source: str, values: dict[str, str], where: str = "") -> str:
    """``source`` with each variable replaced by its value (its default when empty)."""
    out: list[str] = []
    for piece in _parse(source, where):
        if piece.variable:
            out.append(values.get(piece.variable, "") or piece.default)
        else:
            out.append(piece.text)
    return "".join(out)


def variables_help() -> list[tuple[str, str]]:
    return [
        ("first_name", _("the person's first name (the first word of their name)")),
        ("name", _("the person's name as the community knows it")),
        ("email", _("their e-mail address")),
        ("brand", _("the workspace's name")),
        ("unsubscribe_url", _("their unsubscribe link (one is added at the bottom anyway)")),
    ]
