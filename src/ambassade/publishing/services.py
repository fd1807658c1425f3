"""Every write of the publishing app, and the outbox's state machine.

Composing and approving (people)::

    create_post / update_post / add_media → submit_post → approve_post (× steps) → scheduled
                                                        ↘ reject_post (reason) → draft

The outbox (the worker, every minute, by variant id)::

    scheduled ──claim──→ publishing ──→ published
        ▲                    │  ├────→ failed     (permanent error, expired token: a person acts)
        │   (429, 5xx…)      │  └────→ unknown    (sent, no answer; or the worker died mid-call)
        └────────────────────┘              │
        ▲                                    │ reconcile: read the network first
        └──── not found on the network ◄─────┴──→ published (found)

Each transition is a conditional UPDATE that names the status (and the attempt number) it expects, so
two workers cannot both take a variant and a late answer cannot overwrite a newer state. A call whose
outcome is unknown is never retried blindly: on a network that deduplicates with our key
(``Publisher.idempotent``) the retry carries the *same* key while the network still remembers it; on
any other network the account's recent posts are read and the variant is marked published when its
text is found there.

A crisis hold (:func:`pause_outbox`) stops every claim of the workspace at once; variants keep their
status ``scheduled`` and are listed by :func:`held_variants`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
import threading
import time as time_module
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone, translation
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
from ambassade.connectors.http import HttpClient, OutcomeUnknown, deadline
from ambassade.connectors.publishers import (
    PUBLISHERS,
    UnknownPublisher,
    get_publisher,
    new_idempotency_key,
)
from ambassade.engine import publishing as rules
from ambassade.publishing import audit, metrics, public_media, webhooks
from ambassade.publishing.models import (
    ChannelLimits,
    Media,
    OutboxSettings,
    Post,
    PublishAttempt,
    QueueSlot,
    Review,
    ShortLink,
    Status,
    Variant,
)
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces import vault
from ambassade.workspaces.models import Connection, Workspace
from ambassade.workspaces.permissions import can
from ambassade.workspaces.services import ServiceError, record_audit

__all__ = [
    "MAX_ATTEMPTS",
    "Heartbeat",
    "NonexistentLocalTime",
    "ServiceError",
    "add_media",
    "add_queue_slot",
    "approve_post",
    "best_times",
    "comment_post",
    "create_post",
    "delete_post",
    "due_variant_ids",
    "expire_pending_approvals",
    "expire_stuck",
    "held_variants",
    "limits_for",
    "local_to_utc",
    "next_occurrence_time",
    "next_queue_time",
    "next_step",
    "pause_outbox",
    "publish_variant",
    "read_back_metrics",
    "reconcile_variant",
    "refresh_limits",
    "reject_post",
    "remove_queue_slot",
    "reschedule_post",
    "resume_outbox",
    "retry_variant",
    "run_outbox",
    "schedule_next_occurrence",
    "set_approval_steps",
    "submit_post",
    "unknown_variant_ids",
    "unschedule_post",
    "upcoming_due",
    "upcoming_unknown",
    "update_post",
    "variants_for_metrics",
]

log = logging.getLogger(__name__)

#: Temporary failures (5xx, dropped connections) are retried this many times in all, then fail.
MAX_ATTEMPTS = 5
#: Every request of one publishing attempt (media uploads, the post, a thread's parts) starts before
#: this deadline and gives up by it (``connectors.http.deadline``): two of the HTTP client's 15 s
#: timeouts. After it, nothing of a dead worker's attempt can still be on its way to the network.
PUBLISH_DEADLINE = timedelta(seconds=30)
#: The worker holding a claim refreshes its heartbeat this often while it works…
HEARTBEAT_EVERY = timedelta(seconds=5)
#: …so a claim whose heartbeat is older than this (three beats missed) belongs to a dead worker.
DEAD_AFTER = timedelta(seconds=15)
#: A heartbeat vouches for an attempt only this long after its deadline (time to record the answer):
#: a worker hung after its call stops beating and the sweeper takes over.
RECORDING_GRACE = timedelta(seconds=30)
#: A claim without any heartbeat (taken before heartbeats existed) is dead after this long.
STUCK_AFTER = timedelta(minutes=10)
#: On a network without keys, the account is read this long after the attempt's last request could
#: have reached it: what we allow for the network to finish a request whose client gave up and to
#: list the new post in the account's timeline (read-after-write lag). An assumption, not a measure:
#: Mastodon, Bluesky and X list a post within a second or two of answering its creation.
RECONCILE_DELAY = timedelta(seconds=15)
#: A failed reading of the network is tried again this long after.
CHECK_EVERY = timedelta(minutes=1)
#: The periodic run enqueues each variant due within this much time as a task with its exact time
#: (Huey's ``eta``), so that a post goes out on time rather than at the next minute.
ENQUEUE_AHEAD = timedelta(seconds=90)
#: How far back before the attempt the account's posts are read when reconciling.
RECONCILE_MARGIN = timedelta(minutes=5)
#: Reading the network for an unknown outcome is tried this many times (a minute apart) before a
#: person is asked to look.
MAX_CHECKS = 30
MAX_MEDIA = 4
MAX_MEDIA_BYTES = 8 * 1024 * 1024
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4")
MAX_APPROVAL_STEPS = 3

PublisherFactory = Callable[[Connection], Any]


# --- time zones ----------------------------------------------------------------------------------


class NonexistentLocalTime(ValueError):
    """The wall-clock time does not exist in the zone (skipped at the spring-forward change)."""


def local_to_utc(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone.

    A time skipped by a daylight-saving change (02:30 on the spring-forward day in Europe/Paris)
    raises :class:`NonexistentLocalTime`: the form asks for another time rather than guessing. A time
    that happens twice (02:30 on the fall-back day) means its **first** occurrence (``fold=0``, still
    summer time), which is what a person who picks it in advance expects.
    """
    zone = ZoneInfo(zone_name)
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    aware = naive.replace(tzinfo=zone)
    instant = aware.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name}")
    return instant


# --- settings and the crisis hold ----------------------------------------------------------------


def outbox_settings(workspace: Workspace) -> OutboxSettings:
    found, _created = OutboxSettings.objects.get_or_create(workspace=workspace)
    return found


def set_approval_steps(workspace: Workspace, steps: int, actor: Any) -> OutboxSettings:
    if not 0 <= steps <= MAX_APPROVAL_STEPS:
        raise ServiceError(_("A post needs between 0 and 3 approvals."))
    settings = outbox_settings(workspace)
    if settings.approval_steps != steps:
        OutboxSettings.objects.filter(id=settings.id).update(approval_steps=steps)
        settings.approval_steps = steps
        record_audit(
            workspace, actor, audit.SETTINGS_CHANGED, settings, details={"approval_steps": steps}
        )
    return settings


