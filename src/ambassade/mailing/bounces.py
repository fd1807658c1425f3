"""Bounces read back over IMAP: the delivery status notifications (RFC 3464) that mail servers
send to the campaign's envelope sender, the e-mail connection's own address.

Each connection used by a campaign in the last :data:`LOOK_BACK` is read from where it was read up
to (UID within UIDVALIDITY, ``MailingSettings.bounce_cursor``), read-only (no flag changes). A
report is matched to the recipient row by the returned message's ``Message-ID`` (which names the
campaign and the row), else by the failed address among the workspace's recent recipients. A
hard bounce withdraws the person's consent to e-mailing (source ``bounce``, the server's status
and diagnostic as proof): nothing more is sent to a dead address. A soft bounce is only counted.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from ambassade.community import consent
from ambassade.community.models import Consent
from ambassade.connectors.base import ConnectorError
from ambassade.connectors.email.account import EmailAccount
from ambassade.connectors.email.dsn import Bounce, parse_dsn
from ambassade.connectors.email.imap import imap_session
from ambassade.mailing import sending
from ambassade.mailing.models import Campaign, MailingSettings, Recipient
from ambassade.mailing.tracking import _timeline
from ambassade.workspaces.models import Connection, Workspace

__all__ = ["LOOK_BACK", "apply", "read_bounces"]

log = logging.getLogger(__name__)

LOOK_BACK = dt.timedelta(days=30)
#: Messages read per connection and run at most (a first read takes the newest of them).
BATCH = 500
MAX_BYTES = 256 * 1024


def settings_of(workspace: Workspace) -> MailingSettings:
    found, _created = MailingSettings.objects.get_or_create(workspace=workspace)
    return found


def _match(workspace: Workspace, bounce: Bounce) -> Recipient | None:
    rows = Recipient.objects.filter(workspace=workspace).select_related("member", "campaign")
    if bounce.message_id:
        found = rows.filter(message_id=bounce.message_id).first()
        if found is not None:
            return found
    since = timezone.now() - LOOK_BACK
    return (
        rows.filter(email__iexact=bounce.recipient, sent_at__gte=since)
        .order_by("-sent_at", "-id")
        .first()
    )


def apply(workspace: Workspace, bounce: Bounce) -> Recipient | None:
    """Record one bounce on its recipient row; a hard one withdraws consent. Idempotent."""
    recipient = _match(workspace, bounce)
    if recipient is None or recipient.bounce == "hard":
        return None
    kind = "hard" if bounce.permanent else "soft"
    now = timezone.now()
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk).update(
            bounce=kind, bounced_at=now, bounce_status=bounce.status[:16]
        )
        if kind == "hard":
            member = recipient.member
            if member is not None and consent.has_consent(member, Consent.Purpose.EMAILING):
                consent.record(
                    member,
                    None,
                    Consent.Purpose.EMAILING,
                    Consent.State.WITHDRAWN,
                    proof=" · ".join(
                        filter(
                            None,
                            [
                                f"hard bounce {now.isoformat(timespec='seconds')}",
                                f"{bounce.recipient} status {bounce.status or '?'}",
                                bounce.diagnostic,
                                f"reported by {bounce.reporting_mta}"
                                if bounce.reporting_mta
                                else "",
                                f"campaign #{recipient.campaign_id}",
                            ],
                        )
                    ),
                    source=Consent.Source.BOUNCE,
                    at=now,
                )
            _timeline(recipient, "email_bounce", "mailing.bounce")
    recipient.bounce = kind
    return recipient


def _connections(workspace: Workspace) -> list[Connection]:
    since = timezone.now() - LOOK_BACK
    ids = (
        Campaign.objects.filter(workspace=workspace, started_at__gte=since)
        .exclude(connection=None)
        .values_list("connection_id", flat=True)
        .distinct()
    )
    return list(Connection.objects.filter(pk__in=list(ids), network="email"))


def read_bounces(workspace: Workspace, *, options: dict[str, Any] | None = None) -> dict[str, int]:
    """Read the new messages of the mailboxes the workspace's recent campaigns were sent from and
    apply the bounces found. Returns counts (``read``, ``hard``, ``soft``)."""
    options = options or sending.smtp_options()
    state = settings_of(workspace)
    cursor = dict(state.bounce_cursor or {})
    counts = {"read": 0, "hard": 0, "soft": 0}
    error: Any = ""
    for connection in _connections(workspace):
        try:
            account = EmailAccount.from_credentials(connection.secret().reveal())
            key = str(connection.pk)
            seen = cursor.get(key) or {}
            with imap_session(
                account,
                allow_private=options["allow_private"],
                timeout=options["timeout"],
                context=options["context"],
            ) as session:
                validity = session.open(account.folder, readonly=True)
                same = seen.get("uidvalidity") == validity
                uids = session.uids(int(seen.get("uid", 0)) if same else 0)
                chosen = uids[:BATCH] if same else uids[-BATCH:]
                for fetched in session.fetch(chosen, MAX_BYTES):
                    counts["read"] += 1
                    for bounce in parse_dsn(fetched.data):
                        found = apply(workspace, bounce)
                        if found is not None:
                            counts[found.bounce] += 1
                top = max(chosen) if chosen else (int(seen.get("uid", 0)) if same else 0)
                cursor[key] = {"uidvalidity": validity, "uid": top}
        except ConnectorError as failure:
            log.info("bounces of connection %s not read: %s", connection.pk, failure)
            error = failure
    MailingSettings.objects.filter(pk=state.pk).update(
        bounce_cursor=cursor, bounces_read_at=timezone.now(), bounce_error=error
    )
    return counts


def workspaces_to_read() -> list[int]:
    since = timezone.now() - LOOK_BACK
    return list(
        Campaign.objects.filter(started_at__gte=since)
        .exclude(connection=None)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
