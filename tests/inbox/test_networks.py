"""The networks a list filter offers: those of the workspace's own conversations, read through the
index one network at a time (``listing.networks_of``), the same as a ``SELECT DISTINCT``."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.inbox.listing import networks_of
from ambassade.inbox.models import Conversation

pytestmark = pytest.mark.django_db


def test_it_lists_each_network_of_the_workspace_once_in_order(personas: Any) -> None:
    a, b = personas.workspace_a, personas.workspace_b
    assert networks_of(a.pk) == []
    for n, network in enumerate(["x", "bluesky", "mastodon", "x", "bluesky", "email"]):
        Conversation.objects.create(workspace=a, network=network, thread_key=f"a{n}")
    Conversation.objects.create(workspace=b, network="reddit", thread_key="b0")
    expected = sorted(
        set(Conversation.objects.filter(workspace=a).values_list("network", flat=True))
    )
    assert networks_of(a.pk) == expected == ["bluesky", "email", "mastodon", "x"]
    assert networks_of(b.pk) == ["reddit"]
