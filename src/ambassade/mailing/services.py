"""Every write of the mailing app: campaigns written, tested, started, paused, resumed,
cancelled (docs/mailing.md). Views and tasks call these."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.community.models import Segment
from ambassade.connectors.base import ConnectorError
from ambassade.connectors.email.smtp import SmtpSession
from ambassade.mailing import audiences, audit, composing, dkim, sending, templating
from ambassade.mailing.models import Campaign, Recipient
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import coded, words
from ambassade.workspaces.models import Connection, Workspace

__all__ = [
    "CampaignError",
    "audience_error",
    "breakdown",
    "cancel",
    "check_content",
    "create_campaign",
    "delete_campaign",
    "pause",
    "resume",
    "schedule",
    "start",
    "start_due",
    "test_send",
    "unschedule",
    "update_campaign",
]

FIELDS = (
    "name",
    "connection",
    "segment",
    "subject_en",
    "body_en",
    "subject_fr",
    "body_fr",
    "rate_per_hour",
    "track_opens",
    "track_clicks",
)
MAX_RATE = 3_600_000
log = logging.getLogger(__name__)


class CampaignError(Exception):
    """The action cannot be done; ``str(error)`` is a sentence for the person, and ``field`` the
    form field it is about (or "")."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _labels() -> dict[str, str]:
    return {
        "subject_en": _("Subject (English)"),
        "body_en": _("Text (English)"),
        "subject_fr": _("Subject (French)"),
        "body_fr": _("Text (French)"),
    }


def check_content(values: dict[str, Any]) -> None:
    """Both languages' templates can be rendered, and at least one language is complete."""
    labels = _labels()
    for field, label in labels.items():
        try:
            templating.check(str(values.get(field) or ""), label)
        except templating.TemplateError as error:
            raise CampaignError(str(error), field) from None
    complete = [
        lang
        for lang in ("en", "fr")
        if str(values.get(f"subject_{lang}") or "").strip()
        and str(values.get(f"body_{lang}") or "").strip()
    ]
    if not complete:
        raise CampaignError(
            _("Write the subject and the text in at least one language."), "subject_en"
        )
    for lang in ("en", "fr"):
        subject = str(values.get(f"subject_{lang}") or "").strip()
        body = str(values.get(f"body_{lang}") or "").strip()
        if bool(subject) != bool(body):
            field = f"body_{lang}" if subject else f"subject_{lang}"
            raise CampaignError(
                _("Write both the subject and the text of this language, or neither."), field
            )
    rate = values.get("rate_per_hour")
    if rate is not None and not 1 <= int(rate) <= MAX_RATE:
        raise CampaignError(
            _("The pace must be from 1 to %(max)s e-mails an hour.") % {"max": MAX_RATE},
            "rate_per_hour",
        )


def _check_connection(workspace: Workspace, connection: Connection | None) -> None:
    if connection is not None and (
        connection.workspace_id != workspace.pk or connection.network != "email"
    ):
        raise CampaignError(_("Choose one of this workspace's e-mail connections."), "connection")


def _check_segment(workspace: Workspace, values: dict[str, Any]) -> None:
    """The segment is the workspace's; its name is remembered (a draft whose segment is deleted
    says so instead of widening to everyone)."""
    if "segment" not in values:
        return
    segment = values["segment"]
    if segment is not None and (
        not isinstance(segment, Segment) or segment.workspace_id != workspace.pk
    ):
        raise CampaignError(_("Choose one of this workspace's segments."), "segment")
    values["segment_name"] = segment.name if segment is not None else ""


def create_campaign(workspace: Workspace, actor: Any, **values: Any) -> Campaign:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    check_content(values)
    _check_connection(workspace, values.get("connection"))
    _check_segment(workspace, values)
    with transaction.atomic():
        campaign = Campaign.objects.create(workspace=workspace, created_by=actor, **values)
        workspace_services.record_audit(workspace, actor, audit.CREATED, campaign)
    return campaign


def _not_editable() -> CampaignError:
    return CampaignError(_("The campaign was sent: it can no longer change."))


