"""Objects of workspace A for tests/test_access.py's URL walk: a campaign and one recipient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class MailingSamples:
    campaign: Any
    recipient: Any


def samples(personas: Any) -> MailingSamples:
    cached = getattr(personas, "_mailing", None)
    if cached is not None:
        return cached
    from ambassade.community.models import Member
    from ambassade.mailing import services
    from ambassade.mailing.models import Recipient
    from ambassade.workspaces import services as ws

    connection = ws.connect_account(
        personas.workspace_a,
        network="email",
        account_name="brand@a.example",
        secret={"address": "brand@a.example", "username": "brand", "password": "pw"},
        actor=personas.alice,
    )
    campaign = services.create_campaign(
        personas.workspace_a,
        personas.alice,
        name="A's campaign",
        connection=connection,
        subject_en="Hello",
        body_en="Hello {{ first_name }}",
    )
    member = Member.objects.create(
        workspace=personas.workspace_a, display_name="Ann", email="ann@a.example"
    )
    recipient = Recipient.objects.create(
        workspace=personas.workspace_a,
        campaign=campaign,
        member=member,
        email="ann@a.example",
        token="sample-recipient-token-of-workspace-a",
    )
    result = MailingSamples(campaign, recipient)
    personas._mailing = result
    return result
