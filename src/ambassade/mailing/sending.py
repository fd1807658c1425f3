"""The sending queue: one :class:`Recipient` row per person, each e-mail sent at most once.

A campaign is sent by one worker at a time, which holds its lease (``Campaign.worker`` and
``heartbeat_at``, renewed every few seconds by a conditional UPDATE). Each row goes through the
shared claim-send-mark queue (``workspaces/mailqueue.py``, :data:`QUEUE`, as the events' and
reports' e-mails do); this module adds the campaign's lease, pace and retries. For each recipient,
in id order, the worker:

1. **claims** the row: ``queued → sending`` with its id and the time (a conditional UPDATE,
   committed before anything is sent);
2. **sends** it over SMTP (one connection for the batch, the campaign's pace kept);
3. **marks** it: ``sending → sent`` (or ``failed``, or back to ``queued`` with a later
   ``retry_at`` when the server refused it for now, before anything was accepted).

A worker that dies leaves at most one row in ``sending``. The next worker to take the lease (after
:data:`STALE` without heartbeat) marks such rows ``unknown`` and never sends them again: **at most
once**. The window is the few milliseconds between the server's "250 accepted" and the mark's
commit; a person missing one campaign e-mail is a smaller harm than receiving it twice, and the
page counts the unknown rows so the team knows (docs/mailing.md).
"""

from __future__ import annotations

import logging
import secrets
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Count, Q
from django.utils import timezone

from ambassade.community import activities
from ambassade.community.models import Activity, Consent, Identity
from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.email.account import EmailAccount
from ambassade.connectors.email.smtp import SmtpSession
from ambassade.connectors.http import OutcomeUnknown
from ambassade.mailing import composing, dkim
from ambassade.mailing.models import Campaign, CampaignLink, Recipient
from ambassade.workspaces import mailqueue, vault
from ambassade.workspaces.messages import coded

__all__ = [
    "STALE",
    "Progress",
    "progress",
    "recover",
    "run",
    "smtp_options",
]

log = logging.getLogger(__name__)

#: A lease (or a claimed row) without a heartbeat for this long belongs to a dead worker.
STALE = timedelta(minutes=2)
HEARTBEAT_EVERY = 5.0
#: Temporary refusals of one recipient: tries, and the waits between them.
RETRIES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
#: A connection refused or dropped: the whole campaign waits this long.
CONNECTION_WAIT = timedelta(minutes=2)
SOURCE_SENT = "mailing.sent"
#: Rows go from queued straight to sending, one at a time, under the campaign's lease.
QUEUE = mailqueue.Queue(Recipient, pending=Recipient.State.QUEUED, claimed=None, stale=STALE)


def smtp_options() -> dict[str, Any]:
    """How the SMTP connection is made: private addresses only when an administrator allows them
    (``AMBASSADE_ALLOWED_PRIVATE_HOSTS``) or the tests do."""
    return {
        "allow_private": bool(getattr(django_settings, "MAILING_ALLOW_PRIVATE", False)),
        "timeout": 30.0,
        "context": ssl.create_default_context(),
    }


def account_of(campaign: Campaign) -> EmailAccount:
    if campaign.connection is None:
        raise ConnectorError(
            "The campaign has no e-mail connection to send from.",
            permanent=True,
            code="mailing.no_connection",
        )
    try:
        secret = campaign.connection.secret()
    except vault.VaultError:
        raise ConnectorError(
            "The e-mail connection's credentials cannot be read.",
            permanent=True,
            code="mailing.no_connection",
        ) from None
    return EmailAccount.from_credentials(secret.reveal())


def sender_of(campaign: Campaign, account: EmailAccount) -> Address:
    return Address(account.display_name or campaign.workspace.name, addr_spec=account.address)


# --- the audience -----------------------------------------------------------------------------


def language_for(campaign: Campaign, wanted: str) -> str:
    languages = campaign.languages
    if wanted in languages:
        return wanted
    if campaign.workspace.language[:2] in languages:
        return campaign.workspace.language[:2]
    return languages[0] if languages else "en"


