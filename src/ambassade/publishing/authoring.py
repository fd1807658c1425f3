"""Writing a post: drafts, their variants and media, the text as it will be sent, and the rules it
must pass before it may leave the draft stage.

The per-network rules (counting, limits, thread splitting) are ``engine.publishing``; this module
applies them to a post with its media and its account's reported limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.connectors.publishers import UnknownPublisher, get_publisher
from ambassade.engine import publishing as rules
from ambassade.publishing import audit, public_media
from ambassade.publishing.accounts import limits_for
from ambassade.publishing.links import shape_text
from ambassade.publishing.models import Media, Post, Status, Variant
from ambassade.workspaces.models import Connection, Workspace
from ambassade.workspaces.services import ServiceError, record_audit

__all__ = [
    "MAX_MEDIA",
    "MAX_MEDIA_BYTES",
    "MEDIA_TYPES",
    "THREAD_NETWORKS",
    "add_media",
    "check_parts",
    "create_post",
    "delete_post",
    "engine_media",
    "errors",
    "final_text",
    "parts_for",
    "problems_for",
    "remove_media",
    "split_parts",
    "update_post",
]

MAX_MEDIA = 4
MAX_MEDIA_BYTES = 8 * 1024 * 1024
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4")
#: Networks whose publisher posts a thread part by part, each with its own idempotency key.
#: (On a network without keys, a thread cut short by an error could not be resumed safely.)
THREAD_NETWORKS = frozenset({"mastodon", "bluesky"})


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


def delete_post(post: Post, actor: Any) -> None:
    if post.variants.filter(
        status__in=[Status.PUBLISHING, Status.UNKNOWN, Status.PUBLISHED]
    ).exists():
        raise ServiceError(_("A post that went out, or may have, stays in the history."))
    with transaction.atomic():
        record_audit(post.workspace, actor, audit.POST_DELETED, post)
        post.delete()


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


def engine_media(post: Post) -> list[rules.Media]:
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


# --- the text as it will be sent ------------------------------------------------------------------


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


# --- the rules a post must pass -------------------------------------------------------------------


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
        engine_media(variant.post),
        limits_for(variant.connection),
    )


def errors(post: Post) -> list[str]:
    """Every rule each variant of the post breaks, worded for the person, account by account."""
    from ambassade.publishing.messages import problem_message

    found = []
    for variant in post.variants.select_related("connection").order_by("id"):
        for problem in problems_for(variant):
            if problem.severity == rules.Severity.ERROR:
                found.append(f"{variant.connection}: {problem_message(problem)}")
    return found
