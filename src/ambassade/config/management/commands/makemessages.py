"""`makemessages` without fuzzy matching.

msgmerge's default guesses a translation for every new message from a similar old one and marks it
fuzzy ("This is not valid JSON." became "Ce lien d'invitation n'est pas valide"). Those guesses are
wrong more often than right here, and a fuzzy entry is easy to miss: a new message must arrive with an
empty msgstr, which tests/workspaces/test_i18n.py then refuses until someone translates it.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
