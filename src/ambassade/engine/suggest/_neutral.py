"""Neutralising a past reply so that it can be suggested for someone else.

A brand's answer to one person names that person, its agent and their order: ``@115712 Hi Sarah,
please DM us order 123-4567. ^Jane``. What can be reused is the rest: ``Hi {first_name}, please DM us
order {ticket}. {agent}``. Each placeholder is a variable the agent (or the composer, for those it
knows) fills before sending; nothing personal of the first conversation is ever shown in another.

The placeholders are the saved replies' variables: ``{first_name}``, ``{agent}``, ``{ticket}``,
``{handle}``, ``{email}``, ``{phone}``, and ``{link}`` for an address that is not one of the brand's
recurring ones (decided by the index, which knows how often each address recurs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "PLACEHOLDERS",
    "URL",
    "Context",
    "neutralise",
    "placeholders_in",
]

#: Every placeholder a suggestion may carry, in the order a form shows them.
PLACEHOLDERS = ("first_name", "agent", "ticket", "handle", "email", "phone", "link")

URL = re.compile(r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Leading addressees (the network adds them when replying), maybe followed by a comma or a colon.
_LEADING_HANDLES = re.compile(r"^(?:\s*[.@]?@[\w.]+[,:]?)+\s*")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[\w.-]*\w)?")
# A telephone number: an optional +, then digits with spaces, dots, dashes or brackets, 8+ digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{6,}\d(?![\w])")
# An order, ticket, case or booking reference: a word with five digits or more, or # and 3 digits,
# or a code of letters and digits mixed (SC12345, AB-1234), or what follows such a word.
_TICKET = re.compile(
    r"(?<![\w#])(?:#\d{3,}\w*|[A-Za-z]{0,4}[-/]?\d(?:[\d-]*\d){4,}[A-Za-z]{0,3}|"
    r"(?=[A-Za-z-]*\d)(?=\d*[A-Za-z])[A-Z0-9]{2,}-?[A-Z0-9]*\d[A-Z0-9-]*)(?!\w)"
)
_REFERENCE_WORD = re.compile(
    r"\b((?i:order|ticket|case|booking|reference|ref|confirmation|tracking|commande|dossier|"
    r"réservation|reservation|numéro|numero|suivi))"
    r"(\s+(?i:number|no\.?|n°|#|de\s+suivi|:)?\s*)"
    r"((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,})\b"
)
# A signature at the end: ^Jane, *HFG, -Becky, /MT, = JJ, ~Derrick, - Chloe (maybe two names).
_SIGNATURE = re.compile(
    r"(?:(?<=\s)|^)[\^*~/=–—-]\s?[A-Z][A-Za-zÀ-ÖØ-öø-ÿ'-]{0,20}(?:\s[A-Z][A-Za-zÀ-ÖØ-öø-ÿ'-]{0,20})?"
    r"\s*$"
)
# "Kind regards, Kirsten" / "Cordialement, Marie" at the very end.
_CLOSING = re.compile(
    r"((?:kind regards|best regards|regards|thanks|thank you|cheers|best|cordialement|"
    r"bien à vous|bonne journée|bonne soirée|merci)[,!.]?\s*[-–—]?\s*)"
    r"[A-Z][a-zà-öø-ÿ'-]{1,20}\s*$",
    re.I,
)
_PART_MARKER = re.compile(r"\s*\(?\b\d{1,2}/\d{1,2}\)?\s*$")
_TRAILING_HIDDEN = re.compile(r"(?:\s*\x00\d+\x00)+\s*$")
_TAIL = 120
_GREETING = re.compile(
    r"\b((?i:hi|hello|hey|dear|thanks|thank you|welcome|sorry|bonjour|bonsoir|salut|coucou|merci|"
    r"désolée?|desole|hola|gracias))(,?\s+)([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'-]{1,20})(?=[\s,.!:;)?]|$)"
)
# Capitalised words after a greeting that are not someone's name.
_NOT_NAMES = frozenset(
    [
        "there",
        "all",
        "everyone",
        "again",
        "team",
        "folks",
        "friend",
        "friends",
        "guys",
        "you",
        "so",
        "for",
        "we",
        "i",
        "please",
        "the",
        "and",
        "this",
        "that",
        "it",
        "our",
        "for",
        "back",
        "monsieur",
        "madame",
        "mademoiselle",
        "tous",
        "toutes",
        "le",
        "la",
        "les",
        "vous",
        "nous",
        "je",
        "et",
        "pour",
        "pas",
        "de",
        "du",
        "des",
        "en",
        "encore",
    ]
)
_SPACES = re.compile(r"[ \t]+")
_MARKED_AGENT = re.compile(r"(?:(?<=\s)|^)[\^*~/=–—-]\s?\{agent\}")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Context:
    """Names known to belong to the conversation: the customer's (display name, first name,
    handle) and the agent's. Each is replaced wherever it appears, whole words only."""

    customer_names: tuple[str, ...] = ()
    agent_names: tuple[str, ...] = ()

    @classmethod
    def of(cls, customer: Iterable[str] = (), agent: Iterable[str] = ()) -> Context:
        return cls(_names(customer), _names(agent))


