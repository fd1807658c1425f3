"""Messages for people: made with a code and parameters, worded in the reader's language when shown
(docs/architecture.md, "Messages for people"). Every code the engine and the connectors give has a
French wording, and a stored message reads in the language of whoever reads it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

import ambassade
from ambassade.engine.messages import Message
from ambassade.engine.query import QuerySyntaxError, parse
from ambassade.workspaces.messages import (
    StoredMessage,
    catalogue,
    coded,
    words,
    words_in,
)

SRC = Path(ambassade.__file__).parent
# Where the engine and the connectors make messages, and the namespaces of their codes.
PURE = [SRC / "engine", SRC / "connectors"]
CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
NAMESPACES = {
    "query",
    "moderation",
    "http",
    "connector",
    "connection",
    "source",
    "oauth",
    "graph",
    "import",
    "json",
    "network",
    "score",
    "identity",
    "draw",
    "period",
    "mission",
    *(
        [
            "bluesky",
            "discord",
            "email",
            "facebook",
            "instagram",
            "linkedin",
            "mastodon",
            "reddit",
            "rss",
            "telegram",
            "threads",
            "tracker",
            "x",
            "youtube",
        ]
    ),
}
# Wordings that read the same in French.
SAME_IN_FRENCH: set[str] = {
    "moderation.score_spam",
    "publishing.media.image",
    "publishing.media.gif",
    "publishing.media.document",
    "event.mail.kind.invitation",  # "Invitation" in both
}


class AnyParams(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> int:
        return 1


def made_codes() -> dict[str, Path]:
    """Every message code written in the engine's and the connectors' source, with its file. A
    code handed to ``_found`` (the query parser) also has its ``_at_end`` variant."""
    codes: dict[str, Path] = {}
    for root in PURE:
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    value = node.value
                    if CODE.fullmatch(value) and value.split(".")[0] in NAMESPACES:
                        codes[value] = path
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "_found"
                    and isinstance(node.args[0], ast.Constant)
                ):
                    codes[f"{node.args[0].value}_at_end"] = path
    return codes


def test_it_finds_the_codes_of_the_query_language() -> None:
    codes = made_codes()
    assert {
        "query.empty",
        "query.unterminated_quote",
        "query.operand_expected_after_at_end",
    } <= set(codes)


@pytest.mark.parametrize("code", sorted(made_codes()))
def test_each_code_the_engine_and_connectors_make_is_worded_in_french(code: str) -> None:
    wording = catalogue().get(code)
    assert wording is not None, f"{code} ({made_codes()[code]}) has no wording in any messages.py"
    with translation.override("en"):
        english = str(wording % AnyParams())
    with translation.override("fr"):
        french = str(wording % AnyParams())
    assert french != english or code in SAME_IN_FRENCH, f"{code} has no French translation"


def test_every_wording_has_its_french_translation() -> None:
    for code, wording in catalogue().items():
        with translation.override("en"):
            english = str(wording % AnyParams())
        with translation.override("fr"):
            french = str(wording % AnyParams())
        # Labels of networks may be names or words spelt the same ("E-mail").
        same = code in SAME_IN_FRENCH or code.startswith(("network.", "account_network."))
        assert french != english or same, code


def test_it_words_a_query_error_in_the_readers_language() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse("avion NEAR/0 retard")
    assert caught.value.message == "NEAR needs a distance of at least 1, not '0'"
    assert words_in("en", caught.value) == "NEAR needs a distance of at least 1, not ‘0’"
    assert words_in("fr", caught.value) == "NEAR demande une distance d’au moins 1, pas ‘0’"


def test_a_stored_message_reads_in_todays_readers_language() -> None:
    with translation.override("en"):
        message = coded("query.too_deep", limit=100)
    assert message.text == "the query nests more than 100 parentheses and NOTs deep"
    stored = StoredMessage.from_db(message.to_db())
    assert (stored.code, stored.params) == ("query.too_deep", {"limit": 100})
    assert words_in("fr", stored) == gettext_fr(
        "the query nests more than %(limit)s parentheses and NOTs deep"
    ) % {"limit": 100}
    assert words_in("en", stored) == message.text


def gettext_fr(msgid: str) -> str:
    with translation.override("fr"):
        return gettext(msgid)


def test_it_nests_messages_and_groups_large_numbers_by_language() -> None:
    inner = Message("query.empty", "the query is empty")
    outer = StoredMessage("query.unexpected", {"found": inner})
    assert words_in("fr", outer) == "‘la requête est vide’ inattendu"
    big = StoredMessage("query.too_deep", {"limit": 50000})
    assert "50,000" in words_in("en", big)
    assert "50\xa0000" in words_in("fr", big) or "50\u202f000" in words_in("fr", big)
    assert "2026" in words_in("fr", StoredMessage("query.too_deep", {"limit": 2026}))


def test_text_without_a_code_stays_as_it_was() -> None:
    legacy = StoredMessage.from_db("Mastodon refused the access token: gone")
    assert (legacy.code, words_in("fr", legacy)) == ("", "Mastodon refused the access token: gone")
    assert StoredMessage.from_db('{"code": not json').text == '{"code": not json'
    assert not StoredMessage.from_db("")
    # A code nobody worded falls back to its English text rather than failing the page.
    assert words(StoredMessage("nobody.worded", {}, "English text")) == "English text"
    # A wording whose parameters are missing does too.
    assert words(StoredMessage("query.unknown_field", {}, "unknown field")) == "unknown field"


def test_it_refuses_a_translated_sentence_as_a_parameter() -> None:
    from django.utils.translation import gettext_lazy

    with pytest.raises(TypeError):
        StoredMessage("query.unexpected", {"found": gettext_lazy("Members")})
    with pytest.raises(ValueError):
        Message("Not a code", "x")
    with pytest.raises(TypeError):
        Message("query.empty", "x", {"flag": True})


def test_a_message_field_stores_the_code_and_parameters_and_text_as_text() -> None:
    from ambassade.workspaces.messages import MessageField

    field = MessageField()
    with translation.override("en"):
        message = coded("query.too_deep", limit=7)
    stored = field.get_prep_value(message)
    assert stored.startswith('{"code":"query.too_deep"')
    back = field.from_db_value(stored, None, connection)
    assert (back.code, back.params, back.text) == (message.code, {"limit": 7}, message.text)
    assert field.get_prep_value("typed by a person") == "typed by a person"
    assert field.from_db_value("typed by a person", None, connection).code == ""
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    error = QuerySyntaxError(3, "x", "English", "query.empty")
    assert field.get_prep_value(error) == field.get_prep_value(StoredMessage.of(error))
