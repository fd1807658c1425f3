"""The ingest pipeline (DESIGN.md, "The spine: a mention").

``ingest(source, items)``: normalise → drop what the source already gave (``external_id``) →
analyse in batches (``engine.text``) → group near-duplicates (SimHash within 3 bits) → match every
enabled listening query of the workspace (one compiled ``engine.query.Matcher``, cached per workspace
and rebuilt when its queries change) → store the mentions and their matches in bulk → the database's
triggers index them for full-text search (:mod:`ambassade.listening.search`) → the rollup of distinct
mentions (:mod:`ambassade.listening.rollup`) and term counts incremented → after commit, the routing hook (:mod:`ambassade.listening.routing`).

Re-ingesting the same items changes nothing: they are filtered out by ``(source, external_id)``
before anything else, and the unique constraint stops a concurrent ingest of the same item. An item
already stored that comes back edited (a later ``RawItem.edited_at``) or deleted updates its mention,
the earlier text kept as a :class:`~ambassade.listening.models.MentionRevision`.

Private messages (``ItemKind.MESSAGE``: direct messages, e-mails) are never mentions: they are handed,
in the caller's transaction, to the private receivers of the routing hook (the inbox), so that the
stream, search, share of voice and rollups cannot show them (docs/inbox.md).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ambassade.connectors._text import sanitize_html
from ambassade.connectors.base import EARLIEST, LATEST, ItemKind, RawItem
from ambassade.engine.query import (
    Document,
    Matcher,
    PreparedDocument,
    QuerySyntaxError,
    parse,
    prepare,
)
from ambassade.engine.text import Analysis, hamming_distance
from ambassade.listening import analysis, rollup, routing, search
from ambassade.listening.models import ListeningQuery, Mention, MentionRevision, Source

__all__ = [
    "IngestResult",
    "apply_changes",
    "document_for",
    "forget_caches",
    "ingest",
    "matcher_for",
]

log = logging.getLogger(__name__)

ANALYSIS_BATCH = 500
LOOKUP_BATCH = 500
NEAR_DUPLICATE_BITS = 3
MAX_TERMS = 8
MAX_TEXT = 100_000
"""A mention keeps at most this many characters of its text; a longer one is cut and ends with "…"
(the analysis reads only the first 10,000 anyway; docs/text-analysis.md, "Input limits")."""
MAX_HTML = 400_000
"""Likewise for the HTML a source gives, cut before it is sanitised."""
_HASHTAG = re.compile(r"#([^\W_][\w]{1,48})", re.UNICODE)
_ALLOWED_URL = re.compile(r"^https?://", re.I)
_SURROGATE = re.compile("[\ud800-\udfff]")

Analyser = Callable[[Sequence[str]], list[Analysis]]


@dataclass
class IngestResult:
    received: int = 0
    created: int = 0
    already_known: int = 0
    near_duplicates: int = 0
    matches: int = 0
    #: Known mentions an item edited or marked deleted.
    updated: int = 0
    #: Private messages handed to the inbox (never stored as mentions).
    private: int = 0
    mentions: list[Mention] = field(default_factory=list, repr=False)
    #: Items not stored, as (external id, field, reason): a value out of range (RawItem.problems).
    rejected: list[tuple[str, str, str]] = field(default_factory=list)


# --- normalisation --------------------------------------------------------------------------------


def _clip(value: str | None, length: int) -> str:
    return (value or "").strip()[:length]


def _account_made(value: datetime | None) -> datetime | None:
    """The author's account creation time, when the network gave a plausible one."""
    if value is None or not EARLIEST <= value < LATEST:
        return None
    return value


def _url(value: str | None) -> str:
    value = (value or "").strip()
    return value[:2000] if _ALLOWED_URL.match(value) else ""


def _signed(fingerprint: int) -> int:
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


def _unsigned(fingerprint: int) -> int:
    return fingerprint + (1 << 64) if fingerprint < 0 else fingerprint


def _storable(value: str) -> str:
    """Text every database stores: no NUL (PostgreSQL refuses it), no lone surrogate (from a JSON
    escape such as \\ud800; UTF-8 cannot encode it)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = _SURROGATE.sub("\ufffd", value)
    return value


def _clean(item: RawItem) -> RawItem:
    author = item.author
    texts = (item.external_id, item.text, item.html or "", item.url, author.handle, author.name)
    if all(_storable(text) is text for text in texts):
        return item
    return replace(
        item,
        external_id=_storable(item.external_id),
        text=_storable(item.text),
        html=_storable(item.html) if item.html else item.html,
        url=_storable(item.url),
        author=replace(
            author,
            handle=_storable(author.handle),
            name=_storable(author.name),
            url=_storable(author.url),
        ),
    )


def normalise(
    items: Iterable[RawItem], rejected: list[tuple[str, str, str]] | None = None
) -> list[RawItem]:
    """One item per external id (the last given wins), with text, storable; the order kept. Texts
    and HTML past :data:`MAX_TEXT` and :data:`MAX_HTML` characters are cut. An item with a value
    out of range (:meth:`RawItem.problems`) is left out and added to ``rejected``: one bad item
    must not stop the others, nor a source's every poll after."""
    unique: dict[str, RawItem] = {}
    for item in items:
        problems = item.problems()
        if problems:
            if rejected is not None:
                rejected.extend((item.external_id[:255], *problem) for problem in problems[:1])
            log.warning("item %r skipped: %s %s", item.external_id[:255], *problems[0])
            continue
        if item.text.strip() or item.html or item.deleted:
            if len(item.text) > MAX_TEXT or (item.html and len(item.html) > MAX_HTML):
                item = replace(
                    item,
                    text=_cut(item.text, MAX_TEXT),
                    html=_cut(item.html, MAX_HTML) if item.html else item.html,
                )
            item = _clean(item)
            unique[item.external_id[:255]] = item
    return list(unique.values())


def _cut(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


# --- near-duplicates ------------------------------------------------------------------------------


class NearDuplicateIndex:
    """Recent fingerprints of a workspace, found by any of four 16-bit bands: two fingerprints
    within 3 bits of each other share at least one band exactly (pigeonhole)."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self.bands: list[dict[int, list[tuple[int, int]]]] = [{}, {}, {}, {}]
        self.size = 0
        self.last_id = 0

    def find(self, fingerprint: int) -> int | None:
        for band, table in enumerate(self.bands):
            for other, cluster in table.get((fingerprint >> (16 * band)) & 0xFFFF, ()):
                if hamming_distance(fingerprint, other) <= NEAR_DUPLICATE_BITS:
                    return cluster
        return None

    def add(self, fingerprint: int, cluster: int) -> None:
        if self.size >= self.LIMIT:
            self.bands = [{}, {}, {}, {}]
            self.size = 0
        for band, table in enumerate(self.bands):
            table.setdefault((fingerprint >> (16 * band)) & 0xFFFF, []).append(
                (fingerprint, cluster)
            )
        self.size += 1


_lock = threading.Lock()
_near: dict[tuple[int, str], NearDuplicateIndex] = {}
_matchers: dict[tuple[int, str], tuple[object, Matcher, dict[str, int]]] = {}


def forget_caches() -> None:
    with _lock:
        _near.clear()
        _matchers.clear()


def _near_index(workspace: Any) -> NearDuplicateIndex:
    """The workspace's index, brought up to date with mentions other processes stored since."""
    key = (workspace.pk, workspace.created_at.isoformat())
    index = _near.get(key)
    rows = Mention.objects.filter(workspace=workspace)
    if index is None:
        index = NearDuplicateIndex()
        rows = rows.order_by("-id")[: NearDuplicateIndex.LIMIT // 2]
        _near[key] = index
    else:
        rows = rows.filter(id__gt=index.last_id).order_by("-id")[: NearDuplicateIndex.LIMIT // 2]
    found = list(rows.values_list("id", "fingerprint", "cluster"))
    for _id, fingerprint, cluster in reversed(found):
        if fingerprint:
            index.add(_unsigned(fingerprint), cluster)
    if found:
        index.last_id = max(index.last_id, found[0][0])
    return index


# --- matching -------------------------------------------------------------------------------------


def matcher_for(workspace: Any) -> tuple[Matcher, dict[str, int]]:
    """The compiled matcher of the workspace's enabled, valid queries, and query id → pk.

    Cached per workspace; rebuilt when a query is added, changed, disabled or deleted (the cache key
    is read from the queries' ids and ``updated_at``, one small query per ingest)."""
    rows = list(
        ListeningQuery.objects.filter(workspace=workspace, enabled=True)
        .order_by("id")
        .values_list("id", "updated_at")
    )
    signature = tuple(rows)
    key = (workspace.pk, workspace.created_at.isoformat())
    cached = _matchers.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1], cached[2]
    texts = dict(
        ListeningQuery.objects.filter(id__in=[pk for pk, _ in rows]).values_list("id", "text")
    )
    queries: dict[str, str] = {}
    for pk, text in texts.items():
        try:
            parse(text)
        except QuerySyntaxError:
            log.warning("listening query %s does not parse: skipped", pk)
            continue
        queries[str(pk)] = text
    try:
        matcher = Matcher(queries)
    except QuerySyntaxError:  # a query that parses but cannot match anything
        valid = {}
        for query_id, text in queries.items():
            try:
                Matcher({query_id: text})
            except QuerySyntaxError:
                continue
            valid[query_id] = text
        matcher = Matcher(valid)
    ids = {query_id: int(query_id) for query_id in matcher.ids}
    with _lock:
        _matchers[key] = (signature, matcher, ids)
    return matcher, ids


def document_for(text: str, lang: str, network: str, author: str, url: str) -> PreparedDocument:
    """What a query reads of a mention. The pipeline, the query preview and a backfill all read
    mentions through this, so that what the preview counts is what the query then holds."""
    return prepare(
        Document(
            text=text, lang=lang or None, source=network, author=author or None, url=url or None
        )
    )


# --- storing --------------------------------------------------------------------------------------


def _folding_table() -> dict[int, str]:
    """Each precomposed Latin letter with accents → its letter alone (``é`` → ``e``): one character for
    one, so that a position in the folded text is the same position in the text."""
    table = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base != chr(code):
            table[code] = base
    return table


_FOLD = _folding_table()


def _spelling(lowered: str, folded: str, word: str) -> str:
    """How ``lowered`` writes the normalised keyword ``word`` (its first occurrence as a whole word,
    accents kept), or ``word`` when it cannot be found (letters repeated, ligatures…)."""
    start = folded.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not folded[start - 1].isalnum()) and (
            end == len(folded) or not folded[end].isalnum()
        ):
            return lowered[start:end]
        start = folded.find(word, start + 1)
    return word


def _terms(text: str, keywords: Sequence[str]) -> list[tuple[str, str]]:
    """The mention's hashtags and keywords, as (term, spelling): the term counts, normalised as the
    engine gives keywords (``debite``); the spelling is how the mention writes it (``débité``)."""
    tags = [tag.lower() for tag in _HASHTAG.findall(text)]
    terms = [("#" + tag, "#" + tag) for tag in tags]
    lowered = folded = ""
    for word in keywords:
        if len(word) < 3 or word in tags:
            continue
        if not lowered:
            lowered = text.lower()
            folded = lowered.translate(_FOLD)
        terms.append((word, _spelling(lowered, folded, word)))
    unique: dict[str, str] = {}
    for term, spelling in terms:
        unique.setdefault(term[:100], spelling[:100])
    return list(unique.items())[:MAX_TERMS]


def _upsert(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 1000):
                cursor.executemany(sql, rows[start : start + 1000])


_TERM_SQL = (
    "INSERT INTO listening_termrollup (workspace_id, day, term, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (workspace_id, day, term) DO UPDATE SET count = listening_termrollup.count + "
    "excluded.count"
)

_SPELLING_SQL = (
    "INSERT INTO listening_termspelling (workspace_id, day, term, spelling, count) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (workspace_id, day, term, spelling) DO UPDATE SET "
    "count = listening_termspelling.count + excluded.count"
)


_MATCH_SQL = (
    "INSERT INTO listening_mentionmatch (workspace_id, mention_id, query_id, created_at) "
    "VALUES (%s, %s, %s, %s)"
)
# Mention columns written by the pipeline. A hand-built multi-row INSERT rather than bulk_create():
# Django's per-field SQL compilation cost more than the database's work for large batches.
_MENTION_COLUMNS = (
    "workspace_id", "source_id", "network", "external_id", "kind", "url", "text", "html",
    "author_handle", "author_name", "author_url", "author_followers", "author_external_id",
    "author_created_at", "parent_external_id", "thread_external_id", "quoted_external_id",
    "lang", "sentiment",
    "sentiment_score", "offensive", "hateful", "spam", "keywords", "analysed_as", "analysis_tier",
    "fingerprint", "cluster",
    "is_duplicate", "metrics", "tags", "sentiment_corrected", "marked_spam", "marked_irrelevant",
    "created_at", "ingested_at", "edited_at",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"keywords", "metrics", "tags"})
_TIME_COLUMNS = frozenset({"created_at", "ingested_at", "edited_at", "author_created_at"})
_ROWS_PER_INSERT = 400


def _insert_mentions(mentions: list[Mention]) -> None:
    """Insert the mentions and set their primary keys (read back by external id)."""
    adapt_time = connection.ops.adapt_datetimefield_value
    getters = []
    for column in _MENTION_COLUMNS:
        if column in _JSON_COLUMNS:
            getters.append(lambda m, c=column: json.dumps(getattr(m, c), ensure_ascii=False))
        elif column in _TIME_COLUMNS:
            getters.append(lambda m, c=column: adapt_time(getattr(m, c)))
        else:
            getters.append(lambda m, c=column: getattr(m, c))
    row = "(" + ", ".join(["%s"] * len(_MENTION_COLUMNS)) + ")"
    head = f"INSERT INTO listening_mention ({', '.join(_MENTION_COLUMNS)}) VALUES "  # noqa: S608 (constant column names)
    by_external_id = {mention.external_id: mention for mention in mentions}
    with connection.cursor() as cursor:
        for start in range(0, len(mentions), _ROWS_PER_INSERT):
            chunk = mentions[start : start + _ROWS_PER_INSERT]
            params = [get(mention) for mention in chunk for get in getters]
            cursor.execute(
                head + ", ".join([row] * len(chunk)) + " RETURNING id, external_id", params
            )
            for pk, external_id in cursor.fetchall():
                by_external_id[external_id].pk = pk
                by_external_id[external_id]._state.adding = False
                by_external_id[external_id]._state.db = "default"


def apply_changes(source: Source, items: Sequence[RawItem]) -> int:
    """Apply what the network says of mentions already stored: a later edit replaces the text (the
    earlier one kept as a revision), a deletion marks the mention deleted (its text kept). Returns how
    many mentions changed. Rare, so done one by one; the analysis is the first text's."""
    changed = 0
    now = timezone.now()
    for item in items:
        mention = (
            Mention.objects.filter(source=source, external_id=item.external_id[:255])
            .only("id", "workspace_id", "text", "html", "created_at", "edited_at", "deleted_at")
            .first()
        )
        if mention is None:
            continue
        fields: list[str] = []
        text = item.text
        html = sanitize_html(item.html) if item.html else ""
        later = item.edited_at is not None and (
            mention.edited_at is None or item.edited_at > mention.edited_at
        )
        if later and text.strip() and (text != mention.text or html != mention.html):
            MentionRevision.objects.create(
                workspace_id=mention.workspace_id,
                mention=mention,
                text=mention.text,
                html=mention.html,
                written_at=mention.edited_at or mention.created_at,
                replaced_at=item.edited_at,
            )
            mention.text, mention.html, mention.edited_at = text, html, item.edited_at
            fields += ["text", "html", "edited_at"]
        if item.deleted and mention.deleted_at is None:
            mention.deleted_at = now
            fields.append("deleted_at")
        if fields:
            mention.save(update_fields=fields)
            if "text" in fields:
                search.reindex([mention.pk])
            changed += 1
    return changed


