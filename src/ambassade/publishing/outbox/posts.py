"""Posts in the outbox: a post's variant (one account) as a kind of the exactly-once engine.

What is particular to posts lives here: the text and the thread's parts as they are sent, the media
uploads, the Instagram and Threads containers stored with the variant, how a post is recognised
among the account's posts when an outcome is unknown, the sentences a person reads, the audit and
the status webhook. The mechanism itself (claims, heartbeats, keys, reconciliation, back-off, the
hold) is :mod:`.engine`; the names below keep the outbox's vocabulary for the tasks and pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    Container,
    Draft,
    MediaUpload,
    Published,
    RawItem,
)
from ambassade.connectors.publishers import UnknownPublisher, get_publisher
from ambassade.publishing import accounts, audit, notices, public_media, webhooks
from ambassade.publishing.approvals import expire_pending_approvals
from ambassade.publishing.authoring import parts_for
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import engine, hold
from ambassade.publishing.outbox.kind import Ask, Call, Finding, Found, NotFound, comparable
from ambassade.publishing.scheduling import schedule_next_occurrence
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection, Workspace
from ambassade.workspaces.networks import network_name
from ambassade.workspaces.services import ServiceError, record_audit

__all__ = [
    "POSTS",
    "Heartbeat",
    "PostKind",
    "attempt_deadline",
    "claim",
    "due_variant_ids",
    "expire_stuck",
    "held_variants",
    "kept_containers",
    "next_step",
    "publish_variant",
    "reconcile_variant",
    "retry_variant",
    "run_outbox",
    "unknown_variant_ids",
    "upcoming_due",
    "upcoming_unknown",
]


def attempt_deadline(network: str) -> timedelta:
    """How long one attempt on this network may last: ``engine.PUBLISH_DEADLINE``, or the
    publisher's own ``attempt_deadline`` (seconds) when it must wait longer, e.g. for a video to be
    processed."""
    try:
        seconds = getattr(get_publisher(network), "attempt_deadline", None)
    except UnknownPublisher:
        seconds = None
    return timedelta(seconds=float(seconds)) if seconds else engine.PUBLISH_DEADLINE


def _class_deduplicates(network: str) -> bool:
    try:
        return bool(getattr(get_publisher(network), "idempotent", False))
    except UnknownPublisher:
        return False


# --- recognising a post on the network -----------------------------------------------------------

_comparable = comparable


def _same_post(sent: str, found: str) -> bool:
    a, b = _comparable(sent), _comparable(found)
    if not a:
        return False
    return a == b or (len(a) >= 40 and (b.startswith(a[:120]) or a.startswith(b[:120])))


def kept_containers(variant: Variant) -> dict[str, Container]:
    """The media containers stored with the variant (``Variant.containers``), as the publishers
    take them; an entry that cannot be read is left out."""
    kept: dict[str, Container] = {}
    for key, value in (variant.containers or {}).items():
        try:
            created = datetime.fromisoformat(str(value["created_at"]))
            kept[str(key)] = Container(
                str(value["id"]), created, publishes=bool(value.get("publishes", True))
            )
        except (KeyError, TypeError, ValueError):
            continue
    return kept


def _container_recorder(variant: Variant, attempts: int) -> Callable[[str, Container], None]:
    """What a publisher calls as soon as it made a container, before publishing it: the container
    is stored with the variant at once, so that a later attempt (in any worker, after this one
    was killed) takes it up, and reconciliation can read its status. Written while the variant is
    still at this attempt, whatever its status (an attempt the sweeper judged dead still made it)."""
    stored = dict(variant.containers or {})

    def record(key: str, container: Container) -> None:
        stored[key] = {
            "id": container.id,
            "created_at": container.created_at.isoformat(),
            "publishes": container.publishes,
        }
        Variant.objects.filter(id=variant.id, attempts=attempts).update(containers=dict(stored))

    return record


_CONTAINER_NOT_PUBLISHED = frozenset({"FINISHED", "IN_PROGRESS", "ERROR", "EXPIRED"})


def _container_outcome(
    publisher: Any, credentials: Mapping[str, Any], kept: Sequence[Container]
) -> str | None:
    """``"published"`` when one of the variant's containers says it was published (Meta's
    ``PUBLISHED``), ``"not_published"`` when each says it was not (``FINISHED``, ``IN_PROGRESS``,
    ``ERROR``, ``EXPIRED``), None when one is unknown to the network (deleted, or older than it
    keeps them): then the account's posts decide. A temporary error or a refused token raises."""
    outcome: str | None = "not_published"
    for container in kept:
        try:
            status = str(publisher.container_status(credentials, container.id) or "")
        except AuthExpired:
            raise
        except ConnectorError as error:
            if not error.permanent:
                raise
            status = ""
        if status == "PUBLISHED":
            return "published"
        if status not in _CONTAINER_NOT_PUBLISHED:
            outcome = None
    return outcome


def _published_by_container(
    variant: Variant, text: str, items: Sequence[RawItem], now: datetime
) -> Found:
    """The network says the variant's container was published: the variant is published. Its post
    is the account's one with the same text (the same emoji, or none: a post without words) since
    the container was made, and not another variant's; when no single post fits, the variant is
    published without its address rather than pointing at another post."""
    stripped = text.strip()

    def fits(found: str) -> bool:
        if _comparable(text):
            return _same_post(text, found)
        return not _comparable(found) and found.strip() == stripped

    candidates = [item for item in items if fits(item.text)]
    taken = set(
        Variant.objects.filter(
            connection_id=variant.connection_id,
            remote_id__in=[item.external_id for item in candidates],
        )
        .exclude(id=variant.id)
        .values_list("remote_id", flat=True)
    )
    candidates = [item for item in candidates if item.external_id not in taken]
    if len(candidates) == 1:
        return Found(candidates[0], candidates[0].url)
    connection = variant.connection
    message = coded("outbox.found_untold", network=network_name(connection.network))
    return Found(Published("", "", now), message)


def _no_words(variant: Variant) -> StoredMessage:
    return coded("outbox.no_words")


def _by_container(variant: Variant, call: Call) -> list[Container]:
    """The stored containers that publish (the post itself or a carousel, not a carousel's items),
    when the publisher can read their status; else none."""
    kept = [c for c in kept_containers(variant).values() if c.publishes]
    return kept if callable(getattr(call.publisher, "container_status", None)) else []


# --- the kind ------------------------------------------------------------------------------------


class PostKind(engine.Kind):
    """A post's variant: one post, for one connected account."""

    model = Variant
    claim_fields = ("connection__network",)

    def load(self, item_id: int) -> Variant:
        return Variant.objects.select_related("post", "connection__workspace", "workspace").get(
            id=item_id
        )

    def claim_terms(self, row: Mapping[str, Any]) -> tuple[timedelta, bool]:
        network = row["connection__network"]
        return attempt_deadline(network), _class_deduplicates(network)

    def refusal(self, item: Variant) -> StoredMessage | None:
        connection = item.connection
        if connection.status == Connection.Status.NEEDS_RECONNECTION:
            return self.reconnect_message(item, connection.last_error or "401")
        return None

    def attempt_deadline(self, item: Variant) -> timedelta:
        return attempt_deadline(item.connection.network)

    def open(self, item: Variant, publisher_factory: Any, *, lenient: bool = False) -> Call:
        connection = item.connection
        owned = publisher_factory is None
        try:
            publisher = (publisher_factory or accounts.default_publisher)(connection)
        except UnknownPublisher:
            if not lenient:
                raise
            publisher = None

        def release(publisher: Any) -> None:
            if owned:
                accounts.close(publisher)

        def close(publisher: Any) -> None:
            accounts.save_refreshed(connection, publisher)
            release(publisher)

        try:
            credentials = accounts.credentials(connection)
        except BaseException:
            if publisher is not None:
                close(publisher)
            raise
        return Call(publisher, credentials, owned=owned, on_close=close, on_release=release)

    def send(self, item: Variant, call: Call, attempts: int) -> Published:
        publisher, credentials = call.publisher, call.credentials
        media_ids = [
            publisher.upload_media(
                credentials,
                MediaUpload(
                    filename=media.filename,
                    content_type=media.content_type,
                    data=bytes(media.data),
                    alt_text=media.alt_text,
                    # Instagram and Threads fetch the file themselves, from /m/<token>.
                    public_url=public_media.public_url(media),
                ),
            )
            for media in item.post.media.all()
        ]
        parts = parts_for(item, create_links=True)
        published: Published = publisher.publish(
            credentials,
            Draft(
                text=parts[0],
                idempotency_key=item.idempotency_key,
                media_ids=media_ids,
                thread=parts[1:],
                containers=kept_containers(item),
                on_container=_container_recorder(item, attempts),
            ),
        )
        return published

    def before_reading(self, item: Variant, call: Call) -> Finding | None:
        # Nothing to recognise the post by (media alone, emoji or a link only): any post of the
        # account would do, or none, and publishing again could make a second one. Instagram and
        # Threads may still tell by the containers the attempts made.
        if not _by_container(item, call) and not _comparable(parts_for(item)[0]):
            return Ask(_no_words(item))
        return None

    def find(self, item: Variant, call: Call, started: datetime, now: datetime) -> Finding:
        """Instagram and Threads: the containers the attempts made say first whether the post went
        out. Then the account's recent posts: one with the same text is the variant's."""
        text = parts_for(item)[0]
        kept = _by_container(item, call)
        outcome = _container_outcome(call.publisher, call.credentials, kept) if kept else None
        if outcome == "not_published":
            # Scheduled again: the next attempt publishes the stored container, which can become
            # one post only.
            return NotFound()
        if outcome == "published":
            since = min(c.created_at for c in kept) - engine.RECONCILE_MARGIN
            items = call.publisher.recent_posts(call.credentials, since)
            return _published_by_container(item, text, items, now)
        if not _comparable(text):
            return Ask(_no_words(item))
        for found in call.publisher.recent_posts(
            call.credentials, started - engine.RECONCILE_MARGIN
        ):
            if _same_post(text, found.text):
                return Found(found, found.url)
        return NotFound()

    # What a person is told: coded messages (publishing/messages.py), stored with the variant and
    # worded for whoever reads them; the network's own words stay inside as the reason.
    def cannot_read(self, item: Variant) -> StoredMessage:
        return coded("outbox.cannot_read", network=network_name(item.connection.network))

    def reconnect_message(self, item: Variant, error: Any) -> StoredMessage:
        connection = item.connection
        return coded(
            "outbox.reconnect", account=connection.account_name, reason=StoredMessage.of(error)
        )

    def unsupported_message(self, item: Variant) -> StoredMessage:
        return coded("outbox.unsupported", network=network_name(item.connection.network))

    def refused_message(self, item: Variant, error: ConnectorError) -> StoredMessage:
        return coded(
            "outbox.refused",
            network=network_name(item.connection.network),
            reason=StoredMessage.of(error),
        )

    def gave_up_message(self, item: Variant, error: ConnectorError) -> StoredMessage:
        return coded(
            "outbox.gave_up",
            network=network_name(item.connection.network),
            count=engine.MAX_ATTEMPTS,
            reason=StoredMessage.of(error),
        )

    def check_refused_message(self, item: Variant, error: ConnectorError) -> StoredMessage:
        return coded(
            "outbox.check_refused",
            account=item.connection.account_name,
            reason=StoredMessage.of(error),
        )

    def ask_message(self, item: Variant, reason: Any) -> StoredMessage:
        connection = item.connection
        return coded(
            "outbox.ask",
            account=connection.account_name,
            network=network_name(connection.network),
            reason=StoredMessage.of(reason),
        )

    def needs_reconnection(self, item: Variant, error: AuthExpired) -> None:
        workspace_services.mark_needs_reconnection(item.connection.id, error)

    def same_limit(self, item: Variant) -> Q:
        return Q(connection_id=item.connection_id)

    def changed(self, ids: Iterable[int]) -> None:
        webhooks.emit(ids)

    def published(self, item: Variant, url: str) -> None:
        record_audit(
            item.workspace,
            None,
            audit.VARIANT_PUBLISHED,
            item.post,
            details={"account": item.connection.account_name, "url": url},
        )

    def failed(self, item: Variant, message: Any) -> None:
        record_audit(
            item.workspace,
            None,
            audit.VARIANT_FAILED,
            item.post,
            details={
                "account": item.connection.account_name,
                "error": StoredMessage.of(message).to_json(),
            },
        )
        notices.notify_failed(item, message)

    def settled(self, item_id: int) -> None:
        """A recurring post gets its next occurrence once all its variants are settled."""
        post_id = Variant.objects.filter(id=item_id).values_list("post_id", flat=True).first()
        if post_id is not None:
            schedule_next_occurrence(post_id)


POSTS = PostKind()


class Heartbeat(engine.Heartbeat):
    """The heartbeat of a variant's claim."""

    model = Variant


# --- the outbox's vocabulary, for the tasks, the pages and the benchmark --------------------------


def claim(variant_id: int, now: datetime) -> Variant | None:
    """Take a due variant for publishing (:func:`engine.claim`)."""
    found: Variant | None = engine.claim(POSTS, variant_id, now)
    return found


