"""Connection tokens obtained through OAuth ("Connect with …"): which networks this installation
has an app for, storing the account a person chose, and refreshing tokens before they expire.

The protocol is ``ambassade.connectors.oauth``; this module adds the installation's apps
(``settings.OAUTH_APPS``, from the ``AMBASSADE_<NETWORK>_CLIENT_ID``/``_SECRET`` settings), the
vault and the connection's status. Tests point the providers at a local server with
``settings.OAUTH_ENDPOINTS`` (provider → endpoints) and ``settings.OAUTH_ALLOW_PRIVATE``.

Refresh (``refresh_expiring``, every 10 minutes from ``workspaces.refresh_expiring_tokens``): a
connection whose access token expires within its network's margin (30 minutes for X and Reddit,
7 days for Threads and LinkedIn) is renewed and the new tokens and ``expires_at`` written back to
the vault. A refused refresh (``invalid_grant``, revoked) marks it *needs reconnection* with a plain
message; a network that cannot refresh (LinkedIn without a refresh token) gets a notice on the
connection instead, once, then *needs reconnection* when the token has expired. Never silent, and
never a token in a log line.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.oauth import PROVIDERS, Account, App, Provider
from ambassade.workspaces import services, vault
from ambassade.workspaces.audit import register_audit_action
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Connection, Workspace

__all__ = [
    "CONNECTION_EXPIRING",
    "connect_oauth_account",
    "oauth_networks",
    "provider",
    "provider_key",
    "redirect_uri",
    "refresh_connection",
    "refresh_expiring",
]

log = logging.getLogger(__name__)

CONNECTION_EXPIRING = register_audit_action(
    "connection.expiring", gettext_lazy("warned that this token expires soon:")
)

#: How long a refresh holds its claim on a connection: longer than one token call can take.
CLAIM_LEASE = timedelta(minutes=2)

#: Connection network → the provider that connects it (Instagram accounts come through Facebook).
_PROVIDER_OF = {network: key for key, cls in PROVIDERS.items() for network in cls.networks}


def provider_key(network: str) -> str | None:
    """The OAuth provider of a connection network, if the installation has its app configured."""
    key = _PROVIDER_OF.get(network)
    return key if key is not None and key in settings.OAUTH_APPS else None


def oauth_networks() -> list[str]:
    """The connection networks that can be connected with OAuth on this installation."""
    return [network for network in _PROVIDER_OF if provider_key(network)]


def _http() -> HttpClient:
    return HttpClient(
        timeout=float(getattr(settings, "OAUTH_TIMEOUT", 15.0)),
        allow_private=bool(getattr(settings, "OAUTH_ALLOW_PRIVATE", False)),
    )


def provider(key: str, http: HttpClient | None = None) -> Provider:
    client_id, client_secret = settings.OAUTH_APPS[key]
    endpoints = getattr(settings, "OAUTH_ENDPOINTS", {}).get(key)
    if http is None:
        http = _http()
    return PROVIDERS[key](http, App(client_id, client_secret), endpoints=endpoints)


def redirect_uri(key: str) -> str:
    """The callback address to register with the network's app (it must match exactly)."""
    return settings.BASE_URL + reverse("oauth_callback", kwargs={"network": key})


def connect_oauth_account(
    workspace: Workspace, account: Account, actor: Any, *, account_name: str = ""
) -> Connection:
    """Store the chosen account's credentials (encrypted). Reconnecting the same account (same
    network and identifier) updates its connection, whatever its name is now, and sets it back to
    connected."""
    existing = (
        Connection.objects.filter(
            workspace=workspace, network=account.network, account_id=account.id
        )
        .exclude(account_id="")
        .first()
    )
    name = account_name or (existing.account_name if existing else account.name)
    return services.connect_account(
        workspace,
        network=account.network,
        account_name=name[:200],
        secret=dict(account.secret),
        actor=actor,
        account_id=account.id,
        expires_at=account.expires_at,
    )


# --- refresh before expiry -------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    query = Q(pk__in=[])
    for cls in PROVIDERS.values():
        for network in cls.networks:
            query |= Q(network=network, expires_at__lte=now + cls.refresh_margin)
    return query


def refresh_expiring(now: datetime | None = None) -> dict[str, int]:
    """Refresh (or announce) every connected account whose token expires within its margin.
    Returns how many connections had each outcome."""
    now = now or timezone.now()
    ids = list(
        Connection.objects.filter(_due(now), status=Connection.Status.CONNECTED)
        .exclude(expires_at=None)
        .values_list("id", flat=True)
    )
    outcomes: dict[str, int] = {}
    http = _http()
    try:
        for connection_id in ids:
            outcome = refresh_connection(connection_id, now=now, http=http)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        http.close()
    return outcomes


