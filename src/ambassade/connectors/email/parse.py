"""An e-mail (RFC 5322 bytes, untrusted) to a RawItem: threading headers, the text a person reads,
sanitised HTML, the attachments' names, all bounded.

- **Threading**: ``external_id`` is the Message-ID (without its angle brackets); ``parent_id`` the
  message it answers (In-Reply-To, else the last of References); ``thread_id`` the first of
  References (the thread's root), else the parent, else itself. A message without a Message-ID
  gets a stable one made from its bytes (``<sha256>@ambassade.invalid``), so reading it twice
  stores it once.
- **Text**: the plain-text part when there is one, else the HTML part flattened. Charsets are the
  declared ones, with undecodable bytes replaced (and a wrong or unknown charset read as
  windows-1252 rather than lost). The quoted earlier message ("> …", "On … wrote:", "Le … a
  écrit :", Outlook's "-----Original Message-----" / "De : … Envoyé :", Gmail's and Apple Mail's
  quote blocks) and the signature after "-- " are cut from ``text`` for display, and kept whole in
  ``raw["body"]``.
- **HTML**: sanitised with nh3 (no script, style, event handler, remote form) into ``html``; remote
  images are dropped so that opening a message tells no sender that it was read.
- **Attachments**: listed in ``raw["attachments"]`` (file name, type, size); never decoded further,
  opened or stored.
- **Bounds**: :data:`MAX_TEXT` characters of text, :data:`MAX_PARTS` MIME parts walked,
  :data:`MAX_HEADER` characters per header kept.
- ``raw["automatic"]`` is true for an auto-reply or a bulk message (Auto-Submitted, Precedence,
  X-Autoreply, List-Id), so that nothing answers an answering machine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

import nh3

from ambassade.connectors._text import html_to_text
from ambassade.connectors.base import EARLIEST, LATEST, Author, ItemKind, RawItem

__all__ = [
    "MAX_PARTS",
    "MAX_TEXT",
    "message_id",
    "message_ids",
    "parse_message",
    "strip_quotes",
]

MAX_TEXT = 100_000
MAX_PARTS = 200
MAX_HEADER = 2_000
MAX_REFERENCES = 100
#: HTML kept: nh3's defaults without images (a remote image tells the sender the mail was read).
_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}
_ID = re.compile(r"<([^<>\s]{1,500})>")


def message_ids(value: str | None) -> list[str]:
    """The message ids of a References or In-Reply-To header, without angle brackets."""
    return _ID.findall(value or "")[:MAX_REFERENCES]


def message_id(value: str | None) -> str:
    found = message_ids(value)
    if found:
        return found[0]
    bare = (value or "").strip().strip("<>")
    return bare if bare and " " not in bare and len(bare) <= 500 else ""


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):  # a header the policy cannot parse
        value = message.get_all(name, failobj=[""])[0] if hasattr(message, "get_all") else ""
    text = str(value or "")
    return " ".join(text.split())[:MAX_HEADER]


def _addresses(message: Message, name: str) -> list[dict[str, str]]:
    raw = [str(v) for v in (message.get_all(name) or [])]
    return [
        {"name": display[:200], "address": address[:320]}
        for display, address in getaddresses(raw)[:100]
        if address
    ]


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return payload.decode("cp1252", errors="replace")


def _walk(message: Message) -> tuple[str, str, list[dict[str, Any]]]:
    """``(plain text, html, attachments)``, the first text and HTML bodies that are not
    attachments, within :data:`MAX_PARTS` parts."""
    plain = html = ""
    attachments: list[dict[str, Any]] = []
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS:
            break
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if (
            disposition == "attachment"
            or (filename and disposition != "inline")
            or (not ctype.startswith("text/") and ctype != "message/rfc822")
        ):
            payload = part.get_payload(decode=True)
            attachments.append(
                {
                    "filename": str(filename or "")[:255],
                    "content_type": ctype[:100],
                    "size": len(payload) if isinstance(payload, bytes) else 0,
                }
            )
            continue
        if ctype == "text/plain" and not plain:
            plain = _decode(part)
        elif ctype == "text/html" and not html:
            html = _decode(part)
    return plain, html, attachments


# --- quotes -----------------------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*(On\b.{0,200}\bwrote:|Le\b.{0,200}\ba écrit\s?:|El\b.{0,200}\bescribió:|"
    r"Am\b.{0,200}\bschrieb.{0,60}:)\s*$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Message d'origine|Message original|Forwarded message|"
    r"Message transféré)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De)\s?\*?\s?:\s.+$", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(Sent|Envoyé|Date)\s?\*?\s?:\s.+$", re.IGNORECASE)


def strip_quotes(text: str) -> str:
    """The new part of a message: what comes before the quoted earlier message and before the
    signature. A message that is only a quote (a forward) stays whole."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = len(lines)
    for index, line in enumerate(lines):
        following = lines[index + 1 : index + 4]
        if _ATTRIBUTION.match(line) or (
            # "On Tue, 3 Mar 2026 at 09:00, Marie <marie@…>" wrapped before "wrote:"
            index + 1 < len(lines) and _ATTRIBUTION.match(f"{line} {lines[index + 1]}")
        ):
            cut = index
            break
        if _SEPARATORS.match(line):
            cut = index
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_SENT.match(f) for f in following):
            cut = index
            break
        if line.startswith(">") and all(
            not rest.strip() or rest.startswith(">") for rest in lines[index:]
        ):
            cut = index
            break
    kept = lines[:cut]
    for index, line in enumerate(kept):
        if line in ("-- ", "--"):  # the signature separator (RFC 3676 "-- ")
            kept = kept[:index]
            break
    new = "\n".join(kept).strip()
    return new or text.strip()