def publish_variant(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: accounts.PublisherFactory | None = None,
    on_claim: Callable[[int], Any] | None = None,
) -> str:
    """Publish one due variant at most once (:func:`engine.publish`). Returns the status it ends in
    (or ``"skipped"``). A recurring post gets its next occurrence once all its variants are
    settled."""
    return engine.publish(
        POSTS, variant_id, now=now, publisher_factory=publisher_factory, on_claim=on_claim
    )


def reconcile_variant(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: accounts.PublisherFactory | None = None,
) -> str:
    """Settle a variant whose last call has an unknown outcome (:func:`engine.reconcile`)."""
    return engine.reconcile(POSTS, variant_id, now=now, publisher_factory=publisher_factory)


def expire_stuck(now: datetime | None = None, ids: Iterable[int] | None = None) -> int:
    return engine.expire_stuck(POSTS, now, ids)


def next_step(variant_id: int, now: datetime | None = None) -> tuple[str, datetime] | None:
    return engine.next_step(POSTS, variant_id, now)


def due_variant_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    return engine.due_ids(POSTS, now, limit)


def unknown_variant_ids(now: datetime | None = None, limit: int = 200) -> list[int]:
    return engine.unknown_ids(POSTS, now, limit)


def upcoming_due(
    now: datetime, ahead: timedelta | None = None, limit: int = 1000
) -> list[tuple[int, datetime]]:
    return engine.upcoming_due(POSTS, now, ahead, limit)


def upcoming_unknown(
    now: datetime, ahead: timedelta | None = None, limit: int = 200
) -> list[tuple[int, datetime]]:
    return engine.upcoming_unknown(POSTS, now, ahead, limit)


def retry_variant(variant: Variant, actor: Any, *, now: datetime | None = None) -> Variant:
    """A person asks to publish a failed variant again: a new attempt with a new key."""
    now = now or timezone.now()
    if not engine.retry(POSTS, variant.id, now):
        raise ServiceError(_("Only a failed publication can be retried."))
    record_audit(variant.workspace, actor, audit.VARIANT_RETRIED, variant.post)
    webhooks.emit([variant.id])
    variant.refresh_from_db()
    return variant


def held_variants(workspace: Workspace) -> QuerySet[Variant]:
    """The variants the crisis hold keeps back (empty when the outbox runs)."""
    if not hold.is_paused(workspace):
        return Variant.objects.none()
    return (
        Variant.objects.filter(workspace=workspace, status=Status.SCHEDULED)
        .select_related("post", "connection")
        .order_by("due_at", "id")
    )


def _tell_webhooks(workspace: Workspace, change: str) -> None:
    """The status webhook hears of the hold: each held variant, or each one that may go again."""
    if change == "held":
        webhooks.emit(held_variants(workspace).values_list("id", flat=True), webhooks.EVENT_HELD)
    else:
        webhooks.emit(
            Variant.objects.filter(workspace=workspace, status=Status.SCHEDULED).values_list(
                "id", flat=True
            ),
            webhooks.EVENT_RESUMED,
        )


hold.on_change(_tell_webhooks)


def run_outbox(
    now: datetime | None = None,
    *,
    publish: Callable[[int], Any] | None = None,
    reconcile: Callable[[int], Any] | None = None,
    publish_at: Callable[[int, datetime], Any] | None = None,
    reconcile_at: Callable[[int, datetime], Any] | None = None,
) -> dict[str, int]:
    """One pass of the outbox: late approvals go back to draft, stuck claims become unknown,
    unknowns are reconciled, due variants published. ``publish``/``reconcile`` receive the ids due
    now; ``publish_at``/``reconcile_at`` (the periodic task passes Huey tasks scheduled with
    ``eta``) receive those due within ``engine.ENQUEUE_AHEAD`` with their time, so that each goes
    out on time, not at the next run."""
    now = now or timezone.now()
    expire_pending_approvals(now)
    stuck = expire_stuck(now)
    if reconcile_at is not None:
        unknown = upcoming_unknown(now)
        for variant_id, at in unknown:
            reconcile_at(variant_id, at)
    else:
        unknown = [(i, now) for i in unknown_variant_ids(now)]
        for variant_id, _at in unknown:
            (reconcile or (lambda i: reconcile_variant(i, now=now)))(variant_id)
    if publish_at is not None:
        due = upcoming_due(now)
        for variant_id, at in due:
            publish_at(variant_id, at)
    else:
        due = [(i, now) for i in due_variant_ids(now)]
        for variant_id, _at in due:
            (publish or (lambda i: publish_variant(i, now=now)))(variant_id)
    return {"stuck": stuck, "reconciled": len(unknown), "due": len(due)}
