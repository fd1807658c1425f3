"""Links as they go out: UTM tags, and short links that count clicks.

With "Shorten the links and count their clicks", each http(s) link of a variant (after UTM tagging)
becomes ``BASE_URL/l/<code>`` when the variant is published: one :class:`ShortLink` per post, network
and target, so a retry sends the same text. Previews and counters use a placeholder of the same
length and write nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import F

from ambassade.engine import publishing as rules
from ambassade.publishing.models import Post, ShortLink

__all__ = [
    "SHORT_CODE_LENGTH",
    "count_click",
    "register_resolver",
    "replace_links",
    "shape_text",
    "short_url",
]

SHORT_CODE_LENGTH = 8


def short_url(code: str) -> str:
    return f"{django_settings.BASE_URL}/l/{code}"


def _network_for_entities(network: str) -> str:
    return network if network in set(rules.Network) else rules.Network.X


def replace_links(text: str, network: str, replace: Callable[[str], str]) -> str:
    """``text`` with each http(s) link, as ``network`` finds links, given to ``replace``."""
    pieces: list[str] = []
    position = 0
    for url in rules.extract_urls(text, _network_for_entities(network)):
        if not url.text.lower().startswith(("http://", "https://")):
            continue
        pieces.append(text[position : url.start])
        pieces.append(replace(url.text))
        position = url.end
    pieces.append(text[position:])
    return "".join(pieces)


def _short_link(post: Post, network: str, target: str) -> ShortLink:
    """The post's short link to ``target`` on ``network``, created once (a retry reuses it)."""
    found = ShortLink.objects.filter(post=post, network=network, target=target).first()
    if found is not None:
        return found
    for _attempt in range(5):
        code = secrets.token_urlsafe(8)[:SHORT_CODE_LENGTH]
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    workspace_id=post.workspace_id,
                    post=post,
                    network=network,
                    target=target,
                    code=code,
                )
        except IntegrityError:
            found = ShortLink.objects.filter(post=post, network=network, target=target).first()
            if found is not None:
                return found
    raise RuntimeError("no free short link code")  # pragma: no cover - 2^48 codes


def shape_text(
    text: str, network: str, *, campaign: str = "", shorten: bool = False, post: Post | None = None
) -> str:
    """The text as it goes out: links tagged with UTM, then shortened when asked. Without ``post``
    (previews, counters) short links are placeholders of the same length, so counting is exact and
    nothing is written."""
    if campaign:
        text = rules.add_utm(
            text,
            rules.Utm(source=network, campaign=campaign),
            network=_network_for_entities(network),
        )
    if shorten:
        if post is None:
            text = replace_links(text, network, lambda url: short_url("x" * SHORT_CODE_LENGTH))
        else:
            text = replace_links(
                text, network, lambda url: short_url(_short_link(post, network, url).code)
            )
    return text


#: Other apps' links counted through ``/l/<code>`` (the campaigns' links, ``mailing``): each takes
#: the code and the request's query parameters and returns the target, or None for another code.
RESOLVERS: list[Callable[[str, Mapping[str, Any]], str | None]] = []


def register_resolver(resolver: Callable[[str, Mapping[str, Any]], str | None]) -> None:
    if resolver not in RESOLVERS:
        RESOLVERS.append(resolver)


def count_click(code: str, params: Mapping[str, Any] | None = None) -> str | None:
    """Count a click on a short link and return where it leads (None: no such link). Nothing about
    the person is stored (another app's link may count it for its recipient: ``RESOLVERS``)."""
    link = ShortLink.objects.filter(code=code).values("id", "target").first()
    if link is None:
        for resolver in RESOLVERS:
            target = resolver(code, params or {})
            if target is not None:
                return target
        return None
    ShortLink.objects.filter(id=link["id"]).update(clicks=F("clicks") + 1)
    return str(link["target"])
