"""A connected account as the publishing app talks to it: its publisher, its credentials, the
tokens a publisher renewed on the way, and the limits its server reported.

The outbox, the metrics read-back and the limits refresh all reach a network through
:func:`default_publisher` (looked up on this module at call time, so that the outbox benchmark's
workers can swap it for their fake networks).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ambassade.connectors.base import ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.publishers import PUBLISHERS, UnknownPublisher, get_publisher
from ambassade.engine import publishing as rules
from ambassade.publishing.models import ChannelLimits
from ambassade.workspaces import vault
from ambassade.workspaces.models import Connection, Workspace

__all__ = [
    "PublisherFactory",
    "close",
    "credentials",
    "default_publisher",
    "limits_for",
    "publishable_connections",
    "publishable_connections_everywhere",
    "refresh_limits",
    "refresh_limits_later",
    "save_refreshed",
]

log = logging.getLogger(__name__)

PublisherFactory = Callable[[Connection], Any]


def publishable_connections(workspace: Workspace) -> QuerySet[Connection]:
    """The workspace's accounts the outbox can publish to."""
    return Connection.objects.filter(workspace=workspace, network__in=list(PUBLISHERS))


def publishable_connections_everywhere() -> QuerySet[Connection]:
    return Connection.objects.filter(
        network__in=list(PUBLISHERS), status=Connection.Status.CONNECTED
    )


def default_publisher(connection: Connection) -> Any:
    return get_publisher(connection.network)(HttpClient())


def close(publisher: Any) -> None:
    """Close the HTTP client a default publisher opened (its connections are not reused)."""
    http = getattr(publisher, "http", None)
    if http is not None:
        http.close()


def credentials(connection: Connection) -> dict[str, Any]:
    return {
        **connection.secret().reveal(),
        "account_name": connection.account_name,
        "account_id": connection.account_id,
    }


def _expiry(value: Any) -> datetime | None:
    """An ISO 8601 instant (a naive one is UTC), or None when absent or unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def save_refreshed(connection: Connection, publisher: Any) -> None:
    """Write back the tokens a publisher renewed during a call, and their expiry when it gives one
    (``access_token_expires_at``, as the Reddit publisher does): with the old expiry left in place,
    ``workspaces.tokens`` would renew the token again at its next run."""
    refreshed = getattr(publisher, "refreshed", None)
    if refreshed:
        data = {k: v for k, v in refreshed.items() if k not in ("account_name", "account_id")}
        fields: dict[str, Any] = {
            "token_ciphertext": vault.encrypt(data),
            "updated_at": timezone.now(),
        }
        expires = _expiry(data.get("access_token_expires_at") or "")
        if expires is not None:
            fields["expires_at"] = expires
        Connection.objects.filter(id=connection.id).update(**fields)


# --- the limits the account's server reports ----------------------------------------------------


def limits_for(connection: Connection) -> rules.Limits | None:
    """The limits the account's server last reported (see :func:`refresh_limits`), or None."""
    try:
        stored = dict(connection.publishing_limits.limits)  # type: ignore[attr-defined]
    except ChannelLimits.DoesNotExist:
        return None
    if stored.get("mime_types") is not None:
        stored["mime_types"] = frozenset(stored["mime_types"])
    known = {field.name for field in dataclasses.fields(rules.Limits)}
    return rules.Limits(**{k: v for k, v in stored.items() if k in known})


def refresh_limits(
    connection_id: int, *, publisher_factory: PublisherFactory | None = None
) -> bool:
    """Ask the account's server for its limits and keep them. False when the network has no such
    call or could not answer (the defaults of ``engine.publishing`` apply meanwhile)."""
    connection = Connection.objects.filter(id=connection_id).first()
    if connection is None:
        return False
    try:
        publisher = (publisher_factory or default_publisher)(connection)
    except UnknownPublisher:
        return False
    if not hasattr(publisher, "limits"):
        return False
    try:
        limits = publisher.limits(credentials(connection))
    except ConnectorError as error:
        log.info("limits of connection %s not refreshed: %s", connection_id, error.message)
        return False
    finally:
        save_refreshed(connection, publisher)
        if publisher_factory is None:
            close(publisher)
    data = {
        key: sorted(value) if isinstance(value, frozenset) else value
        for key, value in dataclasses.asdict(limits).items()
        if value is not None
    }
    ChannelLimits.objects.update_or_create(
        connection=connection,
        defaults={
            "workspace_id": connection.workspace_id,
            "limits": data,
            "fetched_at": timezone.now(),
        },
    )
    return True


def refresh_limits_later(connection_id: int) -> None:
    """Queue a reading of the new account's limits (after the transaction, by the worker)."""
    from ambassade.publishing.tasks import refresh_limits as task

    transaction.on_commit(lambda: task(connection_id))
