"""`validate()`: everything that would make a network refuse a post, or publish it worse than meant.

Each `Problem` carries a stable `code`, a `message_key` and `params` for the Django layer to translate
("publishing.text_too_long" with ``length``, ``limit``, ``unit``…), and the offending `span` of the text
or the index of the offending medium where there is one. `Problem.message()` gives an English sentence
for logs and command-line tools.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from ambassade.engine.publishing._counting import measure_with
from ambassade.engine.publishing._entities import extract_hashtags, extract_urls
from ambassade.engine.publishing._reddit import split_title
from ambassade.engine.publishing._rules import Limits, MediaKind, Network, NetworkRules, rules_for
from ambassade.engine.publishing._unicode import grapheme_length


class Severity(StrEnum):
    ERROR = "error"  # the network would refuse the post, or cut it
    WARNING = "warning"  # it goes out, but not as meant (no alt text, a hashtag that won't link)


MESSAGES: Mapping[str, str] = {
    "empty": "The post is empty: write a text or add a medium.",
    "media_required": "{network} needs at least one image or video.",
    "text_too_long": "The text is {length} {unit} long; {network} accepts {limit}.",
    "caption_too_long": "With a medium, {network} accepts a caption of {limit} {unit}; this one has {length}.",
    "text_too_many_bytes": "The text takes {length} bytes; {network} accepts {limit}.",
    "forbidden_character": "{network} refuses the invisible character {character} in a post.",
    "too_many_hashtags": "The text has {count} hashtags; {network} accepts {limit}.",
    "too_many_topic_tags": "{network} makes only the first hashtag a topic; {count} were written.",
    "hashtag_too_long": "The hashtag #{tag} is longer than {limit} characters; {network} won't link it.",
    "too_many_links": "The text has {count} links; {network} accepts {limit}.",
    "title_required": "{network} needs a title.",
    "title_too_long": "The title is {length} characters long; {network} accepts {limit}.",
    "duplicate_text": "{network} refuses a text identical to a recent post.",
    "too_many_media": "The post has {count} media; {network} accepts {limit}.",
    "media_mix_not_allowed": "{network} does not accept {kinds} together in one post.",
    "media_kind_not_supported": "{network} does not accept a {kind}.",
    "media_type_not_supported": "{network} does not accept files of type {mime_type}.",
    "media_too_large": "The file weighs {size} bytes; {network} accepts {limit}.",
    "media_url_not_public": "{network} fetches media itself: it needs a public http(s) address.",
    "alt_text_missing": "This {kind} has no description (alt text) for people who can't see it.",
    "alt_text_too_long": "The description is {length} characters long; {network} accepts {limit}.",
}


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    params: Mapping[str, str | int] = field(default_factory=dict)
    span: tuple[int, int] | None = None  # code point offsets into the text
    media_index: int | None = None

    @property
    def message_key(self) -> str:
        return f"publishing.{self.code}"

    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)


@dataclass(frozen=True)
class Media:
    """A medium attached to a post, as far as it is known before upload."""

    kind: MediaKind
    mime_type: str | None = None
    size: int | None = None  # bytes
    alt_text: str | None = None
    url: str | None = None  # where the network fetches it, for Instagram and Threads


def validate(
    network: Network | str,
    text: str,
    media: Sequence[Media] = (),
    limits: Limits | None = None,
    *,
    title: str | None = None,
    recent_texts: Collection[str] = (),
    content_warning: str | None = None,
) -> list[Problem]:
    """Every problem `network` would have with this post; an empty list means it can go out.

    `limits` are what the network reported at run time (see `Limits.from_mastodon_instance`);
    `title` is Reddit's; without one, the text's first line is the title and the rest the body
    (`split_title`, what the Reddit publisher sends), and the spans still point into `text`.
    `recent_texts` are the account's recent posts, for LinkedIn's refusal of duplicates;
    `content_warning` is Mastodon's ``spoiler_text``, which counts against the limit.
    """
    rules = rules_for(network, limits)
    name = rules.label
    problems: list[Problem] = []
    if not text.strip() and not media and rules.max_title_length is None:
        problems.append(Problem("empty", Severity.ERROR, {"network": name}))
    if rules.media.requires_media and not media:
        problems.append(Problem("media_required", Severity.ERROR, {"network": name}))
    warning = content_warning if rules.network is Network.MASTODON else None
    body, offset = text, 0
    if rules.max_title_length is not None and title is None:
        title, body = split_title(text)
        offset = text.find(body, text.find(title) + len(title)) if body else len(text)
    problems += [
        dataclasses.replace(problem, span=(problem.span[0] + offset, problem.span[1] + offset))
        if offset and problem.span is not None
        else problem
        for problem in _text_problems(rules, body, has_media=bool(media), content_warning=warning)
    ]
    if rules.max_title_length is not None:
        problems += _title_problems(rules, title)
    if (
        rules.rejects_duplicates
        and text.strip()
        and text.strip() in {t.strip() for t in recent_texts}
    ):
        problems.append(Problem("duplicate_text", Severity.ERROR, {"network": name}))
    problems += _media_problems(rules, media)
    return problems


def _text_problems(
    rules: NetworkRules, text: str, *, has_media: bool, content_warning: str | None
) -> list[Problem]:
    return (
        _length_problems(rules, text, has_media=has_media, content_warning=content_warning)
        + _character_problems(rules, text)
        + _hashtag_problems(rules, text)
        + _link_problems(rules, text)
    )


def _character_problems(rules: NetworkRules, text: str) -> list[Problem]:
    if not rules.forbidden_characters:
        return []
    for position, character in enumerate(text):
        if character in rules.forbidden_characters:
            params: dict[str, str | int] = {
                "network": rules.label,
                "character": f"U+{ord(character):04X}",
            }
            return [
                Problem("forbidden_character", Severity.ERROR, params, (position, position + 1))
            ]
    return []


def _length_problems(
    rules: NetworkRules, text: str, *, has_media: bool, content_warning: str | None
) -> list[Problem]:
    name = rules.label
    caption, limit = False, rules.max_length
    if has_media and rules.max_caption_length is not None:
        caption, limit = True, rules.max_caption_length
    # Mastodon counts the content warning, as graphemes, with the text.
    warning_length = grapheme_length(content_warning) if content_warning else 0
    measured = measure_with(rules, text, limit=limit - warning_length)
    problems: list[Problem] = []
    span = None if measured.overflow_start is None else (measured.overflow_start, len(text))
    if measured.length + warning_length > limit:
        params: dict[str, str | int] = {
            "network": name,
            "length": measured.length + warning_length,
            "limit": limit,
            "unit": measured.unit,
        }
        code = "caption_too_long" if caption else "text_too_long"
        problems.append(Problem(code, Severity.ERROR, params, span))
    if measured.byte_limit is not None and measured.byte_length > measured.byte_limit:
        params = {"network": name, "length": measured.byte_length, "limit": measured.byte_limit}
        problems.append(Problem("text_too_many_bytes", Severity.ERROR, params, span))
    return problems


def _hashtag_problems(rules: NetworkRules, text: str) -> list[Problem]:
    if rules.max_hashtags is None and rules.max_hashtag_length is None:
        return []
    name = rules.label
    problems: list[Problem] = []
    hashtags = extract_hashtags(text, rules.network)
    if rules.max_hashtags is not None:
        # Distinct tags, in order of first use: "#Lyon #lyon" is one tag.
        distinct = {tag.value.casefold(): tag for tag in reversed(hashtags)}
        firsts = sorted(distinct.values(), key=lambda tag: tag.start)
        if len(firsts) > rules.max_hashtags:
            problems.append(
                Problem(
                    "too_many_topic_tags"
                    if rules.network is Network.THREADS
                    else "too_many_hashtags",
                    Severity.ERROR if rules.hashtags_error else Severity.WARNING,
                    {"network": name, "count": len(firsts), "limit": rules.max_hashtags},
                    firsts[rules.max_hashtags].span,
                )
            )
    if rules.max_hashtag_length is not None:
        for tag in hashtags:
            if grapheme_length(tag.value) > rules.max_hashtag_length:
                params: dict[str, str | int] = {
                    "network": name,
                    "tag": tag.value,
                    "limit": rules.max_hashtag_length,
                }
                problems.append(Problem("hashtag_too_long", Severity.WARNING, params, tag.span))
    return problems


def _link_problems(rules: NetworkRules, text: str) -> list[Problem]:
    if rules.max_links is None:
        return []
    urls = extract_urls(text, rules.network)
    # Threads counts distinct URLs.
    firsts = sorted({url.value: url for url in reversed(urls)}.values(), key=lambda url: url.start)
    if len(firsts) <= rules.max_links:
        return []
    params: dict[str, str | int] = {
        "network": rules.label,
        "count": len(firsts),
        "limit": rules.max_links,
    }
    return [Problem("too_many_links", Severity.ERROR, params, firsts[rules.max_links].span)]


def _title_problems(rules: NetworkRules, title: str | None) -> list[Problem]:
    assert rules.max_title_length is not None
    if title is None or not title.strip():
        return [Problem("title_required", Severity.ERROR, {"network": rules.label})]
    if len(title) > rules.max_title_length:
        return [
            Problem(
                "title_too_long",
                Severity.ERROR,
                {"network": rules.label, "length": len(title), "limit": rules.max_title_length},
            )
        ]
    return []


def _media_problems(rules: NetworkRules, media: Sequence[Media]) -> list[Problem]:
    if not media:
        return []
    name = rules.label
    allowed = rules.media
    problems: list[Problem] = []
    kinds = {item.kind for item in media}
    known = set().union(*(group for group, _ in allowed.combinations))
    group_limit: int | None = None
    if kinds <= known:
        groups = [count for group, count in allowed.combinations if kinds <= group]
        if groups:
            group_limit = max(groups)
        else:
            problems.append(
                Problem(
                    "media_mix_not_allowed",
                    Severity.ERROR,
                    {"network": name, "kinds": ", ".join(sorted(kinds))},
                )
            )
    limit = min(allowed.max_items, group_limit) if group_limit is not None else allowed.max_items
    if len(media) > limit:
        problems.append(
            Problem(
                "too_many_media",
                Severity.ERROR,
                {"network": name, "count": len(media), "limit": limit},
            )
        )
    for index, item in enumerate(media):
        params: dict[str, str | int] = {"network": name, "kind": item.kind.value}
        if item.kind not in known:
            problems.append(
                Problem("media_kind_not_supported", Severity.ERROR, params, media_index=index)
            )
            continue
        if (
            allowed.mime_types
            and item.mime_type
            and item.mime_type.lower() not in allowed.mime_types
        ):
            problems.append(
                Problem(
                    "media_type_not_supported",
                    Severity.ERROR,
                    {**params, "mime_type": item.mime_type},
                    media_index=index,
                )
            )
        max_bytes = allowed.max_bytes.get(item.kind)
        if max_bytes is not None and item.size is not None and item.size > max_bytes:
            problems.append(
                Problem(
                    "media_too_large",
                    Severity.ERROR,
                    {**params, "size": item.size, "limit": max_bytes},
                    media_index=index,
                )
            )
        if allowed.public_url and not (item.url and is_public_url(item.url)):
            problems.append(
                Problem("media_url_not_public", Severity.ERROR, params, media_index=index)
            )
        if item.kind in allowed.alt_text:
            alt = (item.alt_text or "").strip()
            if not alt:
                problems.append(
                    Problem("alt_text_missing", Severity.WARNING, params, media_index=index)
                )
            elif allowed.max_alt_text is not None and len(alt) > allowed.max_alt_text:
                problems.append(
                    Problem(
                        "alt_text_too_long",
                        Severity.ERROR,
                        {**params, "length": len(alt), "limit": allowed.max_alt_text},
                        media_index=index,
                    )
                )
    return problems


_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet")


def is_public_url(url: str) -> bool:
    """Whether a network's servers could fetch `url`: http(s), a host that is not a private
    address, a loopback, or a name that only resolves on a local network."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host
