"""Approvals: a submitted draft waits for ``OutboxSettings.approval_steps`` different people
(never its author) before it is scheduled; a rejection sends it back to draft with its reason; a
post still awaiting approval at its publication time goes back to draft rather than out late.

    create_post → submit_post → approve_post (× steps) → scheduled (the outbox takes it)
                              ↘ reject_post (reason) → draft
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.publishing import audit, webhooks
from ambassade.publishing.authoring import errors
from ambassade.publishing.models import OutboxSettings, Post, Review, Status, Variant
from ambassade.publishing.outbox.hold import outbox_settings
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.permissions import can
from ambassade.workspaces.services import ServiceError, record_audit

__all__ = [
    "MAX_APPROVAL_STEPS",
    "approve_post",
    "comment_post",
    "expire_pending_approvals",
    "reject_post",
    "set_approval_steps",
    "submit_post",
]

MAX_APPROVAL_STEPS = 3


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


def submit_post(post: Post, actor: Any, *, now: datetime | None = None) -> Post:
    """Send a draft on: to approval when the workspace asks for approvals, else straight to the
    outbox. Refused while a variant breaks its network's rules: the error names every one, a line
    per account and rule."""
    now = now or timezone.now()
    if not post.variants.exists():
        raise ServiceError(_("Choose at least one account to publish to."))
    problems = errors(post)
    if problems:
        raise ServiceError("\n".join(problems))
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
            reason = coded("post.approval_expired")
            Post.objects.filter(id=post.id).update(
                review_round=F("review_round") + 1, rejection_reason=reason
            )
            record_audit(post.workspace, None, audit.APPROVAL_EXPIRED, post)
            expired += 1
    return expired
