from __future__ import annotations

import gettext
import re
from pathlib import Path

import ambassade

LOCALE = Path(ambassade.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def test_it_ships_a_complete_french_translation() -> None:
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    assert entries
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        for value in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry + "\n", re.MULTILINE):
            assert value.strip() != '""', f"untranslated:\n{entry}"


def test_it_ships_the_compiled_catalogue_up_to_date() -> None:
    # The .mo must hold every message of the .po: run `make messages` after editing it.
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    count = len([entry for entry in po.split("\n\n")[1:] if "msgid" in entry])
    singular = {k for k in catalogue._catalog if isinstance(k, str) and k}  # type: ignore[attr-defined]
    plural = {k[0] for k in catalogue._catalog if isinstance(k, tuple)}  # type: ignore[attr-defined]
    assert len(singular | plural) == count
    assert catalogue.gettext("Members") == "Membres"