def _names(values: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        value = value.strip().lstrip("@")
        if len(value) < 2:
            continue
        found.append(value)
        found += [part for part in value.split() if len(part) >= 3]
    # Longest first: "Sarah Connor" before "Sarah".
    return tuple(sorted(set(found), key=lambda name: (-len(name), name)))


def neutralise(text: str, context: Context | None = None) -> str:
    """The reply with the personal parts replaced by placeholders (module docstring). URLs stay."""
    text = text.replace("\r\n", "\n").strip()
    text = _LEADING_HANDLES.sub("", text)
    urls: list[str] = []

    def keep_url(match: re.Match[str]) -> str:
        urls.append(match.group())
        return f"\x00{len(urls) - 1}\x00"

    text = URL.sub(keep_url, text)
    context = context or Context()
    for name in context.agent_names:
        text = re.sub(rf"(?<![\w@]){re.escape(name)}(?!\w)", "{agent}", text, flags=re.I)
    for name in context.customer_names:
        text = re.sub(rf"(?<![\w@]){re.escape(name)}(?!\w)", "{first_name}", text, flags=re.I)
    if context.agent_names:
        # "^Bob" once Bob is known: the signature mark goes with the name.
        text = _MARKED_AGENT.sub("{agent}", text)
    if "@" in text:
        text = _EMAIL.sub("{email}", text)
        text = _HANDLE.sub("{handle}", text)
    if _DIGIT.search(text):
        text = _REFERENCE_WORD.sub(lambda m: f"{m.group(1)}{m.group(2)}{{ticket}}", text)
        text = _PHONE.sub(_phone_or_ticket, text)
        text = _TICKET.sub("{ticket}", text)
    text = _GREETING.sub(_greeting, text)
    text = _signature(text)
    text = re.sub("\x00(\\d+)\x00", lambda m: urls[int(m.group(1))], text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _phone_or_ticket(match: re.Match[str]) -> str:
    value = match.group()
    digits = sum(ch.isdigit() for ch in value)
    if digits < 8:
        return value
    return "{phone}" if any(ch in value for ch in " .()+") or digits >= 10 else "{ticket}"


def _greeting(match: re.Match[str]) -> str:
    word = match.group(3)
    if word.lower() in _NOT_NAMES:
        return match.group()
    return f"{match.group(1)}{match.group(2)}{{first_name}}"


def _signature(text: str) -> str:
    """Replace the agent's signature at the end (before trailing links and part markers)."""
    # Only the end can hold a signature: the patterns anchored at the end run on the last
    # characters, cut at a space, so that a long text costs no more than a short one.
    cut = text.find(" ", max(0, len(text) - _TAIL))
    head, text = (text[:cut], text[cut:]) if cut > 0 and len(text) > _TAIL else ("", text)
    tail = ""
    for _ in range(3):
        # URLs are hidden as \x00n\x00 here.
        found = _TRAILING_HIDDEN.search(text) or _PART_MARKER.search(text)
        if not found or found.start() == 0:
            break
        tail = text[found.start() :] + tail
        text = text[: found.start()]
    if "{agent}" not in text[-12:]:
        text, count = _SIGNATURE.subn(lambda m: " {agent}", text.rstrip())
        if not count:
            text = _CLOSING.sub(lambda m: f"{m.group(1)}{{agent}}", text.rstrip())
    return head + text.rstrip() + tail


def placeholders_in(text: str) -> tuple[str, ...]:
    """The placeholders a text carries, in :data:`PLACEHOLDERS` order."""
    return tuple(name for name in PLACEHOLDERS if f"{{{name}}}" in text)
