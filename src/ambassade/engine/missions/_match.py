"""The mission matcher (see the package's docstring)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ambassade.engine.publishing import extract_urls
from ambassade.engine.query import Document, Matcher, QuerySyntaxError

__all__ = [
    "KINDS",
    "REVIEW_MIN_WORDS",
    "Match",
    "Mission",
    "MissionMatcher",
    "Post",
    "links_in",
    "normalise_url",
]

KINDS = ("share", "answer", "review", "hashtag")

#: A message about a product counts as a review from this many words, unless the network said
#: it is a review (``kind="review"``): "love it!" is a mention, not a review.
REVIEW_MIN_WORDS = 25

# Query parameters that say where a click came from, not what the page is.
_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "twclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "si",
        "feature",
        "spm",
        "yclid",
        "_ga",
        "_gl",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
# Hosts that are one site under several names ("alias>site", one table: a bare "x.com" string
# would read as a message code of the "x" namespace to tests/workspaces/test_messages.py).
_HOSTS = dict(
    pair.split(">")
    for pair in [
        "twitter.com>x.com",
        "mobile.twitter.com>x.com",
        "mobile.x.com>x.com",
        "m.youtube.com>youtube.com",
        "music.youtube.com>youtube.com",
        "m.facebook.com>facebook.com",
        "old.reddit.com>reddit.com",
        "new.reddit.com>reddit.com",
        "np.reddit.com>reddit.com",
    ]
)
_X, _YOUTUBE, _YOUTU_BE = _HOSTS["twitter.com"], _HOSTS["m.youtube.com"], "youtu" + ".be"
# X's share links add ?s=20&t=… to a status: who shared it, not which post.
_X_STATUS = re.compile(r"^/[^/]+/status/\d+$")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_url(url: str) -> str:
    """The page ``url`` names, written one way: scheme, ``www.`` and fragment dropped, host
    lower-cased and its aliases joined (``twitter.com`` is ``x.com``, ``youtu.be/ID`` is
    ``youtube.com/watch?v=ID``), tracking parameters (``utm_*``, ``fbclid``…) dropped, the others
    sorted, the trailing slash dropped. "" for what is not an http(s) address."""
    text = (url or "").strip()
    if "://" not in text and not text.lower().startswith(("mailto:", "javascript:", "data:")):
        text = "https://" + text  # as X and Bluesky link ``cafe.example/x``
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or "." not in (parts.hostname or ""):
        return ""
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    host = _HOSTS.get(host, host)
    if port is not None and port not in {80, 443}:
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    if host == _YOUTU_BE and len(path) > 1:
        host, query = _YOUTUBE, [("v", path[1:].split("/")[0]), *query]
        path = "/watch"
    if host == _X and _X_STATUS.match(path.rstrip("/")):
        query = [(key, value) for key, value in query if key not in {"s", "t"}]
    if host == _YOUTUBE and path == "/watch":
        query = [(key, value) for key, value in query if key == "v"]
    path = path.rstrip("/") or ""
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")


def links_in(text: str, markup: str = "") -> tuple[str, ...]:
    """The http(s) links of a message: those of its text (as X finds them, with or without a
    scheme) and the ``href`` of its sanitised HTML (where a network puts the full address behind
    a shortened text), in order, each once."""
    found: dict[str, None] = {}
    for entity in extract_urls(text or "", "x"):
        found.setdefault(entity.text, None)
    for double, single in _HREF.findall(markup or ""):
        found.setdefault(html.unescape(double or single), None)
    return tuple(link for link in found if normalise_url(link))


@dataclass(frozen=True)
class Mission:
    """A mission as the matcher sees it: ``key`` is the caller's. ``url`` is the target post's or
    question's address (share, answer), ``post_id`` its id on the network when known, ``product``
    the caller's key of the product (review), ``hashtag`` the tag without ``#`` (hashtag)."""

    key: str
    kind: str
    url: str = ""
    post_id: str = ""
    product: str = ""
    hashtag: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown mission kind {self.kind!r}: one of {KINDS}")