_QUOTE_BLOCKS = re.compile(
    r"<blockquote\b[^>]*>(?:(?!<blockquote\b).)*?</blockquote>|"
    r"<div\b[^>]*class=\"[^\"]*(gmail_quote|moz-cite-prefix|yahoo_quoted)[^\"]*\"[^>]*>.*$",
    re.IGNORECASE | re.DOTALL,
)


def _html_text(html: str) -> tuple[str, str]:
    """``(whole text, new text)`` of an HTML body: the new text without its quote blocks."""
    whole = html_to_text(html)
    trimmed = html
    for _ in range(20):  # nested quotes: innermost first
        shorter = _QUOTE_BLOCKS.sub("", trimmed)
        if shorter == trimmed:
            break
        trimmed = shorter
    return whole, strip_quotes(html_to_text(trimmed))


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _date(message: Message, fallback: datetime | None) -> datetime:
    try:
        when = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when is None or not EARLIEST <= when < LATEST:
        when = fallback
    return (when or datetime.now(UTC)).astimezone(UTC)


def _automatic(message: Message) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    return (
        bool(auto and auto != "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or bool(_header(message, "X-Autoreply") or _header(message, "X-Autorespond"))
        or bool(_header(message, "List-Id"))
    )


def parse_message(
    data: bytes,
    *,
    received_at: datetime | None = None,
    truncated: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> RawItem:
    """The message as an item of kind ``message``. ``received_at``: the server's INTERNALDATE,
    used when the Date header is missing or absurd. ``truncated``: only the start of a message
    larger than the account's limit was read (``raw["truncated"]``)."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    own_id = message_id(_header(message, "Message-ID"))
    if not own_id:
        own_id = hashlib.sha256(data).hexdigest()[:40] + "@ambassade.invalid"
    references = message_ids(_header(message, "References"))
    replying_to = message_ids(_header(message, "In-Reply-To"))
    parent = replying_to[0] if replying_to else (references[-1] if references else None)
    thread = references[0] if references else (parent or own_id)
    senders = _addresses(message, "From")
    sender = senders[0] if senders else {"name": "", "address": ""}
    plain, html, attachments = _walk(message)
    if plain:
        body = plain
        new = strip_quotes(plain)
    elif html:
        body, new = _html_text(html)
    else:
        body = new = ""
    subject = _header(message, "Subject")
    raw: dict[str, Any] = {
        "message_id": own_id,
        "subject": subject,
        "from": senders,
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "reply_to": _addresses(message, "Reply-To"),
        "in_reply_to": replying_to,
        "references": references,
        "body": _bounded(body),
        "attachments": attachments,
        "automatic": _automatic(message),
        "truncated": truncated,
        **dict(extra or {}),
    }
    clean = nh3.clean(html, tags=_TAGS, link_rel="noopener noreferrer nofollow") if html else None
    return RawItem(
        source="email",
        external_id=own_id,
        text=_bounded(new),
        html=_bounded(clean) if clean else None,
        author=Author(
            handle=sender["address"].lower(),
            name=sender["name"] or sender["address"],
            id=sender["address"].lower(),
            url=f"mailto:{sender['address']}" if sender["address"] else "",
        ),
        created_at=_date(message, received_at),
        lang=(_header(message, "Content-Language").split(",")[0].strip()[:2].lower() or None),
        parent_id=parent,
        thread_id=thread,
        kind=ItemKind.MESSAGE,
        raw=raw,
    )


def as_email(data: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed
