"""Objects of workspace A for tests/test_access.py's URL walk: a mission and a completion."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone


def samples(personas: Any) -> Any:
    cached = getattr(personas, "_missions", None)
    if cached is not None:
        return cached
    from ambassade.community.models import Identity, Member
    from ambassade.missions.models import Completion, Mission

    workspace = personas.workspace_a
    now = timezone.now()
    mission = Mission.objects.create(
        workspace=workspace,
        title="A's mission",
        kind=Mission.Kind.HASHTAG,
        hashtag="alatte",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    member = Member.objects.create(workspace=workspace, display_name="A's ambassador")
    identity = Identity.objects.create(
        workspace=workspace, member=member, network="mastodon", handle="a_ambassador"
    )
    completion = Completion.objects.create(
        workspace=workspace,
        mission=mission,
        identity=identity,
        evidence="mission.manual",
        points=10,
        completed_at=now,
    )
    personas._missions = SimpleNamespace(mission=mission, completion=completion)
    return personas._missions