def pause_outbox(workspace: Workspace, reason: str, actor: Any = None) -> bool:
    """Hold every post of the workspace (crisis mode calls this). Idempotent: returns True when the
    outbox was running. Variants already being sent finish; nothing new is claimed."""
    outbox_settings(workspace)
    changed = OutboxSettings.objects.filter(workspace=workspace, paused=False).update(
        paused=True,
        pause_reason=reason[:300],
        paused_at=timezone.now(),
        paused_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if changed:
        record_audit(workspace, actor, audit.OUTBOX_PAUSED, None, details={"reason": reason[:200]})
        webhooks.emit(held_variants(workspace).values_list("id", flat=True), webhooks.EVENT_HELD)
    return bool(changed)


def resume_outbox(workspace: Workspace, actor: Any = None) -> bool:
    """Let the outbox run again. Held variants whose time has passed go out at the next run."""
    changed = OutboxSettings.objects.filter(workspace=workspace, paused=True).update(
        paused=False, pause_reason="", paused_at=None, paused_by=None
    )
    if changed:
        record_audit(workspace, actor, audit.OUTBOX_RESUMED, None)
        webhooks.emit(
            Variant.objects.filter(workspace=workspace, status=Status.SCHEDULED).values_list(
                "id", flat=True
            ),
            webhooks.EVENT_RESUMED,
        )
    return bool(changed)


def is_paused(workspace: Workspace) -> bool:
    return OutboxSettings.objects.filter(workspace=workspace, paused=True).exists()


def held_variants(workspace: Workspace) -> QuerySet[Variant]:
    """The variants the crisis hold keeps back (empty when the outbox runs)."""
    if not is_paused(workspace):
        return Variant.objects.none()
    return (
        Variant.objects.filter(workspace=workspace, status=Status.SCHEDULED)
        .select_related("post", "connection")
        .order_by("due_at", "id")
    )


# --- the queue ------------------------------------------------------------------------------------


def add_queue_slot(workspace: Workspace, weekday: int, at: time, actor: Any) -> QueueSlot:
    slot, _created = QueueSlot.objects.get_or_create(
        workspace=workspace, weekday=weekday, time=at.replace(second=0, microsecond=0)
    )
    return slot


def remove_queue_slot(slot: QueueSlot, actor: Any) -> None:
    slot.delete()


def next_queue_time(
    workspace: Workspace, now: datetime | None = None, horizon_days: int = 60
) -> datetime | None:
    """The first queue slot after ``now`` that no other post takes, as a UTC instant.

    Slots are wall-clock times in the workspace's zone, so "Tuesday 09:30" stays 09:30 local on
    both sides of a daylight-saving change; a slot that does not exist that day (02:30 on the
    spring-forward night) is skipped, and one that happens twice is taken at its first occurrence.
    """
    now = now or timezone.now()
    slots = list(QueueSlot.objects.filter(workspace=workspace))
    if not slots:
        return None
    zone = ZoneInfo(workspace.time_zone)
    taken = set(
        Post.objects.filter(workspace=workspace, scheduled_at__gt=now)
        .exclude(variants__status__in=[Status.PUBLISHED, Status.FAILED])
        .values_list("scheduled_at", flat=True)
    )
    today = now.astimezone(zone).date()
    for offset in range(horizon_days + 1):
        day = today + timedelta(days=offset)
        for slot in sorted((s for s in slots if s.weekday == day.weekday()), key=lambda s: s.time):
            try:
                instant = local_to_utc(day, slot.time, workspace.time_zone)
            except NonexistentLocalTime:
                continue
            if instant > now and instant not in taken:
                return instant
    return None


# --- composing ----------------------------------------------------------------------------------


def publishable_connections(workspace: Workspace) -> QuerySet[Connection]:
    """The workspace's accounts the outbox can publish to."""
    return Connection.objects.filter(workspace=workspace, network__in=list(PUBLISHERS))


def publishable_connections_everywhere() -> QuerySet[Connection]:
    return Connection.objects.filter(
        network__in=list(PUBLISHERS), status=Connection.Status.CONNECTED
    )


def _check_editable(post: Post) -> None:
    if post.variants.exclude(status=Status.DRAFT).exists():
        raise ServiceError(
            _("This post has left the draft stage; take it back to draft before editing it.")
        )


def _set_variants(
    post: Post, connections: Sequence[Connection], texts: Mapping[int, str] | None
) -> None:
    texts = texts or {}
    wanted = {connection.id: connection for connection in connections}
    for connection in wanted.values():
        if connection.workspace_id != post.workspace_id:
            raise ServiceError(_("This account belongs to another workspace."))
    post.variants.exclude(connection_id__in=list(wanted)).delete()
    existing = {variant.connection_id: variant for variant in post.variants.all()}
    for connection_id, connection in wanted.items():
        text = texts.get(connection_id, "")
        variant = existing.get(connection_id)
        if variant is None:
            Variant.objects.create(
                workspace=post.workspace, post=post, connection=connection, text=text
            )
        elif variant.text != text:
            Variant.objects.filter(id=variant.id).update(text=text)


def create_post(
    workspace: Workspace,
    author: Any,
    *,
    text: str,
    connections: Sequence[Connection],
    texts: Mapping[int, str] | None = None,
    scheduled_at: datetime | None = None,
    utm_campaign: str = "",
    thread: bool = False,
    shorten_links: bool = False,
    repeat: str = "",
    repeat_until: date | None = None,
) -> Post:
    """A draft post with one variant per account; ``texts`` adapts the text per account id."""
    if not connections:
        raise ServiceError(_("Choose at least one account to publish to."))
    with transaction.atomic():
        post = Post.objects.create(
            workspace=workspace,
            author=author,
            text=text,
            scheduled_at=scheduled_at,
            utm_campaign=utm_campaign,
            thread=thread,
            shorten_links=shorten_links,
            repeat=repeat,
            repeat_until=repeat_until,
        )
        _set_variants(post, connections, texts)
        record_audit(workspace, author, audit.POST_CREATED, post)
    return post


def update_post(
    post: Post,
    actor: Any,
    *,
    text: str,
    connections: Sequence[Connection],
    texts: Mapping[int, str] | None = None,
    scheduled_at: datetime | None = None,
    utm_campaign: str = "",
    thread: bool = False,
    shorten_links: bool = False,
    repeat: str = "",
    repeat_until: date | None = None,
) -> Post:
    if not connections:
        raise ServiceError(_("Choose at least one account to publish to."))
    with transaction.atomic():
        _check_editable(post)
        post.text = text
        post.scheduled_at = scheduled_at
        post.utm_campaign = utm_campaign
        post.thread = thread
        post.shorten_links = shorten_links
        post.repeat = repeat
        post.repeat_until = repeat_until
        post.updated_at = timezone.now()
        post.save(
            update_fields=[
                "text",
                "scheduled_at",
                "utm_campaign",
                "thread",
                "shorten_links",
                "repeat",
                "repeat_until",
                "updated_at",
            ]
        )
        _set_variants(post, connections, texts)
        record_audit(post.workspace, actor, audit.POST_UPDATED, post)
    return post


def add_media(
    post: Post, actor: Any, *, filename: str, content_type: str, data: bytes, alt_text: str
) -> Media:
    _check_editable(post)
    if content_type not in MEDIA_TYPES:
        raise ServiceError(_("Attach a JPEG, PNG, GIF or WebP image, or an MP4 video."))
    if len(data) > MAX_MEDIA_BYTES:
        raise ServiceError(_("A file may weigh at most 8 MB."))
    if post.media.count() >= MAX_MEDIA:
        raise ServiceError(_("A post carries at most 4 media."))
    return Media.objects.create(
        workspace=post.workspace,
        post=post,
        filename=filename[:200],
        content_type=content_type,
        size=len(data),
        data=data,
        alt_text=alt_text,
        position=post.media.count(),
    )


def remove_media(media: Media, actor: Any) -> None:
    _check_editable(media.post)
    media.delete()


def _engine_media(post: Post) -> list[rules.Media]:
    return [
        rules.Media(
            kind=rules.MediaKind(media.kind),
            mime_type=media.content_type,
            size=media.size,
            alt_text=media.alt_text or None,
            # Where Instagram and Threads will fetch it: checked as public before scheduling.
            url=public_media.public_url(media),
        )
        for media in post.media.all()
    ]


def limits_for(connection: Connection) -> rules.Limits | None:
    """The limits the account's server last reported (see :func:`refresh_limits`), or None."""
    try:
        stored = dict(connection.publishing_limits.limits)  # type: ignore[attr-defined]
    except ChannelLimits.DoesNotExist:
        return None
    if stored.get("mime_types") is not None:
        stored["mime_types"] = frozenset(stored["mime_types"])
    known = {field.name for field in dataclasses.fields(rules.Limits)}
    return rules.Limits(**{k: v for k, v in stored.items() if k in known})


def refresh_limits(
    connection_id: int, *, publisher_factory: PublisherFactory | None = None
) -> bool:
    """Ask the account's server for its limits and keep them. False when the network has no such
    call or could not answer (the defaults of ``engine.publishing`` apply meanwhile)."""
    connection = Connection.objects.filter(id=connection_id).first()
    if connection is None:
        return False
    try:
        publisher = (publisher_factory or default_publisher)(connection)
    except UnknownPublisher:
        return False
    if not hasattr(publisher, "limits"):
        return False
    try:
        limits = publisher.limits(_credentials(connection))
    except ConnectorError as error:
        log.info("limits of connection %s not refreshed: %s", connection_id, error.message)
        return False
    finally:
        _save_refreshed(connection, publisher)
        if publisher_factory is None:
            _close(publisher)
    data = {
        key: sorted(value) if isinstance(value, frozenset) else value
        for key, value in dataclasses.asdict(limits).items()
        if value is not None
    }
    ChannelLimits.objects.update_or_create(
        connection=connection,
        defaults={
            "workspace_id": connection.workspace_id,
            "limits": data,
            "fetched_at": timezone.now(),
        },
    )
    return True


def refresh_limits_later(connection_id: int) -> None:
    """Queue a reading of the new account's limits (after the transaction, by the worker)."""
    from ambassade.publishing.tasks import refresh_limits as task

    transaction.on_commit(lambda: task(connection_id))


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


def final_text(variant: Variant, *, create_links: bool = False) -> str:
    """The text as it will be sent: adapted, UTM on its links, short links when the post asks
    (created only with ``create_links``, when the variant is published)."""
    return shape_text(
        variant.effective_text,
        variant.connection.network,
        campaign=variant.post.utm_campaign,
        shorten=variant.post.shorten_links,
        post=variant.post if create_links else None,
    )


#: Networks whose publisher posts a thread part by part, each with its own idempotency key.
#: (On a network without keys, a thread cut short by an error could not be resumed safely.)
THREAD_NETWORKS = frozenset({"mastodon", "bluesky"})


def split_parts(network: str, text: str, thread: bool, limits: rules.Limits | None) -> list[str]:
    """The text as one post, or as the parts of a thread when asked and the network has threads."""
    if not thread or network not in THREAD_NETWORKS:
        return [text]
    try:
        return rules.split_thread(network, text, limits) or [text]
    except (rules.ThreadSplitError, ValueError):
        return [text]


def parts_for(variant: Variant, *, create_links: bool = False) -> list[str]:
    return split_parts(
        variant.connection.network,
        final_text(variant, create_links=create_links),
        variant.post.thread,
        limits_for(variant.connection),
    )


def check_parts(
    network: str, parts: Sequence[str], media: Sequence[rules.Media], limits: rules.Limits | None
) -> list[rules.Problem]:
    """Every problem of the post, or of each part of its thread (the media go with the first),
    and media for a network whose publisher cannot send them (``sends_media = False``)."""
    if network not in set(rules.Network):
        return []
    problems: list[rules.Problem] = []
    if media and not _sends_media(network):
        label = rules.rules_for(network).label
        problems.append(rules.Problem("media_not_sent", rules.Severity.ERROR, {"network": label}))
    for index, part in enumerate(parts):
        for problem in rules.validate(network, part, media if index == 0 else (), limits):
            if problem not in problems:
                problems.append(problem)
    return problems


def _sends_media(network: str) -> bool:
    """Whether Ambassade's publisher for the network sends images and videos (the network may
    take them while Ambassade cannot send them yet: Reddit)."""
    try:
        return bool(getattr(get_publisher(network), "sends_media", True))
    except UnknownPublisher:
        return True


def problems_for(variant: Variant) -> list[rules.Problem]:
    return check_parts(
        variant.connection.network,
        parts_for(variant),
        _engine_media(variant.post),
        limits_for(variant.connection),
    )


def _first_error(post: Post) -> str | None:
    from ambassade.publishing.messages import problem_message

    for variant in post.variants.select_related("connection"):
        for problem in problems_for(variant):
            if problem.severity == rules.Severity.ERROR:
                return f"{variant.connection}: {problem_message(problem)}"
    return None


def submit_post(post: Post, actor: Any, *, now: datetime | None = None) -> Post:
    """Send a draft on: to approval when the workspace asks for approvals, else straight to the
    outbox. Refused while a variant breaks its network's rules."""
    now = now or timezone.now()
    if not post.variants.exists():
        raise ServiceError(_("Choose at least one account to publish to."))
    problem = _first_error(post)
    if problem:
        raise ServiceError(problem)
    steps = outbox_settings(post.workspace).approval_steps
    with transaction.atomic():
        drafts = Variant.objects.filter(post=post, status=Status.DRAFT)
        if steps == 0:
            _schedule(post, drafts, actor, now)
        else:
            if not drafts.update(status=Status.PENDING_APPROVAL):
                raise ServiceError(_("This post is not a draft any more."))
            Post.objects.filter(id=post.id).update(approvals_required=steps, rejection_reason="")
            record_audit(post.workspace, actor, audit.POST_SUBMITTED, post)
    post.refresh_from_db()
    return post


def _schedule(post: Post, variants: QuerySet[Variant], actor: Any, now: datetime) -> None:
    when = post.scheduled_at or now
    ids = list(variants.values_list("id", flat=True))
    if not variants.filter(id__in=ids).update(
        status=Status.SCHEDULED, scheduled_at=when, due_at=when, error=""
    ):
        raise ServiceError(_("This post is not waiting for scheduling."))
    webhooks.emit(ids)
    local = when.astimezone(ZoneInfo(post.workspace.time_zone)).time().replace(tzinfo=None)
    Post.objects.filter(id=post.id).update(
        scheduled_at=when, repeat_at=local if post.repeat else None
    )
    record_audit(
        post.workspace, actor, audit.POST_SCHEDULED, post, details={"at": when.isoformat()}
    )


def _approvers_this_round(post: Post) -> set[int]:
    return set(
        post.reviews.filter(kind=Review.Kind.APPROVAL, round=post.review_round).values_list(
            "author_id", flat=True
        )
    )


def approve_post(post: Post, actor: Any, comment: str = "", *, now: datetime | None = None) -> Post:
    """One approval step. Each step needs a different person, and not the author."""
    from ambassade.publishing.permissions import POST_APPROVE

    now = now or timezone.now()
    if not can(actor, post.workspace, POST_APPROVE):
        raise ServiceError(_("You may not approve posts in this workspace."))
    with transaction.atomic():
        post = Post.objects.select_for_update().get(id=post.id)
        if not post.variants.filter(status=Status.PENDING_APPROVAL).exists():
            raise ServiceError(_("This post is not awaiting approval."))
        if post.author_id == actor.id:
            raise ServiceError(_("Someone other than the author must approve a post."))
        if actor.id in _approvers_this_round(post):
            raise ServiceError(_("You have already approved this post."))
        Review.objects.create(
            workspace=post.workspace,
            post=post,
            author=actor,
            kind=Review.Kind.APPROVAL,
            text=comment,
            round=post.review_round,
        )
        record_audit(post.workspace, actor, audit.POST_APPROVED, post)
        if len(_approvers_this_round(post)) >= post.approvals_required:
            pending = Variant.objects.filter(post=post, status=Status.PENDING_APPROVAL)
            _schedule(post, pending, actor, now)
    post.refresh_from_db()
    return post


def reject_post(post: Post, actor: Any, reason: str) -> Post:
    """Send the post back to its author as a draft, with the reason."""
    from ambassade.publishing.permissions import POST_APPROVE

    if not can(actor, post.workspace, POST_APPROVE):
        raise ServiceError(_("You may not approve posts in this workspace."))
    if not reason.strip():
        raise ServiceError(_("Say why the post is rejected, so that its author can fix it."))
    with transaction.atomic():
        post = Post.objects.select_for_update().get(id=post.id)
        if not Variant.objects.filter(post=post, status=Status.PENDING_APPROVAL).update(
            status=Status.DRAFT
        ):
            raise ServiceError(_("This post is not awaiting approval."))
        Review.objects.create(
            workspace=post.workspace,
            post=post,
            author=actor,
            kind=Review.Kind.REJECTION,
            text=reason.strip(),
            round=post.review_round,
        )
        Post.objects.filter(id=post.id).update(
            review_round=F("review_round") + 1, rejection_reason=reason.strip()
        )
        record_audit(post.workspace, actor, audit.POST_REJECTED, post, details={"reason": reason})
    post.refresh_from_db()
    return post


def comment_post(post: Post, actor: Any, text: str) -> Review:
    if not text.strip():
        raise ServiceError(_("Write a comment first."))
    return Review.objects.create(
        workspace=post.workspace,
        post=post,
        author=actor,
        kind=Review.Kind.COMMENT,
        text=text.strip(),
        round=post.review_round,
    )


def reschedule_post(post: Post, actor: Any, when: datetime) -> Post:
    """Move a post that has not gone out yet. Variants already sent or being sent keep theirs."""
    with transaction.atomic():
        Post.objects.filter(id=post.id).update(scheduled_at=when, updated_at=timezone.now())
        Variant.objects.filter(post=post, status=Status.SCHEDULED).update(
            scheduled_at=when, due_at=when
        )
        record_audit(post.workspace, actor, audit.POST_RESCHEDULED, post, details={"at": str(when)})
    post.refresh_from_db()
    return post


def unschedule_post(post: Post, actor: Any) -> Post:
    """Take a scheduled or pending post back to draft (the variants not yet sent)."""
    with transaction.atomic():
        waiting = Variant.objects.filter(
            post=post, status__in=[Status.SCHEDULED, Status.PENDING_APPROVAL]
        )
        ids = list(waiting.values_list("id", flat=True))
        changed = waiting.filter(id__in=ids).update(status=Status.DRAFT, due_at=None)
        if not changed:
            raise ServiceError(_("Nothing in this post is waiting to go out."))
        webhooks.emit(ids)
        Post.objects.filter(id=post.id).update(review_round=F("review_round") + 1)
        record_audit(post.workspace, actor, audit.POST_UNSCHEDULED, post)
    post.refresh_from_db()
    return post


def delete_post(post: Post, actor: Any) -> None:
    if post.variants.filter(
        status__in=[Status.PUBLISHING, Status.UNKNOWN, Status.PUBLISHED]
    ).exists():
        raise ServiceError(_("A post that went out, or may have, stays in the history."))
    with transaction.atomic():
        record_audit(post.workspace, actor, audit.POST_DELETED, post)
        post.delete()


def retry_variant(variant: Variant, actor: Any, *, now: datetime | None = None) -> Variant:
    """A person asks to publish a failed variant again: a new attempt with a new key."""
    now = now or timezone.now()
    if not Variant.objects.filter(id=variant.id, status=Status.FAILED).update(
        status=Status.SCHEDULED, due_at=now, error="", keep_key=False, attempts=0
    ):
        raise ServiceError(_("Only a failed publication can be retried."))
    record_audit(variant.workspace, actor, audit.VARIANT_RETRIED, variant.post)
    webhooks.emit([variant.id])
    variant.refresh_from_db()
    return variant


# --- the outbox ----------------------------------------------------------------------------------


def _not_paused() -> Q:
    """Variants of workspaces whose outbox runs.

    Written without a join on purpose: Django turns a conditional UPDATE whose filter joins another
    table into ``UPDATE … WHERE id IN (SELECT … WHERE status = … AND attempts = …)``, and under
    PostgreSQL's READ COMMITTED a second, concurrent UPDATE re-checks only ``id IN (…)`` on the row
    the first one changed, not the status or the attempt count inside the subquery: both claims
    would succeed, and the post would go out twice (seen by ``ambassade bench outbox`` on
    PostgreSQL). A subquery on the other table keeps every condition on the variant's own row."""
    return ~Q(workspace_id__in=OutboxSettings.objects.filter(paused=True).values("workspace_id"))


def due_variant_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Variants whose time has come, in workspaces whose outbox runs."""
    now = now or timezone.now()
    return list(
        Variant.objects.filter(_not_paused(), status=Status.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def unknown_variant_ids(now: datetime | None = None, limit: int = 200) -> list[int]:
    """Unknown outcomes whose time to be settled has come."""
    now = now or timezone.now()
    return [variant_id for variant_id, _at in upcoming_unknown(now, timedelta(0), limit)]


def upcoming_unknown(
    now: datetime, ahead: timedelta = ENQUEUE_AHEAD, limit: int = 200
) -> list[tuple[int, datetime]]:
    """Unknown outcomes to settle before ``now + ahead``, with the time each may be settled."""
    rows = (
        Variant.objects.filter(_not_paused(), status=Status.UNKNOWN)
        .order_by("reconcile_at", "claimed_at", "id")
        .values_list("id", "reconcile_at", "claimed_at")
    )
    found = []
    for variant_id, reconcile_at, claimed_at in rows:
        at = reconcile_at or (claimed_at or now) + RECONCILE_DELAY
        if at <= now + ahead:
            found.append((variant_id, at))
            if len(found) >= limit:
                break
    return found


def upcoming_due(
    now: datetime, ahead: timedelta = ENQUEUE_AHEAD, limit: int = 1000
) -> list[tuple[int, datetime]]:
    """Scheduled variants due before ``now + ahead``, with their time, in running outboxes."""
    return list(
        Variant.objects.filter(_not_paused(), status=Status.SCHEDULED, due_at__lte=now + ahead)
        .order_by("due_at", "id")
        .values_list("id", "due_at")[:limit]
    )


def expire_stuck(now: datetime | None = None, ids: Iterable[int] | None = None) -> int:
    """Claims left by a dead worker (its heartbeat stopped, or it never had one) become unknown.

    Safe because the outcome is only *unknown*: on a network that deduplicates our key the retry
    resends the same key; on any other the account is read, but only once the attempt's deadline
    (and the network's lag) has passed, when no request of the dead attempt can still land."""
    now = now or timezone.now()
    dead = Q(heartbeat_at__lt=now - DEAD_AFTER) | Q(
        heartbeat_at__isnull=True, claimed_at__lt=now - STUCK_AFTER
    )
    stuck = Variant.objects.filter(dead, status=Status.PUBLISHING)
    if ids is not None:
        stuck = stuck.filter(id__in=list(ids))
    found = list(stuck.values_list("id", flat=True))
    if not found:
        return 0
    stuck = stuck.filter(id__in=found)
    count = 0
    # The same key resent at once where the network deduplicates it; otherwise read the account
    # once the deadline and the network's lag have passed (a claim without a deadline, taken
    # before deadlines existed, has waited STUCK_AFTER already: the lag alone).
    count += stuck.filter(key_deduplicated=True).update(
        status=Status.UNKNOWN, claimed_at=now, reconcile_at=now
    )
    count += stuck.filter(key_deduplicated=False, deadline_at__isnull=False).update(
        status=Status.UNKNOWN,
        claimed_at=now,
        reconcile_at=ExpressionWrapper(
            F("deadline_at") + RECONCILE_DELAY, output_field=DateTimeField()
        ),
    )
    count += stuck.filter(key_deduplicated=False, deadline_at__isnull=True).update(
        status=Status.UNKNOWN, claimed_at=now, reconcile_at=now + RECONCILE_DELAY
    )
    if count:
        log.warning("outbox: %s claim(s) of dead workers are now unknown", count)
        webhooks.emit(
            Variant.objects.filter(id__in=found, status=Status.UNKNOWN, claimed_at=now).values_list(
                "id", flat=True
            )
        )
    return count


def next_step(variant_id: int, now: datetime | None = None) -> tuple[str, datetime] | None:
    """What the outbox must do next for a variant, and when: ``("publish", due)``, ``("reconcile",
    at)``, ``("watch", at)`` (a claim to check for a dead worker), or None (settled, held, draft)."""
    now = now or timezone.now()
    row = (
        Variant.objects.filter(_not_paused(), id=variant_id)
        .values("status", "due_at", "reconcile_at", "claimed_at", "heartbeat_at")
        .first()
    )
    if row is None:
        return None
    if row["status"] == Status.SCHEDULED and row["due_at"] is not None:
        return "publish", row["due_at"]
    if row["status"] == Status.UNKNOWN:
        at = row["reconcile_at"] or (row["claimed_at"] or now) + RECONCILE_DELAY
        return "reconcile", at
    if row["status"] == Status.PUBLISHING:
        if row["heartbeat_at"] is not None:
            return "watch", row["heartbeat_at"] + DEAD_AFTER + timedelta(seconds=1)
        return "watch", (row["claimed_at"] or now) + STUCK_AFTER + timedelta(seconds=1)
    return None


def default_publisher(connection: Connection) -> Any:
    return get_publisher(connection.network)(HttpClient())


def _close(publisher: Any) -> None:
    """Close the HTTP client a default publisher opened (its connections are not reused)."""
    http = getattr(publisher, "http", None)
    if http is not None:
        http.close()


def _credentials(connection: Connection) -> dict[str, Any]:
    return {
        **connection.secret().reveal(),
        "account_name": connection.account_name,
        "account_id": connection.account_id,
    }


def _expiry(value: Any) -> datetime | None:
    """An ISO 8601 instant (a naive one is UTC), or None when absent or unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _save_refreshed(connection: Connection, publisher: Any) -> None:
    """Write back the tokens a publisher renewed during a call, and their expiry when it gives one
    (``access_token_expires_at``, as the Reddit publisher does): with the old expiry left in place,
    ``workspaces.tokens`` would renew the token again at its next run."""
    refreshed = getattr(publisher, "refreshed", None)
    if refreshed:
        data = {k: v for k, v in refreshed.items() if k not in ("account_name", "account_id")}
        fields: dict[str, Any] = {
            "token_ciphertext": vault.encrypt(data),
            "updated_at": timezone.now(),
        }
        expires = _expiry(data.get("access_token_expires_at") or "")
        if expires is not None:
            fields["expires_at"] = expires
        Connection.objects.filter(id=connection.id).update(**fields)


def _in_language(workspace: Workspace, build: Callable[[], str]) -> str:
    with translation.override(workspace.language):
        return build()


def _reconnect_message(connection: Connection, error: ConnectorError) -> str:
    return _in_language(
        connection.workspace,
        lambda: (
            _(
                "The account %(account)s must be reconnected: the network refused its access "
                "(%(reason)s). Reconnect it in Connections, then retry."
            )
            % {"account": connection.account_name, "reason": error.message}
        ),
    )


def _failure_message(connection: Connection, error: ConnectorError) -> str:
    return _in_language(
        connection.workspace,
        lambda: (
            _("%(network)s refused the post: %(reason)s")
            % {"network": connection.network_label, "reason": error.message}
        ),
    )


def _gave_up_message(connection: Connection, error: ConnectorError) -> str:
    return _in_language(
        connection.workspace,
        lambda: (
            _(
                "%(network)s could not be reached after %(count)s attempts (%(reason)s). "
                "Retry when the network is back."
            )
            % {"network": connection.network_label, "count": MAX_ATTEMPTS, "reason": error.message}
        ),
    )


def _finish_attempt(attempt: PublishAttempt, outcome: str, message: str = "") -> None:
    PublishAttempt.objects.filter(id=attempt.id).update(
        outcome=outcome, message=message[:2000], finished_at=timezone.now()
    )


def _mark_published(
    variant: Variant, published: Published | RawItem, expected: Iterable[str], attempts: int
) -> bool:
    if isinstance(published, Published):
        remote_id, url, at = published.external_id, published.url, published.published_at
    else:
        remote_id, url, at = published.external_id, published.url, published.created_at
    changed = Variant.objects.filter(
        id=variant.id, status__in=list(expected), attempts=attempts
    ).update(
        status=Status.PUBLISHED,
        remote_id=remote_id[:300],
        remote_url=url[:500],
        published_at=at,
        error="",
        claimed_at=None,
        due_at=None,
        keep_key=False,
    )
    if changed:
        record_audit(
            variant.workspace,
            None,
            audit.VARIANT_PUBLISHED,
            variant.post,
            details={"account": variant.connection.account_name, "url": url},
        )
        webhooks.emit([variant.id])
    return bool(changed)


def _mark_failed(variant: Variant, message: str, attempts: int, expected: str) -> bool:
    changed = Variant.objects.filter(id=variant.id, status=expected, attempts=attempts).update(
        status=Status.FAILED, error=message[:2000], claimed_at=None, due_at=None, keep_key=False
    )
    if changed:
        record_audit(
            variant.workspace,
            None,
            audit.VARIANT_FAILED,
            variant.post,
            details={"account": variant.connection.account_name, "error": message[:200]},
        )
        webhooks.emit([variant.id])
    return bool(changed)


def _hold_account(connection: Connection, until: datetime) -> None:
    """A rate limit applies to the account: nothing else of it is tried before the reset."""
    Variant.objects.filter(connection=connection, status=Status.SCHEDULED, due_at__lt=until).update(
        due_at=until
    )


def attempt_deadline(network: str) -> timedelta:
    """How long one attempt on this network may last: :data:`PUBLISH_DEADLINE`, or the publisher's
    own ``attempt_deadline`` (seconds) when it must wait longer, e.g. for a video to be processed."""
    try:
        seconds = getattr(get_publisher(network), "attempt_deadline", None)
    except UnknownPublisher:
        seconds = None
    return timedelta(seconds=float(seconds)) if seconds else PUBLISH_DEADLINE


def _class_deduplicates(network: str) -> bool:
    try:
        return bool(getattr(get_publisher(network), "idempotent", False))
    except UnknownPublisher:
        return False


def _deduplicates(publisher: Any, credentials: Mapping[str, Any]) -> bool:
    """Whether the network deduplicates this attempt's key: the publisher's class says it can
    (``idempotent``), and its ``deduplicates(credentials)``, when it has one, says whether these
    credentials do (a Discord webhook takes no nonce, only the bot API does)."""
    if not getattr(publisher, "idempotent", False):
        return False
    tells = getattr(publisher, "deduplicates", None)
    return bool(tells(credentials)) if callable(tells) else True


def claim(variant_id: int, now: datetime) -> Variant | None:
    """Take a due variant for publishing; None when it is not due, held, or another worker has it.
    The claim starts the attempt's heartbeat and deadline."""
    current = (
        Variant.objects.filter(id=variant_id, status=Status.SCHEDULED)
        .values("attempts", "keep_key", "idempotency_key", "connection__network")
        .first()
    )
    if current is None:
        return None
    key = current["idempotency_key"] if current["keep_key"] else new_idempotency_key()
    taken = (
        Variant.objects.filter(
            _not_paused(),
            id=variant_id,
            status=Status.SCHEDULED,
            due_at__lte=now,
            attempts=current["attempts"],
        ).update(
            status=Status.PUBLISHING,
            claimed_at=now,
            heartbeat_at=now,
            deadline_at=now + attempt_deadline(current["connection__network"]),
            reconcile_at=None,
            # Corrected before sending once the publisher and the credentials are known.
            key_deduplicated=_class_deduplicates(current["connection__network"]),
            attempts=current["attempts"] + 1,
            idempotency_key=key,
            keep_key=False,
        )
        == 1
    )
    if not taken:
        return None
    webhooks.emit([variant_id])
    return Variant.objects.select_related("post", "connection__workspace", "workspace").get(
        id=variant_id
    )


class Heartbeat:
    """Refreshes a claim's ``heartbeat_at`` every :data:`HEARTBEAT_EVERY` from a thread while the
    worker works on it, until the attempt's deadline plus :data:`RECORDING_GRACE`. When the claim is
    no longer this attempt's (the sweeper judged the worker dead), it cancels the attempt's HTTP
    deadline, so that no further request starts."""

    def __init__(
        self,
        variant_id: int,
        attempts: int,
        now: datetime,
        bound: Any = None,
        every: timedelta | None = None,
        lasts: timedelta | None = None,
    ) -> None:
        self.variant_id, self.attempts, self.bound = variant_id, attempts, bound
        self.every = (every or HEARTBEAT_EVERY).total_seconds()
        self.start_wall, self.start = now, time_module.monotonic()
        self.until = ((lasts or PUBLISH_DEADLINE) + RECORDING_GRACE).total_seconds()
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"heartbeat-{variant_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """One refresh; False when the claim is no longer this attempt's."""
        elapsed = time_module.monotonic() - self.start
        at = self.start_wall + timedelta(seconds=elapsed)
        self.beats += 1
        return bool(
            Variant.objects.filter(
                id=self.variant_id, status=Status.PUBLISHING, attempts=self.attempts
            ).update(heartbeat_at=at)
        )

    def _run(self) -> None:
        from django.db import connections

        used = False
        try:
            while not self._stop.wait(self.every):
                if time_module.monotonic() - self.start > self.until:
                    return
                used = True
                if not self.beat():
                    if self.bound is not None:
                        self.bound.cancel()
                    return
        except Exception:  # the heartbeat must never break the call it watches
            log.exception("heartbeat of variant %s failed", self.variant_id)
        finally:
            if used:
                connections.close_all()


def publish_variant(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: PublisherFactory | None = None,
    on_claim: Callable[[int], Any] | None = None,
) -> str:
    """Publish one due variant at most once. Returns the status it ends in (or ``"skipped"``).
    ``on_claim(variant_id)`` runs right after the claim (the task schedules the watch that settles
    the claim if this worker dies). A recurring post gets its next occurrence once all its variants
    are settled."""
    status = _publish_variant(
        variant_id, now=now, publisher_factory=publisher_factory, on_claim=on_claim
    )
    if status in (Status.PUBLISHED, Status.FAILED):
        _after_settled(variant_id)
    return status


def _after_settled(variant_id: int) -> None:
    post_id = Variant.objects.filter(id=variant_id).values_list("post_id", flat=True).first()
    if post_id is not None:
        schedule_next_occurrence(post_id)


def _publish_variant(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: PublisherFactory | None = None,
    on_claim: Callable[[int], Any] | None = None,
) -> str:
    now = now or timezone.now()
    # The in-process deadline counts from here, so it never ends after the one the claim records.
    started = time_module.monotonic()
    variant = claim(variant_id, now)
    if variant is None:
        return "skipped"
    if on_claim is not None:
        on_claim(variant_id)
    connection = variant.connection
    attempts = variant.attempts
    attempt = PublishAttempt.objects.create(
        workspace=variant.workspace,
        variant=variant,
        number=attempts,
        idempotency_key=variant.idempotency_key,
        started_at=now,
    )
    if connection.status == Connection.Status.NEEDS_RECONNECTION:
        message = _reconnect_message(connection, ConnectorError(connection.last_error or "401"))
        _mark_failed(variant, message, attempts, Status.PUBLISHING)
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, message)
        return Status.FAILED
    limit = attempt_deadline(connection.network)

    def ended() -> datetime:
        """The moment the call ended, on the clock ``now`` was given on."""
        return now + timedelta(seconds=time_module.monotonic() - started)

    with (
        deadline(limit.total_seconds() - (time_module.monotonic() - started)) as bound,
        Heartbeat(variant.id, attempts, now, bound, lasts=limit),
    ):
        return _call_and_record(
            variant, attempt, attempts, now, ended, publisher_factory=publisher_factory
        )


def _call_and_record(
    variant: Variant,
    attempt: PublishAttempt,
    attempts: int,
    now: datetime,
    ended: Callable[[], datetime],
    *,
    publisher_factory: PublisherFactory | None,
) -> str:
    connection = variant.connection
    publisher = None
    deduplicated = variant.key_deduplicated
    try:
        publisher = (publisher_factory or default_publisher)(connection)
        credentials = _credentials(connection)
        # Recorded before anything is sent: it decides how a dead worker's attempt is settled.
        deduplicated = _deduplicates(publisher, credentials)
        if deduplicated != variant.key_deduplicated:
            Variant.objects.filter(
                id=variant.id, status=Status.PUBLISHING, attempts=attempts
            ).update(key_deduplicated=deduplicated)
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
            for media in variant.post.media.all()
        ]
        parts = parts_for(variant, create_links=True)
        published = publisher.publish(
            credentials,
            Draft(
                text=parts[0],
                idempotency_key=variant.idempotency_key,
                media_ids=media_ids,
                thread=parts[1:],
                containers=kept_containers(variant),
                on_container=_container_recorder(variant, attempts),
            ),
        )
    except UnknownPublisher:
        message = _in_language(
            variant.workspace,
            lambda: (
                _("Ambassade cannot publish to %(network)s yet.")
                % {"network": connection.network_label}
            ),
        )
        _mark_failed(variant, message, attempts, Status.PUBLISHING)
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, message)
        return Status.FAILED
    except AuthExpired as error:
        workspace_services.mark_needs_reconnection(connection.id, error.message)
        message = _reconnect_message(connection, error)
        _mark_failed(variant, message, attempts, Status.PUBLISHING)
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, message)
        return Status.FAILED
    except OutcomeUnknown as error:
        return _outcome_unknown(variant, attempt, attempts, error.message, ended(), deduplicated)
    except ConnectorError as error:
        if error.permanent:
            message = _failure_message(connection, error)
            _mark_failed(variant, message, attempts, Status.PUBLISHING)
            _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, message)
            return Status.FAILED
        return _retry_later(variant, attempt, attempts, error, now, publisher)
    except Exception as error:  # a bug or a crash mid-call: the network may have the post
        log.exception("publishing variant %s failed unexpectedly", variant.id)
        return _outcome_unknown(
            variant, attempt, attempts, repr(error)[:300], ended(), deduplicated
        )
    finally:
        if publisher is not None:
            _save_refreshed(connection, publisher)
            if publisher_factory is None:
                _close(publisher)
    _mark_published(variant, published, [Status.PUBLISHING, Status.UNKNOWN], attempts)
    _finish_attempt(attempt, PublishAttempt.Outcome.PUBLISHED, published.url)
    return Status.PUBLISHED


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


