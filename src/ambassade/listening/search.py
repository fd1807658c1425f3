"""Full-text search of mentions, the same function on SQLite and PostgreSQL.

- SQLite: an FTS5 virtual table ``listening_mention_fts`` (``unicode61`` tokenizer removing
  diacritics), rowid = the mention's id, filled and emptied by triggers on ``listening_mention``.
- PostgreSQL: the ``search_vector`` column, set by a trigger before insert with the ``french`` or
  ``english`` configuration by the mention's language (``simple`` otherwise), on text whose accents
  were removed; a GIN index serves it.

Both are created by migration 0002 and maintained by the database itself, so every way of inserting a
mention (the pipeline's bulk insert included) indexes it. :func:`search` takes what a person types:
words (all required), ``"exact phrases"`` and trailing ``*`` wildcards; case and accents do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

__all__ = ["fts_query", "reindex", "search", "strip_accents"]

_TOKEN = re.compile(r'"([^"]*)"?|([^\W_]+)(\*?)', re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# PostgreSQL side: the same folding in SQL, without the unaccent extension.
ACCENTED = "àáâãäåāçćčèéêëēėęìíîïīłñńòóôõöøōùúûüūÿýžźż"
PLAIN = "aaaaaaaccceeeeeeeiiiiilnnooooooouuuuuyyzzz"
PG_CONFIGS = {"fr": "french", "en": "english"}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _terms(text: str) -> list[tuple[list[str], bool]]:
    """(words, prefix) per term the person typed: a phrase gives several words."""
    terms = []
    for match in _TOKEN.finditer(strip_accents(text)):
        if match.group(1) is not None:
            words = _WORD.findall(match.group(1))
            if words:
                terms.append((words, False))
        else:
            terms.append(([match.group(2)], bool(match.group(3))))
    return terms


def fts_query(text: str) -> str:
    """The FTS5 MATCH expression for what a person typed (every term quoted: no operator injection)."""
    parts = []
    for words, prefix in _terms(text):
        parts.append('"' + " ".join(words) + '"' + ("*" if prefix else ""))
    return " AND ".join(parts)


def _tsquery(text: str) -> str:
    parts = []
    for words, prefix in _terms(text):
        parts.append(" <-> ".join(words) + (":*" if prefix else ""))
    return " & ".join(parts)


def search(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` (of mentions) narrowed to those holding every term of ``text``."""
    if not _terms(text):
        return queryset
    if connection.vendor == "postgresql":
        query = _tsquery(text)
        return queryset.filter(
            id__in=RawSQL(
                "SELECT id FROM listening_mention WHERE search_vector @@ "
                "(to_tsquery('french', %s) || to_tsquery('english', %s) || to_tsquery('simple', %s))",
                [query, query, query],
            )
        )
    return queryset.filter(
        id__in=RawSQL(
            "SELECT rowid FROM listening_mention_fts WHERE listening_mention_fts MATCH %s",
            [fts_query(text)],
        )
    )


SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS listening_mention_fts USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS listening_mention_fts_insert AFTER INSERT ON listening_mention "
    "BEGIN INSERT INTO listening_mention_fts(rowid, body) "
    "VALUES (new.id, new.text || ' ' || new.author_handle || ' ' || new.author_name); END",
    "CREATE TRIGGER IF NOT EXISTS listening_mention_fts_delete AFTER DELETE ON listening_mention "
    "BEGIN DELETE FROM listening_mention_fts WHERE rowid = old.id; END",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS listening_mention_fts_insert",
    "DROP TRIGGER IF EXISTS listening_mention_fts_delete",
    "DROP TABLE IF EXISTS listening_mention_fts",
]
POSTGRES_SETUP = [
    f"""
    CREATE OR REPLACE FUNCTION listening_mention_search_vector() RETURNS trigger AS $$
    BEGIN
      NEW.search_vector := to_tsvector(
        (CASE split_part(NEW.lang, '-', 1) WHEN 'fr' THEN 'french' WHEN 'en' THEN 'english'
         ELSE 'simple' END)::regconfig,
        translate(lower(NEW.text || ' ' || NEW.author_handle || ' ' || NEW.author_name),
                  '{ACCENTED}', '{PLAIN}'));
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS listening_mention_search_vector ON listening_mention",
    "CREATE TRIGGER listening_mention_search_vector BEFORE INSERT OR UPDATE OF text "
    "ON listening_mention FOR EACH ROW EXECUTE FUNCTION listening_mention_search_vector()",
    "CREATE INDEX IF NOT EXISTS listening_mention_search ON listening_mention "
    "USING GIN (search_vector)",
]
POSTGRES_TEARDOWN = [
    "DROP TRIGGER IF EXISTS listening_mention_search_vector ON listening_mention",
    "DROP FUNCTION IF EXISTS listening_mention_search_vector()",
    "DROP INDEX IF EXISTS listening_mention_search",
]


def reindex(mention_ids: list[int]) -> None:
    """Index again the text of mentions changed after their insert (an edit upstream). PostgreSQL's
    trigger runs on ``UPDATE OF text`` by itself; SQLite's FTS5 table is refreshed here."""
    if connection.vendor != "sqlite" or not mention_ids:
        return
    marks = ", ".join(["%s"] * len(mention_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM listening_mention_fts WHERE rowid IN ({marks})",  # noqa: S608 (placeholders)
            mention_ids,
        )
        cursor.execute(
            "INSERT INTO listening_mention_fts(rowid, body) SELECT id, text || ' ' || "  # noqa: S608
            f"author_handle || ' ' || author_name FROM listening_mention WHERE id IN ({marks})",
            mention_ids,
        )


def install(schema_editor: Any, *, remove: bool = False) -> None:
    vendor = schema_editor.connection.vendor
    statements: list[str] = []
    if vendor == "sqlite":
        statements = SQLITE_TEARDOWN if remove else SQLITE_SETUP
    elif vendor == "postgresql":
        statements = POSTGRES_TEARDOWN if remove else POSTGRES_SETUP
    for statement in statements:
        schema_editor.execute(statement)
