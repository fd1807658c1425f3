"""Referral fixtures: an open programme with its secret, a referrer with a code, and a helper that
signs and posts an event to the API as the brand's site would."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Setup:
    programme: Any
    secret: str
    referrer: Any  # a member
    code: Any
    url: str


@pytest.fixture
def setup(personas: Any) -> Setup:
    from django.urls import reverse

    from ambassade.community import activities
    from ambassade.referrals import services

    workspace = personas.workspace_a
    programme = services.programme_of(workspace)
    services.save_programme(
        programme,
        personas.alice,
        enabled=True,
        landing_url="https://cafe.example/join?lang=fr",
        signup_points=10,
        conversion_points=50,
        signup_label="A free coffee",
    )
    secret = services.make_secret(programme, personas.alice)
    identity = activities.identity_for(workspace, "mastodon", "ambre", name="Ambre")
    assert identity is not None
    member = identity.member
    member.email = "ambre@example.org"
    member.save(update_fields=["email"])
    code = services.give_code(member, personas.alice)
    url = reverse("referrals:hook", kwargs={"hook_id": programme.hook_id})
    return Setup(programme, secret, member, code, url)


@pytest.fixture
def post(client: Any, setup: Setup) -> Any:
    """``post(event)`` signs ``event`` (a dict, or raw bytes) with the programme's secret and
    posts it; ``timestamp``, ``secret`` and ``headers`` override what is sent."""
    from ambassade.referrals import api

    def send(
        event: Any,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        address: str = "198.51.100.7",
    ) -> Any:
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        sent = {
            "HTTP_X_AMBASSADE_TIMESTAMP": str(stamp),
            "HTTP_X_AMBASSADE_SIGNATURE": api.signature(
                setup.secret if secret is None else secret, stamp, body
            ),
            "REMOTE_ADDR": address,
        }
        for name, value in (headers or {}).items():
            sent["HTTP_" + name.upper().replace("-", "_")] = value
        return client.post(setup.url, body, content_type="application/json", **sent)

    return send