def _known_ids(source: Source, external_ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(external_ids), LOOKUP_BATCH):
        known.update(
            Mention.objects.filter(
                source=source, external_id__in=external_ids[start : start + LOOKUP_BATCH]
            ).values_list("external_id", flat=True)
        )
    return known


def ingest(
    source: Source,
    items: Iterable[RawItem],
    *,
    analyser: Analyser | None = None,
    then: Callable[[], Any] | None = None,
) -> IngestResult:
    """Store the new items of ``source`` as analysed, matched, indexed and counted mentions.

    The text analysis (the models loaded by the first one in a process: tens of seconds on a
    loaded machine) runs before any transaction, when the caller holds none: on SQLite a
    transaction holds the database's write lock from its start, and a web request waiting for
    it longer than its 20 s ``timeout`` fails. The writes are short transactions: the private
    messages and changes of known items, then the new mentions with ``then`` (the caller's
    write that goes with them, such as a source's cursor)."""
    workspace = source.workspace
    rejected: list[tuple[str, str, str]] = []
    batch = normalise(items, rejected)
    result = IngestResult(received=len(batch), rejected=rejected)
    private = [item for item in batch if item.kind == ItemKind.MESSAGE]
    if private:
        batch = [item for item in batch if item.kind != ItemKind.MESSAGE]
        with transaction.atomic():
            routing.route_private(source, private)
        result.private = len(private)
    known = _known_ids(source, [item.external_id[:255] for item in batch])
    fresh = [item for item in batch if item.external_id[:255] not in known and not item.deleted]
    result.already_known = len(batch) - len(fresh)
    changed = [
        item
        for item in batch
        if (item.edited_at is not None or item.deleted) and item.external_id[:255] in known
    ]
    if changed:
        with transaction.atomic():
            result.updated = apply_changes(source, changed)
    if not fresh:
        if then is not None:
            then()
        return result
    analyse = analyser or analysis.analyse
    analyses: list[Analysis] = []
    for start in range(0, len(fresh), ANALYSIS_BATCH):
        analyses.extend(analyse([item.text for item in fresh[start : start + ANALYSIS_BATCH]]))
    # Stamped before the queries are read: a query saved later does not claim these mentions.
    ingested_at = timezone.now()
    matcher, query_pks = matcher_for(workspace)
    zone = ZoneInfo(workspace.time_zone)

    with _lock:
        near = _near_index(workspace)
        mentions: list[Mention] = []
        matched: list[list[int]] = []
        for item, found in zip(fresh, analyses, strict=True):
            fingerprint = found.fingerprint
            cluster = near.find(fingerprint) if fingerprint else None
            duplicate = cluster is not None
            if cluster is None:
                cluster = _signed(fingerprint)
            if fingerprint:
                near.add(fingerprint, cluster)
            lang = item.lang or (found.lang if found.lang != "und" else "")
            author = item.author
            mention = Mention(
                workspace=workspace,
                source=source,
                network=item.source[:40],
                external_id=item.external_id[:255],
                kind=str(item.kind)[:20],
                url=_url(item.url),
                text=item.text,
                html=sanitize_html(item.html) if item.html else "",
                author_handle=_clip(author.handle, 200).removeprefix("@"),
                author_name=_clip(author.name, 200),
                author_url=_url(author.url),
                author_followers=max(author.followers, 0) if author.followers is not None else None,
                author_external_id=_clip(author.id, 255),
                author_created_at=_account_made(author.created_at),
                parent_external_id=_clip(item.parent_id, 255),
                thread_external_id=_clip(item.thread_id, 255),
                quoted_external_id=_clip(item.quoted_id, 255),
                lang=(lang or "")[:12].lower(),
                sentiment=found.sentiment,
                sentiment_score=found.sentiment_score,
                offensive=found.offensive,
                hateful=found.hateful,
                spam=found.spam,
                keywords=list(found.keywords),
                analysed_as="+".join(found.analysed_as) or found.lang[:12],
                analysis_tier=found.tier or "none",
                fingerprint=_signed(fingerprint),
                cluster=cluster,
                is_duplicate=duplicate,
                metrics=dict(item.metrics),
                created_at=item.created_at,
                ingested_at=ingested_at,
                edited_at=item.edited_at,
            )
            result.near_duplicates += duplicate
            document = document_for(
                item.text, mention.lang, mention.network, mention.author_handle, mention.url
            )
            matched.append([query_pks[query_id] for query_id in matcher.match(document)])
            mentions.append(mention)

    try:
        with transaction.atomic():
            _store(source, mentions, matched, zone, result)
            if then is not None:
                then()
    except IntegrityError:
        # Another ingest of the same source stored some of these items meanwhile: keep the rest.
        known = _known_ids(source, [mention.external_id for mention in mentions])
        keep = [i for i, mention in enumerate(mentions) if mention.external_id not in known]
        result.already_known += len(mentions) - len(keep)
        mentions = [mentions[i] for i in keep]
        matched = [matched[i] for i in keep]
        result.matches = 0
        for mention in mentions:
            mention.pk = None
        with transaction.atomic():
            _store(source, mentions, matched, zone, result)
            if then is not None:
                then()
    result.created = len(mentions)
    result.mentions = mentions
    if mentions:
        transaction.on_commit(lambda: routing.route(workspace, mentions))
    return result


