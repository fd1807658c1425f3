"""French is written in sentence case (issue #10, item 23: "Échec de l'Import"): in the catalogue, a
capital inside a sentence is a proper noun — one the English texts capitalise inside a sentence too,
or one listed here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ambassade

CATALOGUE = Path(ambassade.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# Capitalised in French though not in the English text, with the reason.
PROPER = {
    "Mo": "mégaoctet, the unit",
    "Ko": "kilooctet, the unit",
    "Buffer": "the company whose engagement rate is quoted",
    "Exemple": "the demo's made-up surname (Camille Exemple)",
    "Internet": "a proper noun in French typography",
}
# A capital after a letter, digit or comma and a space, or after an elided article (l', d').
_INSIDE = re.compile(r"(?:(?<=[\w,;] )|(?<=\b[dDlL]['’]))([A-ZÀ-Ý][a-zà-ÿ]+)")


def _entries(text: str) -> list[dict[str, str]]:
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = ""
        for line in block.splitlines():
            match = re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" in fields:
            entries.append({k: "".join(json.loads(part) for part in v) for k, v in fields.items()})
    return entries


def _section_names() -> set[str]:
    """The French names of the product's sections (the navigation), named as such in sentences:
    "ajoutez-en une dans Écoute"."""
    from django.utils import translation

    from ambassade.workspaces.nav import items

    with translation.override("fr"):
        return {str(item.label).split()[0] for item in items()}


def _proper_nouns(entries: list[dict[str, str]]) -> set[str]:
    """The words the English texts capitalise inside a sentence (Mastodon, Café…), the sections'
    names, and PROPER."""
    # One line per text: joined by spaces, the last word of one would precede the first of the
    # next ("… line Import") and look like a capital inside a sentence.
    english = "\n".join(e["msgid"] + "\n" + e.get("msgid_plural", "") for e in entries)
    return set(_INSIDE.findall(english)) | _section_names() | set(PROPER)


def _capitals_inside(entry: dict[str, str], proper: set[str]) -> list[str]:
    found = []
    for key, french in entry.items():
        if key.startswith("msgstr"):
            found.extend(
                f"{word!r} in {french!r}" for word in _INSIDE.findall(french) if word not in proper
            )
    return found


def test_french_messages_are_in_sentence_case() -> None:
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 500
    proper = _proper_nouns(entries)
    found = [hit for entry in entries for hit in _capitals_inside(entry, proper)]
    assert not found, "capitals inside French sentences:\n" + "\n".join(found)


def test_it_sees_a_capital_after_an_elided_article() -> None:
    proper = _proper_nouns(_entries(CATALOGUE.read_text(encoding="utf-8")))
    entry = {"msgid": "Import failed", "msgstr": "Échec de l'Import"}
    assert _capitals_inside(entry, proper) == ["'Import' in \"Échec de l'Import\""]
    assert _capitals_inside({"msgid": "Import failed", "msgstr": "Échec de l'import"}, proper) == []
