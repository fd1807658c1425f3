"""Moderation actions as a kind of the outbox: each goes to the network exactly once.

The outbox engine (``publishing/outbox/engine.py``) claims, times, heartbeats, retries and
reconciles; this kind says how to send a :class:`~.models.NetworkAction` (the network's moderator,
``connectors/moderators.py``) and what to tell a person. Every moderation action is safe to repeat
(a state already reached is a success), so an unknown outcome is settled by sending it again: the
reconciliation finds it "not found" and the engine sends it once more with a new key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    ModerationAction,
    ModerationRequest,
    Published,
)
from ambassade.connectors.http import HttpClient
from ambassade.connectors.moderators import get_moderator
from ambassade.moderation.models import NetworkAction, NetworkActionAttempt, Review
from ambassade.publishing import accounts
from ambassade.publishing.outbox import engine
from ambassade.publishing.outbox.kind import Call, Finding, NotFound
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection
from ambassade.workspaces.networks import network_name

__all__ = ["ACTIONS", "carry_out", "reconcile", "run"]

ModeratorFactory = Callable[[Connection], Any]
DEADLINE = timedelta(seconds=30)


def default_moderator(connection: Connection) -> Any:
    return get_moderator(connection.network)(HttpClient())


def _act(item: NetworkAction) -> StoredMessage:
    return coded(f"moderation.act_{item.action}")


class ModerationKind(engine.Kind):
    model = NetworkAction
    log_model = NetworkActionAttempt
    log_key = "network_action"
    claim_fields = ("network",)

    def load(self, item_id: int) -> NetworkAction:
        return NetworkAction.objects.select_related("connection", "workspace", "mention").get(
            id=item_id
        )

    def claim_terms(self, row: Mapping[str, Any]) -> tuple[timedelta, bool]:
        return DEADLINE, False

    def refusal(self, item: NetworkAction) -> StoredMessage | None:
        connection = item.connection
        if connection is None:
            return coded("moderation.no_connection", network=item.network)
        if connection.status == Connection.Status.NEEDS_RECONNECTION:
            return self.reconnect_message(item, connection.last_error or "401")
        return None

    def attempt_deadline(self, item: NetworkAction) -> timedelta:
        return DEADLINE

    def open(self, item: NetworkAction, publisher_factory: Any, *, lenient: bool = False) -> Call:
        connection = item.connection
        assert connection is not None  # refused before otherwise
        owned = publisher_factory is None
        moderator = (publisher_factory or default_moderator)(connection)

        def release(publisher: Any) -> None:
            if owned:
                accounts.close(publisher)

        def close(publisher: Any) -> None:
            accounts.save_refreshed(connection, publisher)
            release(publisher)

        try:
            credentials = accounts.credentials(connection)
        except BaseException:
            close(moderator)
            raise
        return Call(moderator, credentials, owned=owned, on_close=close, on_release=release)

    def send(self, item: NetworkAction, call: Call, attempts: int) -> Published:
        result = call.publisher.moderate(
            call.credentials,
            ModerationRequest(
                ModerationAction(item.action),
                item.target,
                item.idempotency_key,
                item_id=item.item_id,
                until=item.until,
                reason=item.reason,
            ),
        )
        NetworkAction.objects.filter(id=item.id).update(
            already=result.already,
            lifts_itself=result.lifts_itself,
            until=result.until if item.until else None,
        )
        return Published(item.target, "", result.done_at)

    def find(self, item: NetworkAction, call: Call, started: datetime, now: datetime) -> Finding:
        return NotFound()  # safe to repeat: send it again

    def cannot_read(self, item: NetworkAction) -> StoredMessage:
        return coded("moderation.failed", network=network_name(item.network), action=_act(item))

    def reconnect_message(self, item: NetworkAction, error: Any) -> StoredMessage:
        account = item.connection.account_name if item.connection else item.network
        return coded("outbox.reconnect", account=account, reason=StoredMessage.of(error))

    def unsupported_message(self, item: NetworkAction) -> StoredMessage:
        return coded(
            "moderation.network_cannot", network=network_name(item.network), action=_act(item)
        )

    def refused_message(self, item: NetworkAction, error: ConnectorError) -> StoredMessage:
        return coded(
            "moderation.refused",
            network=network_name(item.network),
            action=_act(item),
            reason=StoredMessage.of(error),
        )

    def gave_up_message(self, item: NetworkAction, error: ConnectorError) -> StoredMessage:
        return coded(
            "moderation.gave_up",
            network=network_name(item.network),
            action=_act(item),
            count=engine.MAX_ATTEMPTS,
            reason=StoredMessage.of(error),
        )

    def check_refused_message(self, item: NetworkAction, error: ConnectorError) -> StoredMessage:
        return self.refused_message(item, error)

    def ask_message(self, item: NetworkAction, reason: Any) -> StoredMessage:
        return self.cannot_read(item)

    def needs_reconnection(self, item: NetworkAction, error: AuthExpired) -> None:
        if item.connection_id:
            workspace_services.mark_needs_reconnection(item.connection_id, error)

    def same_limit(self, item: NetworkAction) -> Q:
        return Q(connection_id=item.connection_id)

    def failed(self, item: NetworkAction, message: Any) -> None:
        """Nothing is marked done that was not done: the message goes back to the queue, with
        the reason."""
        if item.mention_id is None:
            return
        review = Review.objects.filter(workspace_id=item.workspace_id, mention_id=item.mention_id)
        note = StoredMessage.of(message).to_json()
        for found in review:
            explained = found.explanation if isinstance(found.explanation, dict) else {}
            notes = [*explained.get("notes", []), note]
            Review.objects.filter(id=found.id).update(
                state=Review.State.PENDING, explanation={**explained, "notes": notes}
            )

    def changed(self, ids: Iterable[int]) -> None:
        return None


ACTIONS = ModerationKind()


def carry_out(
    action_id: int,
    *,
    now: datetime | None = None,
    moderator_factory: ModeratorFactory | None = None,
) -> str:
    return engine.publish(ACTIONS, action_id, now=now, publisher_factory=moderator_factory)


def reconcile(
    action_id: int,
    *,
    now: datetime | None = None,
    moderator_factory: ModeratorFactory | None = None,
) -> str:
    return engine.reconcile(ACTIONS, action_id, now=now, publisher_factory=moderator_factory)


def run(
    now: datetime | None = None, moderator_factory: ModeratorFactory | None = None
) -> dict[str, int]:
    """One pass: dead claims swept, unknown outcomes settled, due actions sent."""
    now = now or timezone.now()
    stuck = engine.expire_stuck(ACTIONS, now)
    unknown = engine.unknown_ids(ACTIONS, now)
    for action_id in unknown:
        reconcile(action_id, now=now, moderator_factory=moderator_factory)
    due = engine.due_ids(ACTIONS, now)
    for action_id in due:
        carry_out(action_id, now=now, moderator_factory=moderator_factory)
    return {"stuck": stuck, "reconciled": len(unknown), "due": len(due)}
