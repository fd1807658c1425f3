"""Listening's messages in the reader's language: the query language's errors (``query.*``, made by
``ambassade.engine.query``; the column is shown apart) and the sources' and imports' own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "query.empty": _("the query is empty"),
        "query.unterminated_quote": _(
            "unterminated quote: the phrase opened here is never closed (a closing %(closing)s is "
            "missing)"
        ),
        "query.near_without_distance": _("%(operator)s needs a distance, as in %(operator)s/3"),
        "query.near_bad_distance": _(
            "%(operator)s needs a distance of at least 1, not ‘%(distance)s’"
        ),
        "query.operand_expected_after": _(
            "expected a term, a phrase or ‘(’ after %(after)s, found ‘%(found)s’"
        ),
        "query.operand_expected_after_at_end": _(
            "expected a term, a phrase or ‘(’ after %(after)s, found the end of the query"
        ),
        "query.operand_expected": _("expected a term, a phrase or ‘(’, found ‘%(found)s’"),
        "query.operand_expected_at_end": _(
            "expected a term, a phrase or ‘(’, found the end of the query"
        ),
        "query.unbalanced_close": _("unbalanced parenthesis: no ‘(’ to close here"),
        "query.unclosed_parenthesis": _(
            "unbalanced parenthesis: expected ‘)’ to close the ‘(’ at column %(opened)s, found "
            "‘%(found)s’"
        ),
        "query.unclosed_parenthesis_at_end": _(
            "unbalanced parenthesis: expected ‘)’ to close the ‘(’ at column %(opened)s, found the "
            "end of the query"
        ),
        "query.near_of_near": _(
            "%(operator)s cannot take a NEAR expression as its operand; its operands are a term, "
            "a phrase, a wildcard or a parenthesised OR of those"
        ),
        "query.unexpected": _("unexpected ‘%(found)s’"),
        "query.too_deep": _("the query nests more than %(limit)s parentheses and NOTs deep"),
        "query.near_operand_expected": _(
            "expected a term, a phrase, a wildcard or a parenthesised OR of those after "
            "%(operator)s, found ‘%(found)s’"
        ),
        "query.near_operand_expected_at_end": _(
            "expected a term, a phrase, a wildcard or a parenthesised OR of those after "
            "%(operator)s, found the end of the query"
        ),
        "query.empty_parentheses": _("empty parentheses: expected something to match inside"),
        "query.operator_without_left": _("%(operator)s needs an operand on its left"),
        "query.near_operand": _(
            "the operands of %(operator)s must be a term, a phrase, a wildcard or a parenthesised "
            "OR of those"
        ),
        "query.link_as_text": _("a link cannot be searched as text: use url:… or site:…"),
        "query.wildcard_too_short": _(
            "a wildcard needs at least %(minimum)s letters or digits before ‘*’, as in avi*: "
            "%(word)s is too short"
        ),
        "query.empty_phrase": _("the phrase holds no word to match"),
        "query.minus_for_not": _("to leave out a word write NOT %(word)s, not %(written)s"),
        "query.star_inside_word": _("‘*’ can only end a word, as in avi*"),
        "query.nothing_to_match": _("‘%(text)s’ holds no letter or digit to match"),
        "query.unknown_field": _("unknown field %(field)s:, expected one of %(fields)s"),
        "query.field_without_value": _("%(field)s: needs a value, as in %(example)s"),
        "query.site_not_host": _("site: takes a host name, as in site:example.com, not %(value)s"),
        "query.only_not": _("a query must match something: it cannot be made only of NOT clauses"),
        # Sources.
        "source.no_connector": _("No connector reads sources of this kind."),
        "source.needs_connection": _("This source needs a connection to an account."),
        "source.unexpected": _("Unexpected error: %(detail)s"),
    }
)