def _outcome_unknown(
    variant: Variant,
    attempt: PublishAttempt,
    attempts: int,
    why: str,
    ended: datetime,
    deduplicated: bool,
) -> str:
    """The call ended without a known outcome. Its requests are over (this worker saw them end), so
    the wait before reading the network runs from now, not from the attempt's deadline."""
    quiet = min(ended, variant.deadline_at) if variant.deadline_at else ended
    if Variant.objects.filter(id=variant.id, status=Status.PUBLISHING, attempts=attempts).update(
        status=Status.UNKNOWN,
        claimed_at=ended,
        deadline_at=quiet,
        reconcile_at=ended if deduplicated else quiet + RECONCILE_DELAY,
    ):
        webhooks.emit([variant.id])
    _finish_attempt(attempt, PublishAttempt.Outcome.UNKNOWN, why)
    return Status.UNKNOWN


def _keeps_key(variant: Variant, publisher: Any, until: datetime) -> bool:
    """Whether the next attempt must send this attempt's key again.

    A temporary error does not prove the network did nothing: a proxy answers 502 or 504 after the
    server created the post. On a network that deduplicates with our key, resending the same key
    while the network remembers it publishes at most once; a new key would publish a second post."""
    if not _deduplicates(publisher, _credentials(variant.connection)):
        return False
    first = (
        PublishAttempt.objects.filter(
            variant=variant, is_check=False, idempotency_key=variant.idempotency_key
        )
        .order_by("started_at", "id")
        .values_list("started_at", flat=True)
        .first()
    )
    window = timedelta(seconds=getattr(publisher, "idempotency_window", 0))
    return first is not None and until - first < window


