"""UTM tagging of the links in a post, so the brand's analytics can tell which post brought a visit.

Only links written with ``http://`` or ``https://`` are tagged (a bare "example.com" stays as
written: adding a query would turn it into a different-looking link). Existing query parameters,
their order and encoding, and the fragment are kept byte for byte; a ``utm_*`` parameter already
present is left alone, which makes tagging idempotent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit

from ambassade.engine.publishing._entities import extract_urls
from ambassade.engine.publishing._rules import Network


@dataclass(frozen=True)
class Utm:
    source: str  # the network: "mastodon", "linkedin"…
    medium: str = "social"
    campaign: str | None = None
    content: str | None = None
    term: str | None = None

    def parameters(self) -> list[tuple[str, str]]:
        pairs = [
            ("utm_source", self.source),
            ("utm_medium", self.medium),
            ("utm_campaign", self.campaign),
            ("utm_content", self.content),
            ("utm_term", self.term),
        ]
        return [(key, value) for key, value in pairs if value]


def tag_url(url: str, utm: Utm, domains: Collection[str] | None = None) -> str:
    """`url` with the UTM parameters it lacks, unless its host is outside `domains`
    (each domain also allows its subdomains)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not host:
        return url
    if domains is not None and not any(
        host == domain.lower().lstrip(".") or host.endswith("." + domain.lower().lstrip("."))
        for domain in domains
    ):
        return url
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    missing = [(key, value) for key, value in utm.parameters() if key not in present]
    if not missing:
        return url
    addition = "&".join(f"{key}={quote(value, safe='')}" for key, value in missing)
    head, hash_sign, fragment = url.partition("#")
    if "?" in head:
        head = head + ("" if head.endswith(("?", "&")) else "&") + addition
    else:
        head = head + "?" + addition
    return head + hash_sign + fragment


def add_utm(
    text: str,
    utm: Utm,
    domains: Collection[str] | None = None,
    network: Network | str = Network.X,
) -> str:
    """`text` with every http(s) link tagged by `tag_url`."""
    pieces: list[str] = []
    position = 0
    for url in extract_urls(text, network):
        if not url.text.lower().startswith(("http://", "https://")):
            continue
        pieces.append(text[position : url.start])
        pieces.append(tag_url(url.text, utm, domains))
        position = url.end
    pieces.append(text[position:])
    return "".join(pieces)