def _store(
    source: Source,
    mentions: list[Mention],
    matched: list[list[int]],
    zone: ZoneInfo,
    result: IngestResult,
) -> None:
    if not mentions:
        return
    adapt = connection.ops.adapt_datefield_value
    adapt_time = connection.ops.adapt_datetimefield_value
    workspace_id = source.workspace_id
    # Before the mentions get their ids: a rollup rebuild starting now counts up to an id below.
    counting = rollup.ingest_lock(workspace_id, source.workspace.time_zone)
    _insert_mentions(mentions)
    links: list[tuple[Any, ...]] = []
    terms: Counter[tuple[date, str]] = Counter()
    spellings: Counter[tuple[date, str, str]] = Counter()
    for mention, query_ids in zip(mentions, matched, strict=True):
        day = mention.created_at.astimezone(zone).date()
        created = adapt_time(mention.created_at)
        for query_id in query_ids:
            links.append((workspace_id, mention.pk, query_id, created))
        if not mention.is_duplicate and mention.spam < 0.5:
            for term, spelling in _terms(mention.text, mention.keywords):
                terms[(day, term)] += 1
                if spelling != term:
                    spellings[(day, term, spelling)] += 1
    _upsert(_MATCH_SQL, links)
    result.matches += len(links)
    if counting:
        rollup.add_new(workspace_id, mentions, matched, zone)
    _upsert(
        _TERM_SQL,
        [(workspace_id, adapt(day), term, count) for (day, term), count in terms.items()],
    )
    _upsert(
        _SPELLING_SQL,
        [
            (workspace_id, adapt(day), term, spelling, count)
            for (day, term, spelling), count in spellings.items()
        ],
    )
    Source.objects.filter(pk=source.pk).update(mentions_count=F("mentions_count") + len(mentions))
