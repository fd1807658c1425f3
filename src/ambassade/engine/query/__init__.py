"""The listening query language: parse Brandwatch-style boolean queries, print them back, evaluate
one on one message, or compile many into a :class:`Matcher`. Semantics: docs/query-language.md."""

from ._ast import (
    FIELDS,
    And,
    Field,
    FieldName,
    Near,
    Node,
    Not,
    Or,
    Pattern,
    Phrase,
    Prefix,
    Term,
    TermKind,
)
from ._document import Document, PreparedDocument, prepare
from ._errors import QuerySyntaxError
from ._matcher import InvalidQueryError, Matcher
from ._naive import evaluate
from ._parser import parse
from ._printer import format_query
from ._text import Token, TokenKind, normalise, tokenise

__all__ = [
    "FIELDS",
    "And",
    "Document",
    "Field",
    "FieldName",
    "InvalidQueryError",
    "Matcher",
    "Near",
    "Node",
    "Not",
    "Or",
    "Pattern",
    "Phrase",
    "Prefix",
    "PreparedDocument",
    "QuerySyntaxError",
    "Term",
    "TermKind",
    "Token",
    "TokenKind",
    "evaluate",
    "format_query",
    "normalise",
    "parse",
    "prepare",
    "tokenise",
]
