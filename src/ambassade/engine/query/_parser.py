"""Query text → tree. Operators are upper case only (``and``, ``or``, ``not`` are words)::

    query   := or END
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          two operands side by side mean AND
    unary   := "NOT" unary | near
    near    := primary [("NEAR/n" | "ONEAR/n") primary]
    primary := term | "phrase" | field:value | "(" or ")"

Errors are found left to right: a lexeme that is wrong in itself (an unterminated quote, ``NEAR``
without a distance) is reported only when the parser reaches it, so the leftmost problem wins.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Final, Literal

from ..messages import Param
from ._ast import FIELDS, And, Field, FieldName, Near, Node, Not, Or, Pattern, Phrase, Prefix, Term
from ._errors import QuerySyntaxError
from ._text import Token, normalise, tokenise

__all__ = ["check_matchable", "parse"]

MIN_PREFIX: Final = 3
# Nested parentheses and NOTs: far beyond any real query, well within Python's stack.
MAX_DEPTH: Final = 100
#: The largest NEAR/ONEAR distance, in words: far beyond any real query, and a bound on the digits read.
MAX_DISTANCE: Final = 10_000
_OPENING_QUOTES: Final = {'"': '"', "“": "”", "«": "»"}
_STOPS: Final = frozenset('()"“«')
_NEAR: Final = re.compile(r"(O?)NEAR(?:/(.*))?", re.S)
_FIELD: Final = re.compile(r"([^\W\d_]+):(.*)", re.S)
_OPERAND: Final = "a term, a phrase or '('"
_NEAR_OPERAND: Final = "a term, a phrase, a wildcard or a parenthesised OR of those"

_Kind = Literal["(", ")", "AND", "OR", "NOT", "NEAR", "phrase", "chunk", "error", "end"]


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: _Kind
    text: str
    column: int
    distance: int = 0
    ordered: bool = False
    expected: str = ""
    # An error lexeme's message code and parameters (ambassade.engine.messages).
    code: str = ""
    params: tuple[tuple[str, Param], ...] = ()

    @property
    def label(self) -> str:
        return "the end of the query" if self.kind == "end" else repr(self.text)

    def error(self) -> QuerySyntaxError:
        return QuerySyntaxError(self.column, self.expected, self.text, self.code, dict(self.params))


def _found(code: str, lexeme: _Lexeme, **params: Param) -> tuple[str, dict[str, Param]]:
    """``code`` with ``found`` (the lexeme's text) among its parameters, or ``code_at_end`` when
    the query ended there: the product words "found the end of the query" apart."""
    if lexeme.kind == "end":
        return f"{code}_at_end", params
    return code, {**params, "found": lexeme.text}


def _lex(query: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char in "()":
            lexemes.append(_Lexeme("(" if char == "(" else ")", char, column))
            i += 1
        elif char in _OPENING_QUOTES:
            end = query.find(_OPENING_QUOTES[char], i + 1)
            if end < 0:
                lexemes.append(
                    _Lexeme(
                        "error",
                        "unterminated quote: the phrase opened here is never closed",
                        column,
                        expected=f"a closing {_OPENING_QUOTES[char]}",
                        code="query.unterminated_quote",
                        params=(("closing", _OPENING_QUOTES[char]),),
                    )
                )
                break
            lexemes.append(_Lexeme("phrase", query[i + 1 : end], column))
            i = end + 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in _STOPS:
                j += 1
            lexemes.append(_word_lexeme(query[i:j], column))
            i = j
    lexemes.append(_Lexeme("end", "", n + 1))
    return lexemes


def _word_lexeme(text: str, column: int) -> _Lexeme:
    if text in ("AND", "OR", "NOT"):
        return _Lexeme(text, text, column)  # type: ignore[arg-type]
    near = _NEAR.fullmatch(text)
    if near is None:
        return _Lexeme("chunk", text, column)
    operator = text.split("/", 1)[0]
    expected = f"a distance of at least 1 after {operator}, as in {operator}/3"
    distance = near.group(2)
    if distance is None:
        return _Lexeme(
            "error",
            f"{operator} needs a distance, as in {operator}/3",
            column,
            expected=expected,
            code="query.near_without_distance",
            params=(("operator", operator),),
        )
    shown = distance if len(distance) <= 20 else distance[:20] + "…"
    # Read as text first: int() refuses more than 4,300 digits (and is slow well before that).
    significant = distance.lstrip("0")
    if not (distance.isascii() and distance.isdigit()) or not significant:
        return _Lexeme(
            "error",
            f"{operator} needs a distance of at least 1, not {shown!r}",
            column + len(operator) + 1,
            expected=expected,
            code="query.near_bad_distance",
            params=(("operator", operator), ("distance", shown)),
        )
    if len(significant) > len(str(MAX_DISTANCE)) or int(significant) > MAX_DISTANCE:
        return _Lexeme(
            "error",
            f"{operator} needs a distance of at most {MAX_DISTANCE}, not {shown!r}",
            column + len(operator) + 1,
            expected=f"a distance from 1 to {MAX_DISTANCE} after {operator}, as in {operator}/3",
            code="query.near_distance_too_large",
            params=(("operator", operator), ("distance", shown), ("maximum", MAX_DISTANCE)),
        )
    return _Lexeme("NEAR", text, column, distance=int(significant), ordered=bool(near.group(1)))


class _Parser:
    def __init__(self, query: str) -> None:
        self.lexemes = _lex(query)
        self.position = 0
        self.depth = 0

    @property
    def current(self) -> _Lexeme:
        return self.lexemes[self.position]

    def kind(self) -> _Kind:
        """The kind of the current lexeme (a call, so type narrowing does not outlive advance())."""
        return self.current.kind

    def advance(self) -> _Lexeme:
        lexeme = self.current
        if lexeme.kind == "error":
            raise lexeme.error()
        self.position += 1
        return lexeme

    def fail(
        self,
        expected: str,
        message: str,
        code: str,
        params: dict[str, Param] | None = None,
        lexeme: _Lexeme | None = None,
    ) -> QuerySyntaxError:
        lexeme = lexeme or self.current
        if lexeme.kind == "error":  # the earliest problem wins
            return lexeme.error()
        return QuerySyntaxError(lexeme.column, expected, message, code, params)

    def starts_operand(self) -> bool:
        return self.current.kind in ("(", "phrase", "chunk", "NOT", "error")

    def require_operand(self, after: _Lexeme) -> None:
        if not self.starts_operand():
            raise self.fail(
                _OPERAND,
                f"expected {_OPERAND} after {after.text}, found {self.current.label}",
                *_found("query.operand_expected_after", self.current, after=after.text),
            )

    # query := or END
    def query(self) -> Node:
        if self.current.kind == "end":
            raise self.fail(_OPERAND, "the query is empty", "query.empty")
        node = self.or_()
        lexeme = self.current
        if lexeme.kind == ")":
            raise self.fail(
                "the end of the query",
                "unbalanced parenthesis: no '(' to close here",
                "query.unbalanced_close",
            )
        if lexeme.kind == "NEAR":
            raise self.fail(
                "AND, OR or the end of the query",
                f"{lexeme.text} cannot take a NEAR expression as its operand; "
                f"its operands are {_NEAR_OPERAND}",
                "query.near_of_near",
                {"operator": lexeme.text},
            )
        if lexeme.kind != "end":  # pragma: no cover - every other lexeme starts or joins an operand
            raise self.fail(
                "AND, OR or the end of the query",
                f"unexpected {lexeme.label}",
                "query.unexpected",
                {"found": lexeme.text},
            )
        check_matchable(node)
        return node

    def or_(self) -> Node:
        operands = [self.and_()]
        while self.current.kind == "OR":
            self.require_operand(self.advance())
            operands.append(self.and_())
        return _join(Or, operands)

    def and_(self) -> Node:
        operands = [self.unary()]
        while True:
            if self.current.kind == "AND":
                self.require_operand(self.advance())
            elif not self.starts_operand():
                break
            operands.append(self.unary())
        return _join(And, operands)

    def nest(self, lexeme: _Lexeme) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(
                lexeme.column,
                f"at most {MAX_DEPTH} nested parentheses and NOTs",
                f"the query nests more than {MAX_DEPTH} parentheses and NOTs deep",
                "query.too_deep",
                {"limit": MAX_DEPTH},
            )

    def unary(self) -> Node:
        if self.current.kind == "NOT":
            keyword = self.advance()
            self.require_operand(keyword)
            self.nest(keyword)
            operand = self.unary()
            self.depth -= 1
            return Not(operand, column=keyword.column)
        return self.near()

    def near(self) -> Node:
        left = self.primary()
        if self.current.kind != "NEAR":
            return left
        operator = self.advance()
        left_patterns = _near_operand(left, operator)
        if self.current.kind not in ("(", "phrase", "chunk", "error"):
            raise self.fail(
                _NEAR_OPERAND,
                f"expected {_NEAR_OPERAND} after {operator.text}, found {self.current.label}",
                *_found("query.near_operand_expected", self.current, operator=operator.text),
            )
        right = self.primary()
        return Near(
            left_patterns,
            _near_operand(right, operator),
            operator.distance,
            operator.ordered,
            column=left.column,
        )

    def primary(self) -> Node:
        lexeme = self.current
        if lexeme.kind == "(":
            self.advance()
            if self.current.kind == ")":
                raise self.fail(
                    _OPERAND,
                    "empty parentheses: expected something to match inside",
                    "query.empty_parentheses",
                )
            if not self.starts_operand():
                raise self.fail(
                    _OPERAND,
                    f"expected {_OPERAND} after '(', found {self.current.label}",
                    *_found("query.operand_expected_after", self.current, after="("),
                )
            self.nest(lexeme)
            node = self.or_()
            self.depth -= 1
            if self.kind() != ")":
                raise self.fail(
                    "')'",
                    f"unbalanced parenthesis: expected ')' to close the '(' at column "
                    f"{lexeme.column}, found {self.current.label}",
                    *_found("query.unclosed_parenthesis", self.current, opened=lexeme.column),
                )
            self.advance()
            return dataclasses.replace(node, column=lexeme.column)  # errors point at the '('
        if lexeme.kind == "phrase":
            self.advance()
            return _phrase(lexeme)
        if lexeme.kind == "chunk":
            self.advance()
            return _chunk(lexeme)
        if lexeme.kind in ("AND", "OR", "NEAR"):
            raise self.fail(
                _OPERAND,
                f"{lexeme.text} needs an operand on its left",
                "query.operator_without_left",
                {"operator": lexeme.text},
            )
        if self.current.kind == ")":
            raise self.fail(
                _OPERAND, "unbalanced parenthesis: no '(' to close here", "query.unbalanced_close"
            )
        raise self.fail(
            _OPERAND,
            f"expected {_OPERAND}, found {lexeme.label}",
            *_found("query.operand_expected", lexeme),
        )


def _join(kind: type[And] | type[Or], operands: list[Node]) -> Node:
    if len(operands) == 1:
        return operands[0]
    flat: list[Node] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat), column=operands[0].column)


def _near_operand(node: Node, operator: _Lexeme) -> tuple[Pattern, ...]:
    if isinstance(node, Term | Prefix | Phrase):
        return (node,)
    if isinstance(node, Or) and all(isinstance(o, Term | Prefix | Phrase) for o in node.operands):
        return node.operands  # type: ignore[return-value]
    raise QuerySyntaxError(
        node.column,
        _NEAR_OPERAND,
        f"the operands of {operator.text} must be {_NEAR_OPERAND}",
        "query.near_operand",
        {"operator": operator.text},
    )


def _items(tokens: list[Token], prefixed: list[bool], column: int) -> list[Term | Prefix]:
    items: list[Term | Prefix] = []
    for token, prefix in zip(tokens, prefixed, strict=True):
        if token.kind == "url":
            raise QuerySyntaxError(
                column,
                "a word, or the filter url: or site:",
                "a link cannot be searched as text: use url:… or site:…",
                "query.link_as_text",
            )
        if prefix:
            if len(token.text) < MIN_PREFIX:
                raise QuerySyntaxError(
                    column,
                    f"at least {MIN_PREFIX} characters before '*'",
                    f"a wildcard needs at least {MIN_PREFIX} letters or digits before '*', "
                    f"as in avi*: {token.text}* is too short",
                    "query.wildcard_too_short",
                    {"minimum": MIN_PREFIX, "word": f"{token.text}*"},
                )
            items.append(Prefix(token.text, token.kind, column=column))
        else:
            items.append(Term(token.text, token.kind, column=column))
    return items


def _pattern(items: list[Term | Prefix], column: int) -> Pattern:
    return items[0] if len(items) == 1 else Phrase(tuple(items), column=column)


def _phrase(lexeme: _Lexeme) -> Pattern:
    text = normalise(lexeme.text)
    tokens = tokenise(text, normalised=True)
    if not tokens:
        raise QuerySyntaxError(
            lexeme.column,
            "a word inside the quotes",
            "the phrase holds no word to match",
            "query.empty_phrase",
        )
    # A word immediately followed by '*' inside quotes is a wildcard ("air fran*").
    prefixed = []
    offset = 0
    for token in tokens:
        end = text.index(token.text, offset) + len(token.text)
        prefixed.append(token.kind != "url" and text[end : end + 1] == "*")
        offset = end
    return _pattern(_items(tokens, prefixed, lexeme.column), lexeme.column)


def _chunk(lexeme: _Lexeme) -> Node:
    raw, column = lexeme.text, lexeme.column
    field = _FIELD.fullmatch(raw)
    if field is not None and not raw.lower().startswith(("http:", "https:")):
        return _field(field.group(1), field.group(2), column)
    if raw.lower().startswith(("http:", "https:")):
        raise QuerySyntaxError(
            column,
            "a word, or the filter url: or site:",
            "a link cannot be searched as text: use url:… or site:…",
            "query.link_as_text",
        )
    if raw.startswith("-") and len(raw) > 1:
        raise QuerySyntaxError(
            column,
            _OPERAND,
            f"to leave out a word write NOT {raw[1:]}, not {raw}",
            "query.minus_for_not",
            {"word": raw[1:], "written": raw},
        )
    text = normalise(raw)
    wildcard = text.endswith("*")
    body = text[:-1] if wildcard else text
    if "*" in body:
        star = column + raw.index("*") if "*" in raw else column
        raise QuerySyntaxError(
            star,
            "'*' at the end of a word",
            "'*' can only end a word, as in avi*",
            "query.star_inside_word",
        )
    tokens = tokenise(body, normalised=True)
    if wildcard and (not tokens or not body.endswith(tokens[-1].text)):  # "*", "air-*"
        raise QuerySyntaxError(
            column,
            "'*' at the end of a word",
            "'*' can only end a word, as in avi*",
            "query.star_inside_word",
        )
    if not tokens:
        raise QuerySyntaxError(
            column,
            _OPERAND,
            f"{raw!r} holds no letter or digit to match",
            "query.nothing_to_match",
            {"text": raw},
        )
    prefixed = [False] * len(tokens)
    if wildcard:
        prefixed[-1] = True
    return _pattern(_items(tokens, prefixed, column), column)


def _field(name: str, raw_value: str, column: int) -> Field:
    key = name.lower()
    if key not in FIELDS:
        raise QuerySyntaxError(
            column,
            "one of the fields " + ", ".join(f"{f}:" for f in FIELDS),
            f"unknown field {name}:, expected one of " + ", ".join(f"{f}:" for f in FIELDS),
            "query.unknown_field",
            {"field": name, "fields": " ".join(f"{f}:" for f in FIELDS)},
        )
    field_name: FieldName = key
    value = normalise(raw_value).strip()
    if field_name == "author":
        value = value.removeprefix("@")
    elif field_name == "url":
        value = value.removeprefix("https://").removeprefix("http://").removeprefix("www.")
    elif field_name == "site":
        value = value.strip(".")
    value_column = column + len(name) + 1
    if not value or any(c.isspace() or c in _STOPS or c in "»”" for c in value):
        raise QuerySyntaxError(
            value_column,
            f"a value after {key}:",
            f"{key}: needs a value, as in {_EXAMPLES[key]}",
            "query.field_without_value",
            {"field": key, "example": _EXAMPLES[key]},
        )
    if field_name == "site" and any(c in value for c in "/:?#@"):
        raise QuerySyntaxError(
            value_column,
            "a host name, as in site:example.com",
            f"site: takes a host name, as in site:example.com, not {raw_value}",
            "query.site_not_host",
            {"value": raw_value},
        )
    return Field(field_name, value, column=column)


_EXAMPLES: Final = {
    "lang": "lang:fr",
    "source": "source:reddit",
    "author": "author:jeanne",
    "site": "site:example.com",
    "url": "url:example.com/promo",
}


def check_matchable(node: Node) -> None:
    """Refuse a tree that a message holding no word could match (``NOT a``, ``a OR NOT b``)."""
    if not _matchable(node):
        culprit = node
        if isinstance(node, Or):
            culprit = next(o for o in node.operands if not _matchable(o))
        raise QuerySyntaxError(
            max(culprit.column, 1),
            "a term, a phrase or a filter outside NOT",
            "a query must match something: it cannot be made only of NOT clauses",
            "query.only_not",
        )


def _matchable(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_matchable(o) for o in node.operands)
    if isinstance(node, Or):
        return all(_matchable(o) for o in node.operands)
    return True


def parse(query: str) -> Node:
    """Parse a query; raise :class:`QuerySyntaxError` naming the column and what was expected."""
    return _Parser(query).query()