def update_campaign(campaign: Campaign, actor: Any, **values: Any) -> Campaign:
    if campaign.state == Campaign.State.SCHEDULED:
        raise CampaignError(_("Cancel the scheduling to change the campaign."))
    if not campaign.editable:
        raise _not_editable()
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    merged = {field: getattr(campaign, field) for field in FIELDS} | values
    check_content(merged)
    _check_connection(campaign.workspace, merged.get("connection"))
    _check_segment(campaign.workspace, values)
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
            updated_at=timezone.now(), last_error="", **values
        )
        if not changed:
            raise _not_editable()
        workspace_services.record_audit(campaign.workspace, actor, audit.UPDATED, campaign)
    campaign.refresh_from_db()
    return campaign


def delete_campaign(campaign: Campaign, actor: Any) -> None:
    if campaign.state in (Campaign.State.SENDING, Campaign.State.PAUSED):
        raise CampaignError(_("Cancel the sending first."))
    if campaign.state == Campaign.State.SCHEDULED:
        raise CampaignError(_("Cancel the scheduling first."))
    with transaction.atomic():
        workspace_services.record_audit(campaign.workspace, actor, audit.DELETED, campaign)
        campaign.delete()


def test_send(
    campaign: Campaign, actor: Any, address: str, lang: str, *, session: SmtpSession | None = None
) -> str:
    """Send the campaign in ``lang`` to ``address`` now (subject marked as a test; its unsubscribe
    link does nothing). Returns the Message-ID; raises :class:`CampaignError` with the server's
    reason."""
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise CampaignError(_("Enter a valid e-mail address."), "email") from None
    if lang not in campaign.languages:
        raise CampaignError(_("The campaign is not written in this language."), "lang")
    try:
        account = sending.account_of(campaign)
    except ConnectorError as error:
        raise CampaignError(words(error), "connection") from None
    ident = f"test-{campaign.pk}-{secrets.token_hex(6)}@{account.domain}"
    person = composing.Person(
        name=getattr(actor, "get_full_name", lambda: "")() or "",
        email=address,
        lang=lang,
        token="test-" + secrets.token_urlsafe(12),
    )
    composed = composing.compose(
        campaign_subject=campaign.subject(lang),
        campaign_body=campaign.body(lang),
        brand=campaign.workspace.name,
        person=person,
        sender=sending.sender_of(campaign, account),
        message_id=ident,
        links={},
        track_clicks=False,
        track_opens=False,
        list_id=f"<campaigns.{campaign.workspace.slug}.{account.domain}>",
        test=True,
    )
    own = session is None
    smtp = session or SmtpSession(account, **sending.smtp_options())
    try:
        smtp.send(
            composed.message,
            address,
            sender=account.address,
            signer=dkim.signer(campaign.workspace_id),
        )
    except ConnectorError as error:
        raise CampaignError(words(error)) from None
    finally:
        if own:
            smtp.close()
    workspace_services.record_audit(
        campaign.workspace, actor, audit.TESTED, campaign, details={"lang": lang}
    )
    return ident


def audience_error(error: audiences.AudienceError) -> str:
    """An audience that cannot be read, as a sentence for the person."""
    if error.code == "segment_deleted":
        return _(
            "The segment this campaign was written for was deleted: choose its audience again."
        )
    return _("The segment cannot be used: %(reason)s") % {"reason": words(error.error)}


def breakdown(campaign: Campaign) -> audiences.Breakdown:
    """Who the campaign would reach now, and who is left out and why (raises AudienceError)."""
    return audiences.breakdown(
        campaign.workspace_id, campaign.segment, deleted=campaign.segment_deleted
    )


def _check_ready(campaign: Campaign) -> None:
    check_content({field: getattr(campaign, field) for field in FIELDS})
    if campaign.connection is None:
        raise CampaignError(_("Choose the e-mail connection to send from."), "connection")
    try:
        sending.account_of(campaign)
    except ConnectorError as error:
        raise CampaignError(words(error), "connection") from None