def freeze_audience(campaign: Campaign, readers: Iterable[Any]) -> int:
    """Make the recipients' rows (inside the caller's transaction), from
    ``audiences.recipients``: one per address, each in the language of their consent."""
    seen: set[str] = set()
    rows = []
    for reader in readers:
        address = reader.email.strip()
        key = address.casefold()
        if not address or key in seen:
            continue
        seen.add(key)
        rows.append(
            Recipient(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                member_id=reader.member_id,
                email=address,
                lang=language_for(campaign, (reader.optin_lang or "")[:2]),
                token=secrets.token_urlsafe(32),
            )
        )
    Recipient.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def make_links(campaign: Campaign) -> dict[str, str]:
    """The campaign's tracked links (one code per link, made once)."""
    found = {link.target: link.code for link in campaign.links.all()}
    targets: list[str] = []
    for lang in campaign.languages:
        targets += composing.find_links(campaign.body(lang))
    for target in dict.fromkeys(targets):
        if target in found or len(target) > 2000:
            continue
        code = "m" + secrets.token_urlsafe(8)[:8]
        CampaignLink.objects.create(
            workspace_id=campaign.workspace_id, campaign=campaign, target=target, code=code
        )
        found[target] = code
    return found


# --- progress ---------------------------------------------------------------------------------


@dataclass
class Progress:
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    unknown: int
    skipped: int
    bounced: int
    hard_bounced: int
    opened: int
    clicked: int
    unsubscribed: int

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.unknown + self.skipped

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100

    def rate(self, count: int) -> float:
        return round(100.0 * count / self.sent, 1) if self.sent else 0.0