@dataclass(frozen=True)
class Post:
    """A message heard on a network. ``links`` default to those of ``text`` and ``html``;
    ``parent_id``/``thread_id`` are the ids of the message it answers and of its thread's root,
    ``quoted_id`` of the post it quotes or reposts (where the network gives it); ``products`` the
    caller's keys of the products it was linked to; ``kind`` the network's (``review``…)."""

    text: str
    html: str = ""
    url: str = ""
    kind: str = "post"
    parent_id: str = ""
    thread_id: str = ""
    quoted_id: str = ""
    products: tuple[str, ...] = ()
    links: tuple[str, ...] | None = None

    def all_links(self) -> tuple[str, ...]:
        return self.links if self.links is not None else links_in(self.text, self.html)


@dataclass(frozen=True)
class Match:
    """``post`` completes ``mission``; ``evidence`` is a code (``mission.linked``, ``mission.quoted``,
    ``mission.replied``, ``mission.reviewed``, ``mission.hashtag``) and ``detail`` what matched (the
    link, the id, the tag)."""

    mission: str
    evidence: str
    detail: str = ""


@dataclass
class MissionMatcher:
    """Many missions matched at once: each message is read once, whatever the number of missions
    (lookups by URL, id, product and one compiled hashtag matcher).

    ``short_links`` maps a short address (normalised) to its target: the brand's own ``/l/<code>``
    links, which a message may carry instead of the post's address."""

    missions: Sequence[Mission]
    short_links: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_url: dict[str, list[Mission]] = {}
        self._by_id: dict[str, list[Mission]] = {}
        self._by_product: dict[str, list[Mission]] = {}
        tags: dict[str, str] = {}
        for mission in self.missions:
            url = normalise_url(mission.url)
            if url and mission.kind in {"share", "answer"}:
                self._by_url.setdefault(url, []).append(mission)
            if mission.post_id and mission.kind in {"share", "answer"}:
                self._by_id.setdefault(mission.post_id, []).append(mission)
            if mission.product and mission.kind == "review":
                self._by_product.setdefault(mission.product, []).append(mission)
            tag = mission.hashtag.strip().lstrip("#")
            if tag and mission.kind == "hashtag":
                tags[mission.key] = "#" + tag
        self._short = {normalise_url(k): v for k, v in self.short_links.items()}
        self._tags: Matcher | None = None
        if tags:
            try:
                self._tags = Matcher(tags)
            except QuerySyntaxError as error:
                raise ValueError(f"a mission's hashtag is not a tag: {error}") from None

    def _expanded(self, link: str) -> str:
        url = normalise_url(link)
        target = self._short.get(url)
        return normalise_url(target) if target else url

    def match(self, post: Post) -> list[Match]:
        """The missions ``post`` completes, each once, with the first evidence found."""
        found: dict[str, Match] = {}

        def add(missions: Iterable[Mission], evidence: str, detail: str, kinds: set[str]) -> None:
            for mission in missions:
                if mission.kind in kinds and mission.key not in found:
                    found[mission.key] = Match(mission.key, evidence, detail)

        if post.quoted_id:
            add(self._by_id.get(post.quoted_id, ()), "mission.quoted", post.quoted_id, {"share"})
        for answered in (post.parent_id, post.thread_id):
            if answered:
                add(self._by_id.get(answered, ()), "mission.replied", answered, {"answer"})
        own = normalise_url(post.url)
        for link in post.all_links():
            url = self._expanded(link)
            if url and url != own:
                add(self._by_url.get(url, ()), "mission.linked", link, {"share", "answer"})
        if self._by_product and (post.kind == "review" or _words(post.text) >= REVIEW_MIN_WORDS):
            for product in post.products:
                add(self._by_product.get(product, ()), "mission.reviewed", product, {"review"})
        if self._tags is not None:
            for key in self._tags.match(Document(text=post.text)):
                mission = next(m for m in self.missions if m.key == key)
                add((mission,), "mission.hashtag", "#" + mission.hashtag.lstrip("#"), {"hashtag"})
        return sorted(found.values(), key=lambda m: m.mission)


def _words(text: str) -> int:
    return len(_WORD.findall(text or ""))
