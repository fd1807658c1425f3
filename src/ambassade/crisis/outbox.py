"""The crisis hold on the publishing outbox, through the publishing app's outbox and scheduling.

When the publishing app is not installed, the hold is the open crisis itself (``is_held``), so a
publishing app added later can ask :func:`is_held` before publishing.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.apps import apps

PUBLISHING = "ambassade.publishing"


def _services() -> Any | None:
    """The publishing app's hold, held posts and rescheduling, or None without the app."""
    if not apps.is_installed(PUBLISHING):
        return None
    try:
        from ambassade.publishing import scheduling
        from ambassade.publishing.outbox import hold, posts
    except ImportError:  # pragma: no cover - an incomplete publishing app
        return None
    return SimpleNamespace(
        pause_outbox=hold.pause_outbox,
        resume_outbox=hold.resume_outbox,
        is_paused=hold.is_paused,
        held_variants=posts.held_variants,
        reschedule_post=scheduling.reschedule_post,
        unschedule_post=scheduling.unschedule_post,
    )


def pause(workspace: Any, reason: str, actor: Any) -> bool:
    """Hold the workspace's outbox; True when it was running."""
    services = _services()
    if services is None:
        return True
    return bool(services.pause_outbox(workspace, reason, actor))


def resume(workspace: Any, actor: Any) -> bool:
    services = _services()
    if services is None:
        return False
    return bool(services.resume_outbox(workspace, actor))


def is_held(workspace: Any) -> bool:
    services = _services()
    if services is None:
        from ambassade.crisis.models import Crisis

        return Crisis.objects.filter(workspace=workspace, status=Crisis.Status.OPEN).exists()
    return bool(services.is_paused(workspace))


def held_posts(workspace: Any) -> list[Any]:
    """The posts the hold keeps back, each once, in due order (their variants on ``.held``)."""
    services = _services()
    if services is None:
        return []
    posts: dict[int, Any] = {}
    for variant in services.held_variants(workspace):
        post = posts.setdefault(variant.post_id, variant.post)
        if not hasattr(post, "held"):
            post.held = []
        post.held.append(variant)
    return list(posts.values())


def held_post(workspace: Any, post_id: int) -> Any | None:
    for post in held_posts(workspace):
        if post.pk == post_id:
            return post
    return None


def reschedule(post: Any, actor: Any, when: datetime) -> None:
    services = _services()
    if services is not None:
        services.reschedule_post(post, actor, when)


def unschedule(post: Any, actor: Any) -> None:
    services = _services()
    if services is not None:
        services.unschedule_post(post, actor)