def _retry_later(
    variant: Variant,
    attempt: PublishAttempt,
    attempts: int,
    error: ConnectorError,
    now: datetime,
    publisher: Any = None,
) -> str:
    connection = variant.connection
    if error.retry_after is not None:
        # A rate limit: wait for the reset the network gave, and so does the rest of the account.
        until = now + timedelta(seconds=max(1.0, error.retry_after))
        if Variant.objects.filter(
            id=variant.id, status=Status.PUBLISHING, attempts=attempts
        ).update(
            status=Status.SCHEDULED,
            due_at=until,
            claimed_at=None,
            attempts=attempts - 1,
            keep_key=_keeps_key(variant, publisher, until),
        ):
            webhooks.emit([variant.id])
        _hold_account(connection, until)
        _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, error.message)
        return Status.SCHEDULED
    if attempts >= MAX_ATTEMPTS:
        message = _gave_up_message(connection, error)
        _mark_failed(variant, message, attempts, Status.PUBLISHING)
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, message)
        return Status.FAILED
    until = now + timedelta(minutes=2 ** (attempts - 1))
    if Variant.objects.filter(id=variant.id, status=Status.PUBLISHING, attempts=attempts).update(
        status=Status.SCHEDULED,
        due_at=until,
        claimed_at=None,
        keep_key=_keeps_key(variant, publisher, until),
    ):
        webhooks.emit([variant.id])
    _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, error.message)
    return Status.SCHEDULED


