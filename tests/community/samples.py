"""Objects of workspace A for tests/test_access.py's URL walk: a community member and its identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CommunitySamples:
    member: Any
    identity: Any
    consent_token: str


def samples(personas: Any) -> CommunitySamples:
    cached = getattr(personas, "_community", None)
    if cached is not None:
        return cached
    from ambassade.community import services
    from ambassade.community.models import Identity
    from ambassade.listening.models import Mention
    from tests.listening.samples import samples as listening_samples

    mention = listening_samples(personas).mention
    services.record_authors(personas.workspace_a, [Mention.objects.get(pk=mention.pk)])
    identity = Identity.objects.get(workspace=personas.workspace_a, handle="fan")
    from ambassade.community import consent

    _request, token = consent.request_optin(
        identity.member, personas.alice, "fan@example.org", "en"
    )
    result = CommunitySamples(identity.member, identity, token)
    personas._community = result
    return result