def progress(campaign: Campaign) -> Progress:
    states = dict(
        Recipient.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    figures = Recipient.objects.filter(campaign=campaign).aggregate(
        bounced=Count("id", filter=~Q(bounce="")),
        hard=Count("id", filter=Q(bounce="hard")),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
    )
    return Progress(
        total=sum(states.values()),
        queued=states.get(Recipient.State.QUEUED, 0),
        sending=states.get(Recipient.State.SENDING, 0),
        sent=states.get(Recipient.State.SENT, 0),
        failed=states.get(Recipient.State.FAILED, 0),
        unknown=states.get(Recipient.State.UNKNOWN, 0),
        skipped=states.get(Recipient.State.SKIPPED, 0),
        bounced=figures["bounced"],
        hard_bounced=figures["hard"],
        opened=figures["opened"],
        clicked=figures["clicked"],
        unsubscribed=figures["unsubscribed"],
    )


# --- the lease --------------------------------------------------------------------------------


def _take_lease(campaign_id: int, worker: str) -> bool:
    now = timezone.now()
    return bool(
        Campaign.objects.filter(pk=campaign_id, state=Campaign.State.SENDING)
        .filter(Q(worker="") | Q(worker=worker) | Q(heartbeat_at__lt=now - STALE))
        .update(worker=worker, heartbeat_at=now)
    )


def _renew(campaign_id: int, worker: str) -> bool:
    return bool(
        Campaign.objects.filter(pk=campaign_id, state=Campaign.State.SENDING, worker=worker).update(
            heartbeat_at=timezone.now()
        )
    )


def _release(campaign_id: int, worker: str, **changes: Any) -> None:
    Campaign.objects.filter(pk=campaign_id, worker=worker).update(worker="", **changes)


def recover(campaign_id: int, worker: str) -> int:
    """Rows another worker claimed and never marked: perhaps sent, never sent again. Only called
    with the lease held, so their worker is gone (or lost its lease and stops)."""
    _resumed, unknown = mailqueue.recover(
        QUEUE,
        Recipient.objects.filter(campaign_id=campaign_id),
        stale=timedelta(0),
        except_worker=worker,
        unknown_changes={"error": coded("mailing.worker_died")},
    )
    return unknown


# --- sending ----------------------------------------------------------------------------------


def _claim(recipient_id: int, worker: str) -> bool:
    return mailqueue.begin(QUEUE, recipient_id, worker)


def _mark(recipient_id: int, worker: str, *, state: str, **changes: Any) -> bool:
    return mailqueue.mark(QUEUE, recipient_id, worker, state, **changes)


def _record_sent(workspace_id: int, sent: list[tuple[int, int, Any]]) -> None:
    """Put "received the campaign" on the timelines of a batch of sent rows (member, row, at)."""
    if not sent:
        return
    members = {member for member, _row, _at in sent}
    identities: dict[int, int] = {}
    for identity_id, member_id in (
        Identity.objects.filter(member_id__in=members).order_by("id").values_list("id", "member_id")
    ):
        identities.setdefault(member_id, identity_id)
    Activity.objects.bulk_create(
        [
            Activity(
                workspace_id=workspace_id,
                identity_id=identities[member],
                kind="email_sent",
                occurred_at=at,
                source=SOURCE_SENT,
                source_id=row,
                weight=activities.weight_of("email_sent"),
            )
            for member, row, at in sent
            if member in identities
        ],
        ignore_conflicts=True,
    )


def _still_consents(member_id: int | None) -> bool:
    if member_id is None:
        return False
    latest = (
        Consent.objects.filter(member_id=member_id, purpose=Consent.Purpose.EMAILING)
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
    return latest == Consent.State.GRANTED


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    retried: int = 0
    finished: bool = False
    stopped: str = ""


def run(
    campaign_id: int,
    *,
    budget: float = 240.0,
    on_progress: Callable[[Progress], None] | None = None,
    worker: str | None = None,
    session_factory: Callable[[EmailAccount], SmtpSession] | None = None,
) -> RunResult:
    """Send the campaign's waiting e-mails for up to ``budget`` seconds, at its pace. Returns what
    was done; ``finished`` when nothing is left to send."""
    worker = worker or secrets.token_hex(8)
    result = RunResult()
    if not _take_lease(campaign_id, worker):
        result.stopped = "busy"
        return result
    campaign = Campaign.objects.select_related("workspace", "connection").get(pk=campaign_id)
    recover(campaign_id, worker)
    try:
        account = account_of(campaign)
    except ConnectorError as error:
        _release(
            campaign_id,
            worker,
            state=Campaign.State.PAUSED,
            last_error=error,
            updated_at=timezone.now(),
        )
        result.stopped = "config"
        return result
    sender = sender_of(campaign, account)
    sign = dkim.signer(campaign.workspace_id)
    links = make_links(campaign) if campaign.track_clicks else {}
    list_id = f"<campaigns.{campaign.workspace.slug}.{account.domain}>"
    interval = 3600.0 / max(1, campaign.rate_per_hour)
    started = time.monotonic()
    next_at = started
    last_beat = started
    done_rows: list[tuple[int, int, Any]] = []
    factory = session_factory or (lambda acc: SmtpSession(acc, **smtp_options()))

    def flush() -> None:
        _record_sent(campaign.workspace_id, done_rows)
        done_rows.clear()

    with factory(account) as session:
        while True:
            now_mono = time.monotonic()
            if now_mono - started > budget:
                result.stopped = "budget"
                break
            if now_mono - last_beat >= HEARTBEAT_EVERY:
                flush()
                if on_progress is not None:
                    on_progress(progress(campaign))
                if not _renew(campaign_id, worker):
                    result.stopped = "lease"  # paused, cancelled or taken over
                    flush()
                    return result
                last_beat = now_mono
            now = timezone.now()
            batch = list(
                Recipient.objects.filter(campaign_id=campaign_id, state=Recipient.State.QUEUED)
                .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
                .order_by("id")
                .values_list(
                    "id", "member_id", "email", "lang", "token", "attempts", "member__display_name"
                )[:200]
            )
            if not batch:
                break
            for recipient_id, member_id, address, lang, token, attempts, name in batch:
                if time.monotonic() - started > budget:
                    break
                wait = next_at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if time.monotonic() - last_beat >= HEARTBEAT_EVERY:
                    flush()
                    if on_progress is not None:
                        on_progress(progress(campaign))
                    if not _renew(campaign_id, worker):
                        result.stopped = "lease"
                        return result
                    last_beat = time.monotonic()
                if not _claim(recipient_id, worker):
                    continue
                if not _still_consents(member_id):
                    _mark(recipient_id, worker, state=Recipient.State.SKIPPED)
                    result.skipped += 1
                    continue
                ident = composing.message_id(campaign_id, recipient_id, account.domain)
                person = composing.Person(name=name or "", email=address, lang=lang, token=token)
                try:
                    composed = composing.compose(
                        campaign_subject=campaign.subject(lang),
                        campaign_body=campaign.body(lang),
                        brand=campaign.workspace.name,
                        person=person,
                        sender=sender,
                        message_id=ident,
                        links=links,
                        track_clicks=campaign.track_clicks,
                        track_opens=campaign.track_opens,
                        list_id=list_id,
                    )
                except (ValueError, IndexError) as error:  # a header that cannot be written
                    _mark(
                        recipient_id,
                        worker,
                        state=Recipient.State.FAILED,
                        error=coded("mailing.cannot_write", detail=str(error)[:200]),
                    )
                    result.failed += 1
                    continue
                next_at = max(next_at + interval, time.monotonic())
                try:
                    session.send(composed.message, address, sender=account.address, signer=sign)
                except OutcomeUnknown as error:
                    _mark(recipient_id, worker, state=Recipient.State.UNKNOWN, error=error)
                    result.unknown += 1
                    continue
                except AuthExpired as error:
                    # Nothing went out: the row waits, the campaign pauses until the team acts.
                    _mark(recipient_id, worker, state=Recipient.State.QUEUED, claimed_by="")
                    flush()
                    _release(
                        campaign_id,
                        worker,
                        state=Campaign.State.PAUSED,
                        last_error=error,
                        updated_at=timezone.now(),
                    )
                    result.stopped = "auth"
                    return result
                except ConnectorError as error:
                    if error.permanent and error.code == "email.recipient_refused":
                        _mark(recipient_id, worker, state=Recipient.State.FAILED, error=error)
                        result.failed += 1
                        continue
                    if attempts >= len(RETRIES) or (
                        error.permanent and error.code == "email.smtp_refused"
                    ):
                        _mark(recipient_id, worker, state=Recipient.State.FAILED, error=error)
                        result.failed += 1
                        continue
                    _mark(
                        recipient_id,
                        worker,
                        state=Recipient.State.QUEUED,
                        claimed_by="",
                        retry_at=timezone.now() + RETRIES[attempts],
                        error=error,
                    )
                    result.retried += 1
                    if error.code in ("email.cannot_connect", "http.unresolved") or error.permanent:
                        # The server cannot be reached (or refuses everything): wait, then resume.
                        flush()
                        _release(
                            campaign_id,
                            worker,
                            last_error=error,
                            next_send_at=timezone.now() + CONNECTION_WAIT,
                        )
                        result.stopped = "server"
                        return result
                    continue
                sent_at = timezone.now()
                if _mark(
                    recipient_id,
                    worker,
                    state=Recipient.State.SENT,
                    sent_at=sent_at,
                    message_id=ident,
                    error="",
                ):
                    result.sent += 1
                    if member_id is not None:
                        done_rows.append((member_id, recipient_id, sent_at))
                else:  # lost the lease meanwhile: the row is "unknown" now, as it should be
                    result.stopped = "lease"
                    flush()
                    return result
            if len(done_rows) >= 200:
                flush()
    flush()
    left = Recipient.objects.filter(
        campaign_id=campaign_id, state__in=[Recipient.State.QUEUED, Recipient.State.SENDING]
    )
    if not left.exists():
        result.finished = True
        now = timezone.now()
        _release(
            campaign_id,
            worker,
            state=Campaign.State.SENT,
            finished_at=now,
            updated_at=now,
            next_send_at=None,
        )
    else:
        waiting = (
            left.filter(retry_at__isnull=False)
            .order_by("retry_at")
            .values_list("retry_at", flat=True)
            .first()
        )
        _release(campaign_id, worker, next_send_at=waiting or timezone.now())
    if on_progress is not None:
        on_progress(progress(campaign))
    return result


def due() -> list[int]:
    """Campaigns to (re)start now: sending, without a live worker, not waiting."""
    now = timezone.now()
    return list(
        Campaign.objects.filter(state=Campaign.State.SENDING)
        .filter(Q(worker="") | Q(heartbeat_at__lt=now - STALE))
        .filter(Q(next_send_at__isnull=True) | Q(next_send_at__lte=now))
        .values_list("id", flat=True)
    )