_URL = re.compile(r"https?://\S+")


def _comparable(text: str) -> str:
    """Text as networks give it back: links shortened or rewritten, spacing and case changed."""
    text = unicodedata.normalize("NFKC", _URL.sub(" ", text)).casefold()
    return " ".join(re.sub(r"[^\w#@]+", " ", text).split())


def _same_post(sent: str, found: str) -> bool:
    a, b = _comparable(sent), _comparable(found)
    if not a:
        return False
    return a == b or (len(a) >= 40 and (b.startswith(a[:120]) or a.startswith(b[:120])))


def reconcile_variant(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: PublisherFactory | None = None,
) -> str:
    """Settle a variant whose last call has an unknown outcome; see :func:`_reconcile_variant`."""
    status = _reconcile_variant(variant_id, now=now, publisher_factory=publisher_factory)
    if status in (Status.PUBLISHED, Status.FAILED):
        _after_settled(variant_id)
    return status


def _reconcile_variant(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: PublisherFactory | None = None,
) -> str:
    """Settle a variant whose last call has an unknown outcome, by reading the network first.

    - On a network that deduplicates our key and still remembers it: schedule a retry with the same
      key; the network answers with the post it already has, or publishes it once.
    - On Instagram and Threads, the media containers stored with the variant decide first: one
      ``PUBLISHED`` → published (its post read from the account); each not published → scheduled
      again, and the next attempt publishes that container (it publishes once).
    - Otherwise: read the account's posts since shortly before the attempt. Found → published. Not
      found → scheduled again with a new key. Reading fails → stays unknown, tried next run.
    """
    now = now or timezone.now()
    row = (
        Variant.objects.filter(id=variant_id, status=Status.UNKNOWN)
        .values("attempts", "claimed_at", "reconcile_at")
        .first()
    )
    if row is None:
        return "skipped"
    # Not before its time: on a network without keys, a request of the attempt could still land.
    if now < (row["reconcile_at"] or (row["claimed_at"] or now) + RECONCILE_DELAY):
        return "waiting"
    # Claim the reconciliation itself: a second worker finds claimed_at moved and stops, and one
    # that reads the row after this claim finds its time pushed back by the lease (CHECK_EVERY),
    # which every outcome below replaces (or, if this worker dies, lets another try again).
    if not Variant.objects.filter(
        _not_paused(),
        id=variant_id,
        status=Status.UNKNOWN,
        attempts=row["attempts"],
        claimed_at=row["claimed_at"],
        reconcile_at=row["reconcile_at"],
    ).update(claimed_at=now, reconcile_at=now + CHECK_EVERY):
        return "skipped"
    variant = Variant.objects.select_related("post", "connection__workspace", "workspace").get(
        id=variant_id
    )
    attempts = variant.attempts
    # The call itself, not one of the checks since.
    first = variant.attempts_log.filter(number=attempts, is_check=False).order_by("-id").first()
    started = first.started_at if first else (row["claimed_at"] or now)
    connection = variant.connection
    try:
        publisher = (publisher_factory or default_publisher)(connection)
    except UnknownPublisher:
        publisher = None
    window = timedelta(seconds=getattr(publisher, "idempotency_window", 0))
    if _deduplicates(publisher, _credentials(connection)) and now - started < window:
        if publisher_factory is None:
            _close(publisher)
        if Variant.objects.filter(id=variant_id, status=Status.UNKNOWN, attempts=attempts).update(
            status=Status.SCHEDULED, due_at=now, keep_key=True, claimed_at=None, reconcile_at=None
        ):
            webhooks.emit([variant_id])
        return Status.SCHEDULED
    # Read only once no request of the attempt can still land (the sweeper may have assumed a key
    # the network turns out not to deduplicate: a Discord webhook).
    quiet = variant.deadline_at
    if quiet is not None and now < quiet + RECONCILE_DELAY:
        if publisher_factory is None and publisher is not None:
            _close(publisher)
        Variant.objects.filter(id=variant_id, status=Status.UNKNOWN, attempts=attempts).update(
            reconcile_at=quiet + RECONCILE_DELAY
        )
        return "waiting"
    check = PublishAttempt.objects.create(
        workspace=variant.workspace,
        variant=variant,
        is_check=True,
        number=attempts,
        idempotency_key=variant.idempotency_key,
        started_at=now,
    )
    text = parts_for(variant)[0]
    # Instagram and Threads: the containers the attempts made say first whether the post went out.
    kept = [c for c in kept_containers(variant).values() if c.publishes]
    by_container = bool(kept) and callable(getattr(publisher, "container_status", None))
    no_words = _in_language(
        variant.workspace, lambda: _("the post has no words to recognise it by")
    )
    if not by_container and not _comparable(text):
        # Nothing to recognise the post by (media alone, emoji or a link only): any post of the
        # account would do, or none, and publishing again could make a second one.
        if publisher_factory is None and publisher is not None:
            _close(publisher)
        return _ask_a_person(variant, check, attempts, no_words)
    outcome: str | None = None
    try:
        if publisher is None:
            raise ConnectorError(
                _in_language(
                    variant.workspace,
                    lambda: (
                        _("Ambassade cannot read %(network)s.")
                        % {"network": connection.network_label}
                    ),
                ),
                permanent=False,
            )
        try:
            credentials = _credentials(connection)
            if by_container:
                outcome = _container_outcome(publisher, credentials, kept)
            if outcome == "not_published":
                items: Sequence[RawItem] = []
            elif outcome == "published":
                since = min(c.created_at for c in kept) - RECONCILE_MARGIN
                items = publisher.recent_posts(credentials, since)
            elif not _comparable(text):
                outcome, items = "ask", []
            else:
                items = publisher.recent_posts(credentials, started - RECONCILE_MARGIN)
        finally:
            _save_refreshed(connection, publisher)
            if publisher_factory is None:
                _close(publisher)
    except AuthExpired as error:
        workspace_services.mark_needs_reconnection(connection.id, error.message)
        reason = error.message
        message = _in_language(
            variant.workspace,
            lambda: (
                _(
                    "We could not check whether the post went out on %(account)s: the network "
                    "refused its access (%(reason)s). Look at the account, reconnect it, then retry "
                    "only if the post is not there."
                )
                % {"account": connection.account_name, "reason": reason}
            ),
        )
        _mark_failed(variant, message, attempts, Status.UNKNOWN)
        _finish_attempt(check, PublishAttempt.Outcome.FAILED, message)
        return Status.FAILED
    except ConnectorError as error:
        checks = PublishAttempt.objects.filter(
            variant=variant,
            is_check=True,
            outcome=PublishAttempt.Outcome.UNKNOWN,
            id__gt=first.id if first else 0,
        ).count()
        if not error.permanent and checks < MAX_CHECKS:
            Variant.objects.filter(id=variant_id, status=Status.UNKNOWN, attempts=attempts).update(
                reconcile_at=now + CHECK_EVERY
            )
            _finish_attempt(check, PublishAttempt.Outcome.UNKNOWN, error.message)
            return Status.UNKNOWN
        # The network cannot be read (a Telegram bot, a Discord webhook), or not for a long while:
        # only a person can tell now.
        return _ask_a_person(variant, check, attempts, error.message)
    if outcome == "ask":
        return _ask_a_person(variant, check, attempts, no_words)
    if outcome == "published":
        return _published_by_container(variant, check, attempts, text, items, now)
    # No container was published (items is empty then): scheduled again, the next attempt
    # publishes the stored container, which can become one post only.
    for item in items:
        if _same_post(text, item.text):
            _mark_published(variant, item, [Status.UNKNOWN], attempts)
            _finish_attempt(check, PublishAttempt.Outcome.FOUND, item.url)
            return Status.PUBLISHED
    if Variant.objects.filter(id=variant_id, status=Status.UNKNOWN, attempts=attempts).update(
        status=Status.SCHEDULED, due_at=now, keep_key=False, claimed_at=None, reconcile_at=None
    ):
        webhooks.emit([variant_id])
    _finish_attempt(check, PublishAttempt.Outcome.NOT_FOUND)
    return Status.SCHEDULED


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
    variant: Variant,
    check: PublishAttempt,
    attempts: int,
    text: str,
    items: Sequence[RawItem],
    now: datetime,
) -> str:
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
        item = candidates[0]
        _mark_published(variant, item, [Status.UNKNOWN], attempts)
        _finish_attempt(check, PublishAttempt.Outcome.FOUND, item.url)
        return Status.PUBLISHED
    connection = variant.connection
    message = _in_language(
        variant.workspace,
        lambda: (
            _(
                "%(network)s says the post was published, but it cannot be told apart from the "
                "account's other posts: its address is unknown."
            )
            % {"network": connection.network_label}
        ),
    )
    _mark_published(variant, Published("", "", now), [Status.UNKNOWN], attempts)
    _finish_attempt(check, PublishAttempt.Outcome.FOUND, message)
    return Status.PUBLISHED


