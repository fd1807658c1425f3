"""Missions on the community side: a completion on the member's timeline (the mission's title and
points, linked to the mission) and, on their page, the missions they did and the open ones they
are asked to do, with their points."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.community.models import Member
from ambassade.missions import services
from ambassade.missions.models import Completion, Mission
from ambassade.missions.permissions import MISSIONS_VIEW
from ambassade.workspaces.permissions import can_role

__all__ = ["describe", "member_missions"]


def describe(ids: list[int], slug: str) -> dict[int, tuple[str, str]]:
    """The timeline's words for completions ``ids`` (one query)."""
    rows = Completion.objects.filter(pk__in=ids).values_list(
        "pk", "mission_id", "mission__title", "points"
    )
    return {
        pk: (
            _("%(title)s · +%(points)s points") % {"title": title, "points": points},
            reverse("missions:mission", args=[slug, mission_id]),
        )
        for pk, mission_id, title, points in rows
    }


def member_missions(request: Any, member: Member) -> dict[str, Any] | None:
    if not can_role(request.membership.role, MISSIONS_VIEW):
        return None
    done = list(
        Completion.objects.filter(identity__member=member)
        .select_related("mission")
        .order_by("-completed_at")[:20]
    )
    seen: set[int] = set()
    completions = []
    for completion in done:  # merged identities may both have done one: the person counts once
        if completion.mission_id not in seen:
            seen.add(completion.mission_id)
            completions.append(completion)
    now = timezone.now()
    open_missions = [
        mission
        for mission in Mission.objects.filter(
            workspace_id=member.workspace_id, starts_at__lte=now, ends_at__gt=now
        ).select_related("segment")[:50]
        if mission.pk not in seen and member.pk in services.assigned(mission, [member.pk])
    ]
    if not completions and not open_missions:
        return None
    return {
        "completions": completions,
        "open": open_missions,
        "points": sum(c.points for c in completions),
    }