def start(campaign: Campaign, actor: Any, members: Any = None) -> int:
    """Freeze the audience (the campaign's segment, or every member; of those, the ones with
    consent to e-mailing for their address, one per address, staff only if the segment asks for
    them; among ``members`` when given) and start sending. Returns how many will receive it."""
    if campaign.state != Campaign.State.DRAFT:
        raise CampaignError(_("The campaign was already started."))
    return _start(campaign, actor, members, Campaign.State.DRAFT)


class _Taken(CampaignError):
    """The campaign was no longer in the state to start from (started, moved, cancelled)."""


def _start(
    campaign: Campaign, actor: Any, members: Any, from_state: str, due_by: dt.datetime | None = None
) -> int:
    _check_ready(campaign)
    now = timezone.now()
    with transaction.atomic():
        # One conditional UPDATE moves it out of ``from_state``: a scheduler and a person (or two
        # schedulers) starting it at the same moment cannot both freeze an audience; on
        # PostgreSQL the second waits for the first's row lock, then finds no row to change.
        ready = Campaign.objects.filter(pk=campaign.pk, state=from_state)
        if from_state == Campaign.State.SCHEDULED:
            # Moved later meanwhile: not yet.
            ready = ready.filter(send_at__lte=due_by or now)
        changed = ready.update(
            state=Campaign.State.SENDING,
            started_at=now,
            updated_at=now,
            next_send_at=None,
            worker="",
            last_error="",
        )
        if not changed:
            raise _Taken(_("The campaign was already started."))
        campaign.refresh_from_db()
        only = list(members) if members is not None else None
        try:
            summary = audiences.breakdown(
                campaign.workspace_id,
                campaign.segment,
                deleted=campaign.segment_deleted,
                only=only,
            )
            readers = audiences.recipients(
                campaign.workspace_id,
                campaign.segment,
                deleted=campaign.segment_deleted,
                only=only,
            )
            total = sending.freeze_audience(campaign, readers)
        except audiences.AudienceError as error:
            raise CampaignError(audience_error(error), "segment") from None
        if not total:
            raise CampaignError(_("Nobody of this audience has agreed to receive e-mails yet."))
        summary.recipients = total
        Campaign.objects.filter(pk=campaign.pk).update(
            total=total, audience_summary=summary.to_json()
        )
        campaign.total = total
        campaign.audience_summary = summary.to_json()
        workspace_services.record_audit(
            campaign.workspace, actor, audit.STARTED, campaign, details={"recipients": total}
        )
        transaction.on_commit(lambda: _enqueue(campaign.pk))
    return total


# --- scheduling -------------------------------------------------------------------------------

#: How far ahead a campaign can be scheduled.
MAX_AHEAD = timedelta(days=366)


def schedule(campaign: Campaign, actor: Any, when: dt.datetime) -> None:
    """Send the campaign at ``when`` (aware): a draft becomes scheduled, a scheduled one moves.
    Checked now as a sending would be (content, connection, an audience that can be read and is
    not empty); the audience itself is frozen when it starts."""
    if campaign.state not in (Campaign.State.DRAFT, Campaign.State.SCHEDULED):
        raise CampaignError(_("The campaign was already started."))
    now = timezone.now()
    if when is None or timezone.is_naive(when):
        raise CampaignError(_("Enter the date and time to send it at."), "send_at")
    if when <= now:
        raise CampaignError(_("Choose a time in the future."), "send_at")
    if when > now + MAX_AHEAD:
        raise CampaignError(_("Choose a time within a year."), "send_at")
    _check_ready(campaign)
    try:
        found = breakdown(campaign)
    except audiences.AudienceError as error:
        raise CampaignError(audience_error(error), "segment") from None
    if not found.recipients:
        raise CampaignError(_("Nobody of this audience has agreed to receive e-mails yet."))
    with transaction.atomic():
        changed = Campaign.objects.filter(
            pk=campaign.pk, state__in=[Campaign.State.DRAFT, Campaign.State.SCHEDULED]
        ).update(state=Campaign.State.SCHEDULED, send_at=when, last_error="", updated_at=now)
        if not changed:
            raise CampaignError(_("The campaign was already started."))
        workspace_services.record_audit(
            campaign.workspace,
            actor,
            audit.SCHEDULED,
            campaign,
            details={"send_at": when.isoformat(timespec="minutes")},
        )
    campaign.refresh_from_db()


