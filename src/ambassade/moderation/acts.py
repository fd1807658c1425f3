"""The rule actions carried out inside Ambassade: tag, assign, reply with a saved reply, warn,
escalate to the managers, and suggest crisis mode on a raid. Each returns None when done, or a coded
message saying why it could not be (kept on the queue's item)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ambassade.listening.models import Mention
from ambassade.moderation import people
from ambassade.moderation.models import Review, Rule
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Membership, Role, Workspace

#: A raid's crisis suggestion is made once per near-duplicate cluster in this delay.
RAID_COOLDOWN = timedelta(hours=1)


def queue_link(workspace: Workspace, review: Review) -> str:
    return reverse("moderation:queue", args=[workspace.slug]) + f"?review={review.id}"


def tag(mention: Mention, name: str) -> StoredMessage | None:
    name = " ".join(str(name).split())[:40]
    if not name:
        return coded("moderation.no_tag")
    with transaction.atomic():
        row = Mention.objects.select_for_update().filter(id=mention.id).first()
        if row is not None and name not in (row.tags or []):
            Mention.objects.filter(id=row.id).update(tags=[*(row.tags or []), name])
    return None


def assign(
    workspace: Workspace, review: Review, user_id: int, rule_name: str
) -> StoredMessage | None:
    from ambassade.crisis.alerting import notify_people

    allowed = Membership.objects.filter(
        workspace=workspace,
        user_id=user_id,
        user__is_active=True,
        role__in=[Role.OWNER, Role.MANAGER, Role.MODERATOR],
    ).exists()
    if not allowed:
        return coded("moderation.cannot_assign")
    Review.objects.filter(id=review.id).update(assignee_id=user_id)
    review.assignee_id = user_id
    notify_people(
        workspace,
        [user_id],
        coded("moderation.assigned", rule=rule_name),
        link=queue_link(workspace, review),
    )
    return None


def reply(rule: Rule, mention: Mention, saved_reply_id: int) -> StoredMessage | None:
    from ambassade.replies import variables
    from ambassade.replies.models import SavedReply

    saved = SavedReply.objects.filter(id=saved_reply_id, workspace_id=rule.workspace_id).first()
    if saved is None:
        return coded("moderation.no_saved_reply")
    text = saved.text_for(mention.lang)
    text, _missing = variables.fill(
        text, {"first_name": (mention.author_name or mention.author_handle).split(" ")[0]}
    )
    _reply, why = people.send_to_author(mention, text, rule.updated_by)
    return why


def escalate(workspace: Workspace, review: Review, rule_name: str) -> StoredMessage | None:
    from ambassade.crisis.alerting import notify_people
    from ambassade.crisis.models import Severity

    managers = Membership.objects.filter(
        workspace=workspace, role__in=[Role.OWNER, Role.MANAGER]
    ).values_list("user_id", flat=True)
    notified = notify_people(
        workspace,
        list(managers),
        coded("moderation.escalated", rule=rule_name),
        body=coded("moderation.escalated_text", text=review.text[:200]),
        severity=Severity.HIGH,
        link=queue_link(workspace, review),
    )
    return None if notified else coded("moderation.nobody_to_notify")


def suggest_crisis(
    workspace: Workspace, mention: Mention, rule: Rule, authors: int
) -> StoredMessage | None:
    """A raid: an alert of the crisis app (its page offers to open crisis mode), once per cluster
    within :data:`RAID_COOLDOWN`; later messages of the raid join it."""
    from ambassade.crisis.evaluation import _enqueue_delivery
    from ambassade.crisis.models import Alert, Severity

    if not mention.cluster:
        return None
    # When the raid reached its size: the message's time (not later than now).
    now = min(mention.created_at, timezone.now())
    key = f"moderation-raid:{mention.cluster}"
    with transaction.atomic():
        existing = (
            Alert.objects.select_for_update()
            .filter(workspace=workspace, dedup_key=key, triggered_at__gt=now - RAID_COOLDOWN)
            .order_by("-triggered_at")
            .first()
        )
        if existing is not None:
            Alert.objects.filter(id=existing.id).update(
                repeats=existing.repeats + 1,
                last_seen_at=now,
                mention_ids=list(dict.fromkeys([*existing.mention_ids, mention.id]))[:200],
            )
            return None
        since = mention.created_at - timedelta(minutes=rule.raid_minutes)
        ids = list(
            Mention.objects.filter(
                workspace=workspace, cluster=mention.cluster, created_at__gte=since
            )
            .order_by("created_at", "id")
            .values_list("id", flat=True)[:200]
        )
        alert = Alert.objects.create(
            workspace=workspace,
            rule=None,
            kind="raid",
            severity=Severity.HIGH,
            title=coded(
                "moderation.raid_alert",
                count=authors,
                minutes=rule.raid_minutes,
                rule=rule.name,
            ),
            triggered_at=now,
            last_seen_at=now,
            value=float(authors),
            period_start=since,
            mention_ids=ids,
            details={"rule": rule.name, "cluster": mention.cluster},
            dedup_key=key,
        )
        alert_id = alert.id
        transaction.on_commit(lambda: _enqueue_delivery(alert_id))
    return None


def carry_out(
    workspace: Workspace,
    mention: Mention,
    review: Review,
    rule: Rule | None,
    kind: str,
    params: dict[str, Any],
    reasons: dict[str, float],
) -> StoredMessage | None:
    """One of the rule's actions done inside Ambassade; None when done (or nothing to do)."""
    name = rule.name if rule else ""
    if kind == "tag":
        return tag(mention, str(params.get("tag", "")))
    if kind == "assign":
        return assign(workspace, review, int(params.get("user", 0) or 0), name)
    if rule is None:
        return None
    if kind == "reply":
        return reply(rule, mention, int(params.get("reply", 0) or 0))
    if kind == "warn":
        _strike, why = people.warn(
            workspace, mention, sender=rule.updated_by, rule_name=name, article=rule.article
        )
        return why
    if kind == "escalate":
        return escalate(workspace, review, name)
    if kind == "crisis":
        return suggest_crisis(workspace, mention, rule, int(reasons.get("raid", 0)))
    return None
