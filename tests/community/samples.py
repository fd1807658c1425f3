"""Objects of workspace A for tests/test_access.py's URL walk: a community member and its identity,
its note, a segment and a custom field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CommunitySamples:
    member: Any
    identity: Any
    consent_token: str
    note: Any
    segment: Any
    field: Any
    customer_import: Any


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
    from ambassade.community import crm

    note = crm.add_note(identity.member, personas.alice, "A note")
    segment = crm.save_segment(
        personas.workspace_a, personas.alice, name="Fans", definition={"tags": {"any": ["fan"]}}
    )
    field = crm.save_field(
        personas.workspace_a, personas.alice, key="city", label="City", type="text"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ambassade.community import imports

    upload = SimpleUploadedFile("clients.csv", b"email,name\nfan@example.org,Fan\n")
    customer_import = imports.start(personas.workspace_a, personas.alice, upload)
    result = CommunitySamples(
        identity.member, identity, token, note, segment, field, customer_import
    )
    personas._community = result
    return result
