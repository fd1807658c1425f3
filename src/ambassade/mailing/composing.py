"""One campaign e-mail for one recipient: the text and HTML parts, the headers of RFC 8058's
one-click unsubscribe, tracked links and the optional open pixel.

The template's literal text is where links are found and tracked; the values put into it (a
person's name…) are escaped in the HTML part and never turned into links, so nothing a person
wrote becomes markup or a tracked link.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ambassade.mailing import templating
from ambassade.mailing.templating import _parse

__all__ = ["Composed", "compose", "find_links", "first_name", "unsubscribe_url"]

URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    lang: str
    token: str


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str
    message: EmailMessage


def _urls(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        if len(url) > 10:
            found.append((match.start(), match.start() + len(url), url))
    return found


def find_links(source: str) -> list[str]:
    """The http(s) links written in a template's literal text (not in its values)."""
    links: list[str] = []
    for piece in _parse(source, ""):
        if not piece.variable:
            links.extend(url for _s, _e, url in _urls(piece.text))
    return list(dict.fromkeys(links))


def first_name(name: str) -> str:
    """The first word of a person's name; nothing for a handle (``@ana``) or an address."""
    words = (name or "").strip().split()
    if not words or words[0].startswith("@") or "@" in words[0]:
        return ""
    return words[0][:100]


def base_url() -> str:
    return str(django_settings.BASE_URL).rstrip("/")


def unsubscribe_url(token: str) -> str:
    return base_url() + reverse("mailing:unsubscribe", kwargs={"recipient_token": token})


def open_url(token: str) -> str:
    return base_url() + reverse("mailing:open", kwargs={"recipient_token": token})


def _link_html(url: str, shown: str | None = None) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(shown or url)}</a>'


def _text_to_html(pieces: list[tuple[str, bool]], track: dict[str, str]) -> str:
    """Paragraphs from the rendered pieces (literal text, value): links of the literal text become
    anchors (tracked when ``track`` has them), values are escaped."""
    out: list[str] = []
    for text, literal in pieces:
        if not literal:
            out.append(html.escape(text))
            continue
        position = 0
        for start, end, url in _urls(text):
            out.append(html.escape(text[position:start]))
            out.append(_link_html(track.get(url, url), url))
            position = end
        out.append(html.escape(text[position:]))
    body = "".join(out).replace("\r\n", "\n")
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    return "\n".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)


def compose(
    *,
    campaign_subject: str,
    campaign_body: str,
    brand: str,
    person: Person,
    sender: Address,
    message_id: str,
    links: dict[str, str],
    track_clicks: bool,
    track_opens: bool,
    list_id: str,
    test: bool = False,
) -> Composed:
    """The e-mail of one person. ``links`` maps each link of the template to its code (tracked as
    ``/l/<code>?r=<token>`` when ``track_clicks``)."""
    lang = person.lang
    unsubscribe = unsubscribe_url(person.token)
    values = {
        "first_name": first_name(person.name),
        "name": person.name,
        "email": person.email,
        "brand": brand,
        "unsubscribe_url": unsubscribe,
    }
    track: dict[str, str] = {}
    if track_clicks:
        root = base_url()
        for url, code in links.items():
            track[url] = f"{root}/l/{code}?r={quote(person.token)}"
    subject = " ".join(templating.render(campaign_subject, values).split())[:900]
    if test:
        with translation.override(lang):
            subject = _("[Test] %(subject)s") % {"subject": subject}
    text_parts: list[str] = []
    html_pieces: list[tuple[str, bool]] = []
    for piece in _parse(campaign_body, ""):
        if piece.variable:
            value = values.get(piece.variable, "") or piece.default
            text_parts.append(value)
            if piece.variable == "unsubscribe_url":
                html_pieces.append((value, True))
            else:
                html_pieces.append((value, False))
        else:
            literal = piece.text
            position, replaced = 0, []
            for start, end, url in _urls(literal):
                replaced.append(literal[position:start])
                replaced.append(track.get(url, url))
                position = end
            replaced.append(literal[position:])
            text_parts.append("".join(replaced))
            html_pieces.append((literal, True))
    with translation.override(lang):
        footer_text = _(
            "You receive this e-mail because you agreed to receive e-mails from %(brand)s."
        ) % {"brand": brand}
        footer_link = _("Unsubscribe")
    text = "".join(text_parts).rstrip() + f"\n\n-- \n{footer_text}\n{footer_link}: {unsubscribe}\n"
    body_html = _text_to_html(html_pieces, track)
    pixel = (
        f'<img src="{html.escape(open_url(person.token), quote=True)}" width="1" height="1" '
        'alt="" style="display:block;border:0">'
        if track_opens and not test
        else ""
    )
    document = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family:sans-serif;line-height:1.5;max-width:640px;margin:0 auto;'
        'padding:16px">'
        f"\n{body_html}\n"
        '<hr style="border:0;border-top:1px solid #ccc;margin:24px 0">'
        f'<p style="font-size:13px;color:#555">{html.escape(footer_text)} '
        f"{_link_html(unsubscribe, footer_link)}</p>{pixel}</body></html>"
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = person.email
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{message_id}>"
    message["List-Id"] = list_id
    # RFC 2369 and RFC 8058: a mail client's "Unsubscribe" button POSTs to this address at once.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable: lines stay under SMTP's 1,000 characters whatever the text (RFC 5321).
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(document, subtype="html", cte="quoted-printable")
    message["Content-Language"] = lang  # after the content: set_content() drops Content-* headers
    return Composed(subject, text, document, message)


def message_id(campaign_id: int, recipient_id: int, domain: str) -> str:
    digest = hashlib.sha256(f"{campaign_id}:{recipient_id}:{domain}".encode()).hexdigest()[:12]
    return f"campaign-{campaign_id}.{recipient_id}.{digest}@{domain}"
