"""Tree → canonical query text: explicit AND, upper-case operators, parentheses only where the
precedence needs them, phrases in straight double quotes. ``parse(format_query(tree)) == tree``."""

from __future__ import annotations

from typing import Final

from ._ast import And, Field, Near, Node, Not, Or, Pattern, Phrase, Prefix, Term

__all__ = ["format_query"]

_SIGNS: Final = {"word": "", "hashtag": "#", "mention": "@"}


def format_query(node: Node) -> str:
    """The canonical text of a query tree."""
    if isinstance(node, Term):
        return _SIGNS[node.kind] + node.text
    if isinstance(node, Prefix):
        return _SIGNS[node.kind] + node.text + "*"
    if isinstance(node, Phrase):
        return '"' + " ".join(format_query(item) for item in node.items) + '"'
    if isinstance(node, Field):
        return f"{node.name}:{node.value}"
    if isinstance(node, Near):
        operator = f"{'ONEAR' if node.ordered else 'NEAR'}/{node.distance}"
        return f"{_operand(node.left)} {operator} {_operand(node.right)}"
    if isinstance(node, Not):
        return "NOT " + _grouped(node.operand, (And, Or))
    if isinstance(node, And):
        return " AND ".join(_grouped(operand, (Or, And)) for operand in node.operands)
    return " OR ".join(_grouped(operand, (Or,)) for operand in node.operands)


def _grouped(node: Node, needs_parentheses: tuple[type[And] | type[Or], ...]) -> str:
    text = format_query(node)
    return f"({text})" if isinstance(node, needs_parentheses) else text


def _operand(patterns: tuple[Pattern, ...]) -> str:
    text = " OR ".join(format_query(pattern) for pattern in patterns)
    return f"({text})" if len(patterns) > 1 else text
