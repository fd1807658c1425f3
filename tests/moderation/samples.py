"""Objects of workspace A for tests/test_access.py's URL walk: a rule, a network action, a
published charter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class ModerationSamples:
    rule: Any
    action: Any
    charter: Any
    strike: Any
    appeal: Any


def samples(personas: Any) -> ModerationSamples:
    cached = getattr(personas, "_moderation", None)
    if cached is not None:
        return cached
    from ambassade.moderation import services
    from ambassade.moderation.models import Appeal, NetworkAction, Rule, Strike
    from ambassade.publishing.models import Status
    from tests.listening.samples import samples as listening_samples

    workspace = personas.workspace_a
    mention = listening_samples(personas).mention
    rule = Rule.objects.create(
        workspace=workspace, name="A's rule", words="idiot", actions=["flag"]
    )
    action = NetworkAction.objects.create(
        workspace=workspace,
        mention=mention,
        connection=personas.connection,
        network="mastodon",
        action="mute",
        target="fan",
        status=Status.PUBLISHED,
    )
    services.save_charter(workspace, "Be kind.", "Soyez aimables.", True, personas.alice)
    strike = Strike.objects.create(
        workspace=workspace,
        network=mention.network,
        handle=mention.author_handle or "fan",
        mention=mention,
        kind="warn",
        text=mention.text,
    )
    appeal = Appeal.objects.create(workspace=workspace, strike=strike, text="It was a joke.")
    result = ModerationSamples(rule, action, services.charter(workspace), strike, appeal)
    personas._moderation = result
    return result