def _ask_a_person(variant: Variant, check: PublishAttempt, attempts: int, reason: str) -> str:
    """The unknown outcome cannot be settled by reading the network: fail with a message that asks
    a person to look at the account before retrying."""
    connection = variant.connection
    message = _in_language(
        variant.workspace,
        lambda: (
            _(
                "We do not know whether the post went out on %(account)s, and %(network)s cannot "
                "be checked (%(reason)s). Look at the account, and retry only if the post is not "
                "there."
            )
            % {
                "account": connection.account_name,
                "network": connection.network_label,
                "reason": reason,
            }
        ),
    )
    _mark_failed(variant, message, attempts, Status.UNKNOWN)
    _finish_attempt(check, PublishAttempt.Outcome.FAILED, message)
    return Status.FAILED


REPEAT_DAYS = {"daily": 1, "weekly": 7}


def next_occurrence_time(post: Post) -> datetime | None:
    """When the next occurrence of a recurring post goes out: the series' wall-clock time
    (``repeat_at``) one day or one week later, in the workspace's zone.

    Across a clock change the local hour stays (09:30 stays 09:30, so the UTC instant moves by an
    hour). A time the change skips (02:30 on the spring-forward night) goes out when the clocks say
    03:30; a time that happens twice, at its first occurrence. None after ``repeat_until``.
    """
    days = REPEAT_DAYS.get(post.repeat)
    if days is None or post.scheduled_at is None:
        return None
    zone = ZoneInfo(post.workspace.time_zone)
    local = post.scheduled_at.astimezone(zone)
    at = post.repeat_at or local.time().replace(tzinfo=None)
    day = local.date() + timedelta(days=days)
    if post.repeat_until is not None and day > post.repeat_until:
        return None
    # fold=0 gives a skipped time the offset from before the change: 02:30 becomes 03:30 summer time.
    return datetime.combine(day, at, zone).astimezone(UTC)