def unschedule(campaign: Campaign, actor: Any) -> None:
    """Back to a draft (nothing was sent)."""
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.SCHEDULED).update(
            state=Campaign.State.DRAFT, send_at=None, updated_at=timezone.now()
        )
        if not changed:
            raise CampaignError(_("The campaign is not scheduled (it may have started)."))
        workspace_services.record_audit(campaign.workspace, actor, audit.UNSCHEDULED, campaign)
    campaign.refresh_from_db()


def start_due(now: dt.datetime | None = None) -> list[int]:
    """Start every scheduled campaign whose time has come, each exactly once (see :func:`_start`).
    One that cannot start (its connection, its segment deleted, nobody left with consent) goes
    back to being a draft, with the reason on its page. Returns the ids started here."""
    now = now or timezone.now()
    started: list[int] = []
    due = Campaign.objects.filter(state=Campaign.State.SCHEDULED, send_at__lte=now)
    for campaign in due.select_related("workspace", "connection", "segment").order_by("send_at"):
        try:
            # A reason it cannot start is worded as it is raised: in the workspace's language.
            with translation.override((campaign.workspace.language or "en")[:2]):
                _start(campaign, None, None, Campaign.State.SCHEDULED, due_by=now)
        except _Taken:
            continue  # another worker started it, or it was moved or cancelled meanwhile
        except CampaignError as error:
            reason = str(error)
            with transaction.atomic():
                failed = Campaign.objects.filter(
                    pk=campaign.pk, state=Campaign.State.SCHEDULED, send_at__lte=now
                ).update(
                    state=Campaign.State.DRAFT,
                    last_error=coded("mailing.scheduled_not_started", reason=reason),
                    updated_at=timezone.now(),
                )
                if failed:
                    workspace_services.record_audit(
                        campaign.workspace, None, audit.SCHEDULE_FAILED, campaign
                    )
            if failed:
                log.warning("scheduled campaign %s did not start: %s", campaign.pk, error)
            continue
        started.append(campaign.pk)
    return started


def _enqueue(campaign_id: int) -> None:
    from ambassade.mailing import tasks

    tasks.send_campaign(campaign_id)


def pause(campaign: Campaign, actor: Any) -> None:
    # The worker sending it sees the change at its next heartbeat (5 s at most) and stops; the
    # lease is freed so that a resume is taken up at once.
    changed = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.SENDING).update(
        state=Campaign.State.PAUSED, updated_at=timezone.now(), worker=""
    )
    if not changed:
        raise CampaignError(_("The campaign is not being sent."))
    workspace_services.record_audit(campaign.workspace, actor, audit.PAUSED, campaign)


def resume(campaign: Campaign, actor: Any) -> None:
    changed = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.PAUSED).update(
        state=Campaign.State.SENDING,
        updated_at=timezone.now(),
        next_send_at=None,
        last_error="",
    )
    if not changed:
        raise CampaignError(_("The campaign is not paused."))
    workspace_services.record_audit(campaign.workspace, actor, audit.RESUMED, campaign)
    transaction.on_commit(lambda: _enqueue(campaign.pk))


def cancel(campaign: Campaign, actor: Any) -> int:
    """Stop for good: the e-mails not sent yet are not sent. Returns how many."""
    with transaction.atomic():
        changed = Campaign.objects.filter(
            pk=campaign.pk, state__in=[Campaign.State.SENDING, Campaign.State.PAUSED]
        ).update(
            state=Campaign.State.CANCELLED, updated_at=timezone.now(), finished_at=timezone.now()
        )
        if not changed:
            raise CampaignError(_("The campaign is not being sent."))
        dropped = Recipient.objects.filter(campaign=campaign, state=Recipient.State.QUEUED).update(
            state=Recipient.State.SKIPPED
        )
        workspace_services.record_audit(
            campaign.workspace, actor, audit.CANCELLED, campaign, details={"not_sent": dropped}
        )
    return dropped
