"""Sample objects of workspace A for every crisis model (tests/test_access.py fills URL arguments
with them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import Personas


@dataclass
class Samples:
    rule: Any
    alert: Any
    channel: Any
    notification: Any
    crisis: Any
    item: Any
    statement: Any
    contact: Any


def make_samples(p: Personas) -> Samples:
    """One object of each crisis model in workspace A (for tests/test_access.py)."""
    cached = getattr(p, "crisis_samples", None)
    if cached is not None:
        return cached
    from ambassade.crisis import services
    from ambassade.crisis.models import (
        AlertRule,
        Channel,
        EscalationContact,
        Notification,
    )

    ws = p.workspace_a
    channel = Channel.objects.create(
        workspace=ws, name="Team inbox", kind="email", recipients="team@example.com"
    )
    rule = AlertRule.objects.create(
        workspace=ws, name="Big authors", kind="influencer", min_followers=1000
    )
    alert = services.trigger(rule, dedup_key="author:x", title="X mentioned the brand")
    notification = Notification.objects.create(workspace=ws, user=p.alice, alert=alert, title="t")
    contact = EscalationContact.objects.create(
        workspace=ws, name="Head of comms", email="c@example.com"
    )
    crisis = services.open_crisis(ws, p.alice, title="Sample crisis", alert=alert)
    statement = ws.holding_statements.first()
    samples = Samples(
        rule=rule,
        alert=alert,
        channel=channel,
        notification=notification,
        crisis=crisis,
        item=crisis.checklist.first(),
        statement=statement,
        contact=contact,
    )
    p.crisis_samples = samples  # type: ignore[attr-defined]
    return samples
