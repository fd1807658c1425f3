"""For each of the eight networks, an action the network refuses — with its documented "missing
permission" answer, from a local server, through the real connector — leaves the message in the
queue with the reason in plain words, and nothing is marked done."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.connectors.base import ModerationAction
from ambassade.connectors.http import HttpClient
from ambassade.moderation import outbox
from ambassade.moderation.models import NetworkAction, Review
from ambassade.publishing.models import Status
from ambassade.workspaces.messages import words_in
from tests.connectors.conftest import ReplayServer
from tests.connectors.moderation.test_failures import NETWORKS, FailEverywhere, session_routes
from tests.listening.conftest import item

A = ModerationAction
#: One action per network that it offers.
ACTIONS = {
    "facebook": A.HIDE,
    "instagram": A.HIDE,
    "youtube": A.HIDE,
    "reddit": A.HIDE,
    "discord": A.DELETE,
    "x": A.HIDE,
    "mastodon": A.MUTE,
    "bluesky": A.BAN,
}


@pytest.mark.parametrize("network", sorted(ACTIONS))
def test_a_refused_action_leaves_the_message_in_the_queue_with_the_reason(
    personas: Any, reddit_source: Any, ingest: Any, no_enqueue: Any, network: str
) -> None:
    from ambassade.workspaces import services as workspace_services

    spec = NETWORKS[network]
    action = ACTIONS[network]
    server = ReplayServer()
    http = HttpClient(allow_private=True, timeout=2.0, sleep=lambda s: None, backoff=0.01)
    try:
        routes = FailEverywhere(spec.failures["permission"])
        routes.update(session_routes(spec))
        server.routes = routes
        connection = workspace_services.connect_account(
            personas.workspace_a,
            network=network,
            account_name=f"{network} account",
            secret=dict(spec.creds(server)),
            actor=personas.alice,
        )
        ingest(reddit_source, [item("t1_r", "you idiot", source="reddit", handle="troll")])
        review = Review.objects.create(
            workspace=personas.workspace_a,
            mention=connection_mention(),
            rule_name="Insults",
            text="you idiot",
        )
        sent = NetworkAction.objects.create(
            workspace=personas.workspace_a,
            mention=review.mention,
            connection=connection,
            network=network,
            action=str(action),
            target=spec.targets[action],
            item_id=spec.item_id,
        )
        outbox.carry_out(sent.id, moderator_factory=lambda c: spec.make(server, http))
    finally:
        http.close()
        server.close()
    sent.refresh_from_db()
    assert sent.status != Status.PUBLISHED and sent.published_at is None, sent.status
    review.refresh_from_db()
    assert review.state == Review.State.PENDING
    notes = review.explanation["notes"]
    english, french = words_in("en", notes[-1]), words_in("fr", notes[-1])
    assert english and french and english != french
    assert server.requests, "the network was not asked"


def connection_mention() -> Any:
    from ambassade.listening.models import Mention

    return Mention.objects.get(external_id="t1_r")
