"""`ambassade verify-draw DRAW.json`: check a published contest draw (docs/contests.md).

Reads the draw file a contest page publishes after its close, checks that the seed matches the
commitment published before the close and the entry list its hash, recomputes the winners and
reserves, and exits 0 when they are the published ones, 1 otherwise (or when the file cannot be
read), with one sentence saying why in the reader's language: ``--lang``, else the environment
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), French or English. No server, no database, no
network: only the file.
"""

from __future__ import annotations

import argparse
import gettext
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import ambassade
from ambassade.engine import jsonlines
from ambassade.engine.draw import Draw, DrawError, verify
from ambassade.engine.messages import Message

__all__ = ["HELP", "add_arguments", "run", "translator", "wording"]

#: Draw files are small; a larger one is refused before it is read.
MAX_BYTES = 64 << 20
LANGUAGES = ("en", "fr")


def _(text: str) -> str:
    """Marks a wording for `make messages`; translated when shown (:func:`wording`)."""
    return text


HELP = _("Check a published contest draw: the seed, the entry list and the winners (exit 0 or 1).")

# The same English sentences as community/messages.py, so that one French translation serves the
# command line and the contest page.
WORDINGS: Mapping[str, str] = {
    "draw.verified": _(
        "The draw is verified: the seed matches its commitment, the entry list its hash, and "
        "the results are the ones they give (winners: %(winners)s, reserves: %(reserves)s, "
        "entries: %(entries)s)."
    ),
    "draw.commitment_mismatch": _(
        "The draw does not check out: the seed does not match the commitment published before "
        "the close."
    ),
    "draw.entries_mismatch": _(
        "The draw does not check out: the entry list does not match its published hash."
    ),
    "draw.result_mismatch": _(
        "The draw does not check out: result %(position)s should be “%(expected)s”, the file "
        "says “%(published)s”."
    ),
    "draw.result_count": _(
        "The draw does not check out: the number of results differs (file: %(published)s, "
        "draw: %(expected)s)."
    ),
    "draw.left_out_listed": _(
        "The draw does not check out: the entry “%(entry)s” is in the list, yet the segment "
        "“%(segment)s” left it out."
    ),
    "draw.bad_eligibility": _("The field “%(field)s” is not valid."),
    "draw.bad_entry": _("Entry %(position)s must be one line of 1 to 200 characters."),
    "draw.repeated_entry": _("Entry %(position)s is in the list twice."),
    "draw.not_an_object": _("A draw file is a JSON object."),
    "draw.unknown_format": _("Unknown draw format; this command reads %(expected)s."),
    "draw.bad_hex": _("The field “%(field)s” must be 64 lower-case hexadecimal digits."),
    "draw.bad_number": _("The field “%(field)s” must be a whole number of at least 0."),
    "draw.bad_list": _("The field “%(field)s” must be a list of texts."),
    "draw.bad_seed": _("The seed must be %(expected)s bytes, not %(length)s."),
    "draw.bad_count": _("A draw has at least one winner."),
    "draw.unreadable": _("Cannot read %(path)s: %(detail)s"),
    "draw.too_large": _("%(path)s is larger than %(limit)s MB; a draw file is smaller."),
    "draw.not_json": _("%(path)s is not JSON: %(detail)s"),
}


def translator(lang: str | None = None) -> Callable[[str], str]:
    """gettext for ``lang`` (or the environment's language), English when there is none."""
    localedir = Path(ambassade.__file__).parent / "locale"
    languages = [lang] if lang else None
    return gettext.translation("django", localedir, languages=languages, fallback=True).gettext


def wording(message: Message, lang: str | None = None) -> str:
    """The message in ``lang``, or its English text when its code has no wording."""
    template = WORDINGS.get(message.code)
    if template is None:
        return message.message
    try:
        return translator(lang)(template) % dict(message.params)
    except (KeyError, ValueError, TypeError):
        return message.message


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # The help reads in the environment's language too (argparse's own words stay English).
    tr = translator(None)
    parser.description = tr(HELP)
    parser.add_argument(
        "draw",
        type=Path,
        metavar="DRAW.json",
        help=tr(_("the published draw file (“-”: standard input)")),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=tr(_("language of the answer (default: the environment’s)")),
    )


def _read(path: Path) -> Draw:
    name = str(path)
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DrawError(
            f"cannot read {name}: {exc.strerror or exc}",
            "draw.unreadable",
            path=name,
            detail=str(exc.strerror or exc),
        ) from None
    if len(raw) > MAX_BYTES:
        raise DrawError(
            f"{name} is larger than {MAX_BYTES >> 20} MB",
            "draw.too_large",
            path=name,
            limit=MAX_BYTES >> 20,
        )
    try:
        data = jsonlines.loads(raw)
    except jsonlines.JsonProblem as exc:
        raise DrawError(
            f"{name} is not JSON: {exc.message}", "draw.not_json", path=name, detail=exc.message
        ) from None
    return Draw.from_json(data)


def run(args: argparse.Namespace) -> int:
    lang: str | None = args.lang
    try:
        outcome = verify(_read(args.draw))
    except DrawError as error:
        print(wording(Message(error.code, error.message, error.params), lang), file=sys.stderr)
        return 1
    stream = sys.stdout if outcome.ok else sys.stderr
    print(wording(outcome.message, lang), file=stream)
    return 0 if outcome.ok else 1
