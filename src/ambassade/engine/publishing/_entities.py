"""Links, hashtags and mentions as each network recognises them in a text.

Offsets are Python string offsets (code points) into the text as given; `Entity.value` is what the
entity stands for: the URL (with ``https://`` added to a bare domain), the tag without ``#``, the
handle without ``@`` (``user@instance`` on Mastodon, ``alice.bsky.social`` on Bluesky, the URN on
LinkedIn).

URL detection follows twitter-text's rules, which Mastodon also uses (with the protocol required):
a URL is not glued to a preceding letter, ``@``, ``$`` or ``#``; a bare domain needs a known TLD and,
when it is a single label under a country code ("ambassade.fr"), a path; trailing punctuation is
left out and a closing parenthesis belongs to the URL only when it closes one opened inside it
("https://fr.wikipedia.org/wiki/Lyon_(ville)"). Bluesky's clients detect links their own, simpler way,
which `extract_urls` reproduces for that network.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import regex

from ambassade.engine.publishing._rules import Network
from ambassade.engine.publishing._tlds import CCTLDS, TLDS


class EntityKind(StrEnum):
    URL = "url"
    HASHTAG = "hashtag"
    MENTION = "mention"


@dataclass(frozen=True)
class Entity:
    kind: EntityKind
    start: int
    end: int
    text: str
    value: str

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


_LABEL = r"[^\W_][\w-]*+"
_URL = regex.compile(
    r"(?<![A-Za-z0-9@＠$#＃\u202A-\u202E])"
    r"(?P<protocol>https?://)?"
    rf"(?P<domain>(?:{_LABEL}\.)+{_LABEL})"
    r"(?P<port>:[0-9]{1,5})?"
    r"(?P<path>/[\w!*';:=+,.$/%#\[\]\-\u2013~@|&()]*+)?"
    r"(?P<query>\?[\w!?*'@();:&=+$/%#\[\]\-.,~|]*+)?",
    regex.IGNORECASE,
)
_SPECIAL_SHORT_DOMAINS = frozenset({"t.co"})
_ASCII_DOMAIN_TAIL = regex.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*$")
_URL_END = frozenset("=_#/+-&")


def _trim_url_tail(tail: str) -> str:
    """Drop the punctuation that ends a sentence rather than the URL, and an unmatched ")"."""
    while tail:
        last = tail[-1]
        if last == ")":
            if tail.count("(") >= tail.count(")"):
                break
        elif last.isalnum() or last in _URL_END:
            break
        tail = tail[:-1]
    return tail


def _twitter_urls(text: str, require_protocol: bool) -> list[Entity]:
    if "." not in text:
        return []
    found: list[Entity] = []
    for match in _URL.finditer(text):
        protocol = match.group("protocol") or ""
        domain = match.group("domain")
        start = match.start()
        if require_protocol and not protocol:
            continue
        if not _labels_fit(domain):
            continue
        tld = domain.rsplit(".", 1)[1].lower()
        path = match.group("path") or ""
        if protocol:
            if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
                continue
        else:
            if not domain.isascii():
                # Only an ASCII domain links without a protocol: "詳しくはambassade.com" links
                # "ambassade.com", as on X.
                ascii_tail = _ASCII_DOMAIN_TAIL.search(domain)
                if ascii_tail is None:
                    continue
                start += ascii_tail.start()
                domain = ascii_tail.group()
            elif start > 0 and text[start - 1] in "-_./":
                continue
            if "." not in domain or tld not in TLDS:
                continue
            single_label = domain.count(".") == 1
            if (
                not path
                and single_label
                and tld in CCTLDS
                and domain.lower() not in _SPECIAL_SHORT_DOMAINS
            ):
                continue
        head_end = match.end("port") if match.group("port") else match.end("domain")
        tail = _trim_url_tail(text[head_end : match.end()])
        end = head_end + len(tail)
        written = text[start:end]
        found.append(
            Entity(
                EntityKind.URL, start, end, written, written if protocol else "https://" + written
            )
        )
    return found


_BSKY_URL = regex.compile(
    r"(?:^|(?<=[\s(]))(?:(?P<full>https?://\S+)|(?P<bare>(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)\S*))",
    regex.IGNORECASE,
)


def _labels_fit(domain: str) -> bool:
    """DNS labels hold at most 63 characters once punycode-encoded (twitter-text checks it too:
    a "domain" of 64 letters is text, not a link)."""
    for label in domain.split("."):
        if not label.isascii():
            try:
                label = "xn--" + label.encode("punycode").decode("ascii")
            except UnicodeError:
                return False
        if len(label) > 63 or label.startswith("-") or label.endswith("-"):
            return False
    return True


def _bluesky_urls(text: str) -> list[Entity]:
    found: list[Entity] = []
    for match in _BSKY_URL.finditer(text):
        written = match.group(0)
        if match.group("bare") is not None and not _is_valid_domain(match.group("domain")):
            continue
        if written[-1] in ".,;!?":
            written = written[:-1]
        if written.endswith(")") and "(" not in written:
            written = written[:-1]
        value = written if match.group("full") is not None else "https://" + written
        found.append(
            Entity(EntityKind.URL, match.start(), match.start() + len(written), written, value)
        )
    return found


def _is_valid_domain(domain: str) -> bool:
    labels = domain.lower().split(".")
    return len(labels) >= 2 and all(labels) and labels[-1] in TLDS


def extract_urls(text: str, network: Network | str = Network.X) -> list[Entity]:
    """The links of `text` as `network` finds them (Mastodon only links URLs with a protocol)."""
    network = Network(network)
    if network is Network.BLUESKY:
        return _bluesky_urls(text)
    return _twitter_urls(text, require_protocol=network is Network.MASTODON)


# Hashtags. Letters, marks, digits and "_" (plus the middle dot "·" that Catalan needs), with at least
# one letter, not glued to a preceding word character or "&" (HTML entities like "&#39;").
_HASHTAG = regex.compile(r"(?<![\w&＆])[#＃](?P<value>[\w\u00B7]++)(?![#＃]|://)")
_MASTODON_HASHTAG = regex.compile(r"(?<![\w/)])[#＃](?P<value>[\w\u00B7]++)(?![#＃]|://)")
_BSKY_TAG_STOP = r"\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20E2"
_BSKY_HASHTAG = regex.compile(
    rf"(?:^|(?<=\s))[#＃](?P<value>(?!\uFE0F)[^{_BSKY_TAG_STOP}]*[^\d\p{{P}}{_BSKY_TAG_STOP}]+"
    rf"[^{_BSKY_TAG_STOP}]*)"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_HAS_LETTER = regex.compile(r"\p{L}")


def extract_hashtags(text: str, network: Network | str = Network.X) -> list[Entity]:
    """The hashtags of `text`; those inside a link are not hashtags."""
    network = Network(network)
    found: list[Entity] = []
    if network is Network.BLUESKY:
        for match in _BSKY_HASHTAG.finditer(text):
            # The pattern holds a character that is neither punctuation nor a digit: never empty.
            tag = _TRAILING_PUNCTUATION.sub("", match.group("value"))
            end = match.start("value") + len(tag)
            found.append(
                Entity(EntityKind.HASHTAG, match.start(), end, text[match.start() : end], tag)
            )
    else:
        pattern = _MASTODON_HASHTAG if network is Network.MASTODON else _HASHTAG
        for match in pattern.finditer(text):
            tag = match.group("value").rstrip("\u00b7")
            if not _HAS_LETTER.search(tag):
                continue
            end = match.start("value") + len(tag)
            found.append(
                Entity(EntityKind.HASHTAG, match.start(), end, text[match.start() : end], tag)
            )
    return _outside(found, extract_urls(text, network))


_MENTIONS: dict[Network, regex.Pattern[str]] = {
    Network.X: regex.compile(
        # Not followed by another name character, an accented Latin letter or "://".
        r"(?<![\w!@#$%&*＠＃])[@＠](?P<value>[A-Za-z0-9_]{1,15}+)"
        r"(?![A-Za-z0-9_@＠\u00C0-\u024F\u1E00-\u1EFF]|://)"
    ),
    Network.MASTODON: regex.compile(
        r"(?<![=/\w@])@(?P<value>[a-z0-9_]++(?:[.-]++[a-z0-9_]++)*+(?:@[\w.-]*\w)?)(?![\w@])",
        regex.IGNORECASE,
    ),
    Network.BLUESKY: regex.compile(r"(?:^|(?<=[\s(]))@(?P<value>[a-zA-Z0-9.-]+)\b"),
    Network.INSTAGRAM: regex.compile(r"(?<![\w@])@(?P<value>[A-Za-z0-9._]{1,30}+)(?![\w@])"),
    Network.THREADS: regex.compile(r"(?<![\w@])@(?P<value>[A-Za-z0-9._]{1,30}+)(?![\w@])"),
    Network.TELEGRAM: regex.compile(r"(?<![\w@])@(?P<value>[A-Za-z][A-Za-z0-9_]{3,31}+)(?![\w@])"),
    Network.LINKEDIN: regex.compile(
        r"@\[(?P<name>[^\]\n]+)\]\((?P<value>urn:li:[a-zA-Z]+:[^)\s]+)\)"
    ),
}
_GENERIC_MENTION = regex.compile(r"(?<![\w@])@(?P<value>\w++)(?!@)")


def extract_mentions(text: str, network: Network | str = Network.X) -> list[Entity]:
    """The mentions of `text` in `network`'s syntax: ``@user`` on X, ``@user`` or
    ``@user@instance`` on Mastodon, ``@handle.domain`` on Bluesky (to be resolved to a DID by the
    connector), ``@[Name](urn:li:organization:1)`` on LinkedIn."""
    network = Network(network)
    pattern = _MENTIONS.get(network, _GENERIC_MENTION)
    found: list[Entity] = []
    for match in pattern.finditer(text):
        value = match.group("value")
        if network in (Network.INSTAGRAM, Network.THREADS):
            value = value.rstrip(".")
        if network is Network.BLUESKY and not (
            _is_valid_domain(value) or value.lower().endswith(".test")
        ):
            continue
        start = match.start()
        if network is not Network.LINKEDIN:
            start = match.start("value") - 1
            end = match.start("value") + len(value)
        else:
            end = match.end()
        found.append(Entity(EntityKind.MENTION, start, end, text[start:end], value))
    return _outside(found, extract_urls(text, network))


def extract_entities(text: str, network: Network | str = Network.X) -> list[Entity]:
    """Links, mentions and hashtags of `text`, in order, without overlaps (links win)."""
    urls = extract_urls(text, network)
    others = _outside(extract_mentions(text, network) + extract_hashtags(text, network), urls)
    merged: list[Entity] = []
    for entity in sorted(others, key=lambda entity: entity.start):
        if merged and entity.start < merged[-1].end:
            continue
        merged.append(entity)
    return sorted(urls + merged, key=lambda entity: entity.start)


def _outside(entities: list[Entity], urls: list[Entity]) -> list[Entity]:
    if not urls:
        return entities
    return [
        entity
        for entity in entities
        if not any(entity.start < url.end and url.start < entity.end for url in urls)
    ]
