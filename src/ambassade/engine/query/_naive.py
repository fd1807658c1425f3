"""The reference semantics: one query on one document, read straight off the token list.

Deliberately simple (no index); the compiled matcher must agree with it on every input."""

from __future__ import annotations

from ._ast import And, Field, Near, Node, Not, Pattern, Phrase, Prefix, Term
from ._document import Document, PreparedDocument, prepare
from ._text import Token, url_body

__all__ = ["evaluate", "field_matches", "spans"]


def evaluate(query: Node, document: Document | PreparedDocument) -> bool:
    """Whether `query` matches `document`."""
    if isinstance(document, Document):
        document = prepare(document)
    return _evaluate(query, document)


def _evaluate(node: Node, document: PreparedDocument) -> bool:
    if isinstance(node, Term | Prefix | Phrase):
        return bool(spans(node, document.tokens))
    if isinstance(node, Field):
        return field_matches(node, document)
    if isinstance(node, Near):
        return _near(node, document.tokens)
    if isinstance(node, Not):
        return not _evaluate(node.operand, document)
    if isinstance(node, And):
        return all(_evaluate(operand, document) for operand in node.operands)
    return any(_evaluate(operand, document) for operand in node.operands)


def _item_matches(item: Term | Prefix, token: Token) -> bool:
    if token.kind == "url" or (item.kind != "word" and item.kind != token.kind):
        return False
    if isinstance(item, Prefix):
        return token.text.startswith(item.text)
    return token.text == item.text


def spans(pattern: Pattern, tokens: tuple[Token, ...]) -> list[tuple[int, int]]:
    """(first, last) token positions of every occurrence of `pattern`."""
    items = pattern.items if isinstance(pattern, Phrase) else (pattern,)
    width = len(items)
    return [
        (start, start + width - 1)
        for start in range(len(tokens) - width + 1)
        if all(_item_matches(item, tokens[start + k]) for k, item in enumerate(items))
    ]


def _near(node: Near, tokens: tuple[Token, ...]) -> bool:
    lefts = [span for pattern in node.left for span in spans(pattern, tokens)]
    rights = [span for pattern in node.right for span in spans(pattern, tokens)]
    for left_first, left_last in lefts:
        for right_first, right_last in rights:
            if left_last < right_first and right_first - left_last <= node.distance:
                return True
            if (
                not node.ordered
                and right_last < left_first
                and left_first - right_last <= node.distance
            ):
                return True
    return False


def field_matches(node: Field, document: PreparedDocument) -> bool:
    value = node.value
    if node.name == "lang":
        return value in document.langs
    if node.name == "source":
        return value == document.source
    if node.name == "author":
        return value == document.author
    if node.name == "site":
        suffix = "." + value
        return any(host == value or host.endswith(suffix) for host in document.hosts)
    return any(url_body(url).startswith(value) for url in document.urls)