def schedule_next_occurrence(post_id: int) -> Post | None:
    """Once every variant of a recurring post has gone out (or failed), schedule the next one, with
    the same text, media and accounts; the series was approved once. Created at most once (the
    ``previous`` link is unique)."""
    post = Post.objects.select_related("workspace").filter(id=post_id).first()
    if post is None or not post.repeat:
        return None
    if post.variants.exclude(status__in=[Status.PUBLISHED, Status.FAILED]).exists():
        return None
    when = next_occurrence_time(post)
    if when is None:
        return None
    try:
        with transaction.atomic():
            following = Post.objects.create(
                workspace=post.workspace,
                author=post.author,
                text=post.text,
                scheduled_at=when,
                utm_campaign=post.utm_campaign,
                thread=post.thread,
                shorten_links=post.shorten_links,
                repeat=post.repeat,
                repeat_until=post.repeat_until,
                repeat_at=post.repeat_at,
                previous=post,
                approvals_required=post.approvals_required,
            )
            for variant in post.variants.all():
                Variant.objects.create(
                    workspace=post.workspace,
                    post=following,
                    connection_id=variant.connection_id,
                    text=variant.text,
                    status=Status.SCHEDULED,
                    scheduled_at=when,
                    due_at=when,
                )
            for media in post.media.all():
                Media.objects.create(
                    workspace=post.workspace,
                    post=following,
                    filename=media.filename,
                    content_type=media.content_type,
                    size=media.size,
                    data=media.data,
                    alt_text=media.alt_text,
                    position=media.position,
                )
            record_audit(
                post.workspace, None, audit.POST_SCHEDULED, following, details={"at": str(when)}
            )
    except IntegrityError:
        return None  # another worker created it
    return following