def refresh_connection(
    connection_id: int, *, now: datetime | None = None, http: HttpClient | None = None
) -> str:
    """Refresh one connection if it is due. Returns ``refreshed``, ``revoked``, ``notice``,
    ``expired``, ``failed`` (temporary: the next run tries again) or ``skipped``."""
    if http is None:
        with _http() as own:
            return refresh_connection(connection_id, now=now, http=own)
    now = now or timezone.now()
    connection = Connection.objects.select_related("workspace").filter(id=connection_id).first()
    key = _PROVIDER_OF.get(connection.network) if connection is not None else None
    if (
        connection is None
        or key is None
        or connection.status != Connection.Status.CONNECTED
        or connection.expires_at is None
        or connection.expires_at > now + PROVIDERS[key].refresh_margin
    ):
        return "skipped"
    label = PROVIDERS[key].label
    secret = connection.secret().reveal()
    client = provider(key, http) if key in settings.OAUTH_APPS else None
    if client is None or not client.can_refresh(secret):
        return _cannot_refresh(connection, label, now)
    # Claim the connection for the refresh: ``updated_at`` is moved CLAIM_LEASE ahead, and a row
    # whose ``updated_at`` is still ahead is being refreshed by another worker (or an overlapping
    # run), so a rotating refresh token (X) is never spent twice. A worker that read the row before
    # the claim finds ``updated_at`` changed and stops too. Writing the result releases the claim;
    # a worker that dies holding it only delays the next refresh by the lease.
    started = timezone.now()
    if connection.updated_at > started:
        return "skipped"
    lease = started + CLAIM_LEASE
    claimed = Connection.objects.filter(
        id=connection.id, status=Connection.Status.CONNECTED, updated_at=connection.updated_at
    ).update(updated_at=lease)
    if claimed != 1:
        return "skipped"
    try:
        return _refresh_claimed(connection, client, secret, label)
    finally:
        # Release a claim nothing else has replaced (a failure, or a refusal of an old token).
        Connection.objects.filter(id=connection.id, updated_at=lease).update(updated_at=started)


def _refresh_claimed(
    connection: Connection, client: Provider, secret: dict[str, Any], label: str
) -> str:
    try:
        refreshed = client.refresh(secret)
    except AuthExpired:
        stored = Connection.objects.filter(id=connection.id).values_list(
            "token_ciphertext", flat=True
        )
        if [bytes(value) for value in stored] != [bytes(connection.token_ciphertext)]:
            # Renewed meanwhile by someone else (the publisher, a reconnection): the refused
            # token was an old one, not a revoked authorisation.
            return "skipped"
        services.mark_needs_reconnection(connection.id, coded("connection.revoked", network=label))
        log.warning(
            "connection %s: %s refused the refresh; marked for reconnection", connection.id, label
        )
        return "revoked"
    except ConnectorError as error:
        # Temporary (5xx, timeout) or the app's own problem: left connected, tried again in 10
        # minutes; the message is the seam's, without any token.
        log.warning(
            "connection %s: refreshing the %s token failed: %s", connection.id, label, error.message
        )
        return "failed"
    with transaction.atomic():
        Connection.objects.filter(id=connection.id, status=Connection.Status.CONNECTED).update(
            token_ciphertext=vault.encrypt(refreshed.secret),
            expires_at=refreshed.expires_at,
            last_error="",
            updated_at=timezone.now(),
        )
    log.info("connection %s: %s token refreshed", connection.id, label)
    return "refreshed"


def _cannot_refresh(connection: Connection, label: str, now: datetime) -> str:
    """A token nobody can renew: say so before it expires, and flag it once it has."""
    assert connection.expires_at is not None
    if connection.expires_at <= now:
        services.mark_needs_reconnection(connection.id, coded("connection.expired", network=label))
        return "expired"
    # The day it expires where the workspace is, written in the reader's locale when shown.
    day = timezone.localtime(connection.expires_at, timezone=_zone(connection.workspace)).date()
    notice = coded("connection.expiring", network=label, date=day)
    changed = (
        Connection.objects.filter(id=connection.id, status=Connection.Status.CONNECTED)
        .exclude(last_error=notice)
        .update(last_error=notice)
    )
    if changed:
        services.record_audit(
            connection.workspace,
            None,
            CONNECTION_EXPIRING,
            connection,
            details={"expires_at": connection.expires_at.isoformat()},
        )
        log.warning(
            "connection %s: the %s token expires soon and cannot be renewed", connection.id, label
        )
    return "notice"


def _zone(workspace: Workspace) -> ZoneInfo:
    return ZoneInfo(workspace.time_zone)
