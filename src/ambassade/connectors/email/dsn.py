"""Delivery status notifications (RFC 3464): what a mail server sends back when a message could
not be delivered (a bounce), read into :class:`Bounce` records.

A DSN is a ``multipart/report; report-type=delivery-status`` (RFC 6522) whose second part,
``message/delivery-status``, holds one block of per-message fields and one block per recipient
(``Final-Recipient``, ``Action``, ``Status``, ``Diagnostic-Code``), and whose third part is the
returned message or its headers (``message/rfc822``, ``text/rfc822-headers``), where the
original ``Message-ID`` is found. ``Action: failed`` with a ``5.x.x`` status is a hard bounce
(permanent: the address does not exist, the domain has no mail server…); ``4.x.x`` or
``Action: delayed`` is a soft one (a full mailbox, a server down: it may pass later). A message
that is not a DSN gives no record: free-text bounces are not guessed at.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

__all__ = ["Bounce", "parse_dsn"]

_STATUS = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})$")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Bounce:
    """One recipient's delivery status: ``permanent`` for a hard bounce."""

    recipient: str
    action: str
    status: str
    permanent: bool
    diagnostic: str
    message_id: str
    reporting_mta: str


def _value(block: Message, name: str) -> str:
    raw = block.get(name)
    return " ".join(str(raw).split()) if raw is not None else ""


def _address(field: str) -> str:
    """``rfc822; ana@example.org`` → ``ana@example.org`` (the address type is dropped)."""
    _kind, _sep, address = field.partition(";")
    address = (address if _sep else field).strip().strip("<>").strip()
    return address.casefold() if "@" in address else ""


def _blocks(part: Message) -> list[Message]:
    """The field blocks of a ``message/delivery-status`` part, whether the parser made them
    sub-messages or left the text."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    if not text:
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
    blocks = []
    for chunk in re.split(r"\r?\n\s*\r?\n", text.strip()):
        if chunk.strip():
            blocks.append(email.message_from_string(chunk.strip() + "\n\n"))
    return blocks


def _original_id(report: Message) -> str:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found = _MESSAGE_ID.search(str(inner[0].get("Message-ID", "")))
                if found:
                    return found.group(1)
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
            headers = email.message_from_string(text.split("\n\n", 1)[0] + "\n\n")
            found = _MESSAGE_ID.search(str(headers.get("Message-ID", "")))
            if found:
                return found.group(1)
    return ""


def parse_dsn(data: bytes) -> list[Bounce]:
    """The recipients' statuses reported by the DSN ``data`` (an RFC 5322 message); [] when it
    is not a DSN or reports only deliveries."""
    try:
        report = email.message_from_bytes(data, policy=email.policy.compat32)
    except (ValueError, TypeError, IndexError):
        return []
    if report.get_content_type() != "multipart/report":
        return []
    if str(report.get_param("report-type") or "").lower() != "delivery-status":
        return []
    status_part = next(
        (p for p in report.walk() if p.get_content_type() == "message/delivery-status"), None
    )
    if status_part is None:
        return []
    blocks = _blocks(status_part)
    if not blocks:
        return []
    per_message, recipients = blocks[0], blocks[1:]
    if per_message.get("Final-Recipient") is not None:  # no per-message block was given
        per_message, recipients = Message(), blocks
    reporting = (
        _address(_value(per_message, "Reporting-MTA"))
        or _value(per_message, "Reporting-MTA").partition(";")[2].strip()
    )
    message_id = _original_id(report)
    found: list[Bounce] = []
    for block in recipients:
        recipient = _address(_value(block, "Final-Recipient")) or _address(
            _value(block, "Original-Recipient")
        )
        action = _value(block, "Action").lower()
        status = _value(block, "Status").split(" ")[0]
        if not recipient or action not in ("failed", "delayed"):
            continue
        matched = _STATUS.match(status)
        klass = matched.group(1) if matched else ("5" if action == "failed" else "4")
        found.append(
            Bounce(
                recipient=recipient[:254],
                action=action,
                status=status[:16] if matched else "",
                permanent=action == "failed" and klass == "5",
                diagnostic=_value(block, "Diagnostic-Code")[:300],
                message_id=message_id[:250],
                reporting_mta=reporting[:200],
            )
        )
    return found