#: Metrics are read once the post has had a day to gather them, and no later than a week.
METRICS_AFTER = timedelta(hours=24)
METRICS_UNTIL = timedelta(days=7)
#: "Best time to post" needs this many measured posts before it says anything.
BEST_TIME_MIN_POSTS = 10


def variants_for_metrics(now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        Variant.objects.filter(
            status=Status.PUBLISHED,
            metrics_read_at__isnull=True,
            published_at__lte=now - METRICS_AFTER,
            published_at__gte=now - METRICS_UNTIL,
        )
        .exclude(remote_id="")
        .values_list("id", flat=True)[:limit]
    )


def read_back_metrics(
    variant_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: PublisherFactory | None = None,
) -> bool:
    """Read a published post back from its network and keep its metrics (likes, reposts,
    replies). Once per variant: the conditional UPDATE on ``metrics_read_at`` claims it, and a
    temporary error (5xx, timeout) gives the claim back so that a later run reads it again."""
    now = now or timezone.now()
    if not Variant.objects.filter(
        id=variant_id, status=Status.PUBLISHED, metrics_read_at__isnull=True
    ).update(metrics_read_at=now):
        return False
    variant = Variant.objects.select_related("connection").get(id=variant_id)
    try:
        publisher = (publisher_factory or default_publisher)(variant.connection)
    except UnknownPublisher:
        return False
    try:
        item = publisher.read_back(_credentials(variant.connection), variant.remote_id)
    except ConnectorError as error:
        log.info("metrics of variant %s not read: %s", variant_id, error.message)
        if not error.permanent:
            Variant.objects.filter(id=variant_id, metrics_read_at=now).update(metrics_read_at=None)
        return False
    finally:
        _save_refreshed(variant.connection, publisher)
        if publisher_factory is None:
            _close(publisher)
    if item is None or not item.metrics:
        return False
    Variant.objects.filter(id=variant_id).update(metrics=dict(item.metrics))
    return True


def best_times(workspace: Workspace, limit: int = 3) -> list[tuple[int, int, float]]:
    """The hours of the week (weekday, hour, mean engagement) when the workspace's own posts did
    best: interactions read back (``metrics.engagement``: likes, reposts, replies…, not views or an
    upvote percentage), plus short-link clicks, per post. Empty until
    ``BEST_TIME_MIN_POSTS`` posts have been measured: too few posts would only show noise."""
    zone = ZoneInfo(workspace.time_zone)
    rows = list(
        Variant.objects.filter(
            workspace=workspace, status=Status.PUBLISHED, metrics_read_at__isnull=False
        )
        .exclude(published_at=None)
        .values("post_id", "published_at", "metrics")
    )
    clicks: dict[int, int] = {}
    for post_id, count in ShortLink.objects.filter(workspace=workspace).values_list(
        "post_id", "clicks"
    ):
        clicks[post_id] = clicks.get(post_id, 0) + count
    per_post: dict[int, tuple[datetime, float]] = {}
    for row in rows:
        score = metrics.engagement(row["metrics"])
        at, total = per_post.get(row["post_id"], (row["published_at"], 0.0))
        per_post[row["post_id"]] = (min(at, row["published_at"]), total + score)
    if len(per_post) < BEST_TIME_MIN_POSTS:
        return []
    buckets: dict[tuple[int, int], list[float]] = {}
    for post_id, (at, score) in per_post.items():
        local = at.astimezone(zone)
        buckets.setdefault((local.weekday(), local.hour), []).append(score + clicks.get(post_id, 0))
    ranked = sorted(
        ((day, hour, sum(values) / len(values)) for (day, hour), values in buckets.items()),
        key=lambda item: (-item[2], item[0], item[1]),
    )
    return ranked[:limit]


def count_click(code: str) -> str | None:
    """Count a click on a short link and return where it leads (None: no such link). Nothing about
    the person is stored."""
    link = ShortLink.objects.filter(code=code).values("id", "target").first()
    if link is None:
        return None
    ShortLink.objects.filter(id=link["id"]).update(clicks=F("clicks") + 1)
    return str(link["target"])


def expire_pending_approvals(now: datetime | None = None) -> int:
    """Posts still awaiting approval when their time comes go back to draft, with the reason: a
    post approved late is not published late without its author knowing."""
    now = now or timezone.now()
    expired = 0
    late = (
        Post.objects.filter(scheduled_at__lte=now, variants__status=Status.PENDING_APPROVAL)
        .distinct()
        .select_related("workspace")
    )
    for post in late:
        with transaction.atomic():
            if not Variant.objects.filter(post=post, status=Status.PENDING_APPROVAL).update(
                status=Status.DRAFT
            ):
                continue
            reason = _in_language(
                post.workspace,
                lambda: _(
                    "The approval did not come before the publication time. Choose a new time "
                    "and submit the post again."
                ),
            )
            Post.objects.filter(id=post.id).update(
                review_round=F("review_round") + 1, rejection_reason=reason
            )
            record_audit(post.workspace, None, audit.APPROVAL_EXPIRED, post)
            expired += 1
    return expired


def run_outbox(
    now: datetime | None = None,
    *,
    publish: Callable[[int], Any] | None = None,
    reconcile: Callable[[int], Any] | None = None,
    publish_at: Callable[[int, datetime], Any] | None = None,
    reconcile_at: Callable[[int, datetime], Any] | None = None,
) -> dict[str, int]:
    """One pass of the outbox: stuck claims become unknown, unknowns are reconciled, due variants
    published. ``publish``/``reconcile`` receive the ids due now; ``publish_at``/``reconcile_at``
    (the periodic task passes Huey tasks scheduled with ``eta``) receive those due within
    :data:`ENQUEUE_AHEAD` with their time, so that each goes out on time, not at the next run."""
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
