"""Listening's messages in the reader's language: the query language's errors (``query.*``, made by
``ambassade.engine.query``; the column is shown apart) and the sources' and imports' own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

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
        "query.near_distance_too_large": _(
            "%(operator)s needs a distance of at most %(maximum)s, not ‘%(distance)s’"
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
        "import.upload_gone": _("The uploaded file is gone: import it again."),
        # The replay of an export (ambassade demo --replay).
        "replay.file_missing": _(
            "The replayed file is missing: run ambassade demo --replay FILE again."
        ),
        "replay.unknown_settings": _("Unknown settings for a replay: %(names)s."),
        "replay.bad_speed": _("The speed must be a positive number."),
        "replay.unbound": _("The replay is not bound to its source."),
        "replay.unreadable": _("The file %(file)s cannot be read."),
        "replay.bad_first_line": _(
            "The first line of %(file)s is neither a JSON object nor a CSV header in UTF-8."
        ),
        # A refused file: its problems, each at its line and column.
        "import.failed": ngettext_lazy(
            "Nothing was imported, %(count)s problem in the file: %(problems)s.",
            "Nothing was imported, %(count)s problems in the file: %(problems)s.",
            "count",
        ),
        "import.failed_more": _(
            "Nothing was imported, %(count)s problems in the file: %(problems)s (and %(more)s "
            "more)."
        ),
        "import.at_line": _("line %(line)s: %(problem)s"),
        "import.at_line_column": _("line %(line)s, column ‘%(column)s’: %(problem)s"),
        "import.in_settings": _("settings: %(problem)s"),
        "import.field_unmapped": _("the field ‘%(field)s’ must be mapped to a column"),
        "import.unknown_field": _("‘%(field)s’ is not a field that can be imported"),
        "import.unknown_settings": _("Unknown settings for a file import: %(names)s."),
        "import.format": _("the format must be csv or jsonl"),
        "import.bad_delimiter": _("the delimiter must be one character, not ‘%(value)s’"),
        "import.bad_zone": _("unknown time zone ‘%(value)s’"),
        "import.not_utf8": _("the file is not UTF-8 text"),
        "import.columns": _("%(count)s columns where the header has %(expected)s"),
        "import.csv_field_too_long": _(
            "a field is longer than %(limit)s characters (a quote left open?)"
        ),
        "import.csv_unreadable": _("the CSV cannot be read here: %(detail)s"),
        "import.not_object": _("each line must be a JSON object"),
        "import.no_column": _("no such column in the header"),
        "import.missing": _("missing"),
        "import.repeated_id": _("the id ‘%(id)s’ was already on line %(first)s"),
        "import.not_text": _("must be text, not a list or an object"),
        "import.empty": _("is missing or empty"),
        "import.not_a_date": _(
            "‘%(value)s’ is not a date (ISO 8601 expected, e.g. 2025-06-11T08:00:00Z)"
        ),
        "import.date_out_of_range": _("%(value)s is out of range (%(earliest)s to %(latest)s)"),
        "import.bad_kind": _("‘%(value)s’ is not one of %(allowed)s"),
        "import.not_whole": _("‘%(value)s’ is not a whole number"),
        "import.negative": _("cannot be negative"),
        "import.too_large": _("is larger than %(limit)s"),
        "import.out_of_bounds": _("must be between 0 and %(limit)s"),
        "import.bad_url": _("must start with http:// or https://"),
        # Reading JSON (the engine's jsonlines).
        "json.too_deep": _("arrays and objects are nested more than %(limit)s deep"),
        "json.invalid_at": _("not valid JSON: %(detail)s at column %(column)s"),
        "json.invalid": _("not valid JSON: %(detail)s"),
        "json.line_too_long": _("the line is longer than %(limit)s bytes"),
        "json.not_utf8": _("not UTF-8 text"),
        "import.stopped": _(
            "The import stopped %(count)s times before the end (its worker was stopped)."
        ),
        "source.items_skipped": ngettext_lazy(
            "%(count)s item skipped, a value out of range: %(field)s of %(id)s.",
            "%(count)s items skipped, their values out of range, e.g. %(field)s of %(id)s.",
            "count",
        ),
    }
)
