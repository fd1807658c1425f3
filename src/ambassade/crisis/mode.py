"""The crisis mode: the playbook, holding statements and escalation contacts; opening a crisis
(the outbox held, the checklist copied, the team and contacts told), working it, and closing it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassade.crisis import audit, delivery, outbox, signals_feed
from ambassade.crisis.alerting import _absolute, _recipients, _send_all, set_alert_status
from ambassade.crisis.models import (
    Alert,
    Channel,
    Crisis,
    CrisisChecklistItem,
    CrisisEvent,
    EscalationContact,
    HoldingStatement,
    Notification,
    PlaybookTemplate,
    Section,
    Severity,
)
from ambassade.crisis.report import build_report
from ambassade.workspaces.locale import language_of
from ambassade.workspaces.messages import coded, words
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.services import ServiceError, record_audit

log = logging.getLogger(__name__)

#: How far back a crisis may start: its report lists every hour.
MAX_SPAN = timedelta(days=31)


def _after_commit(fn: Callable[[], Any]) -> None:
    transaction.on_commit(fn)


HOLDING_STATEMENTS = [
    (
        "fr",
        "Nous avons connaissance de la situation",
        "Nous avons connaissance des messages publiés au sujet de {brand}. Nous prenons la situation "
        "très au sérieux et vérifions les faits. Nous reviendrons vers vous au plus vite avec des "
        "informations précises.",
    ),
    (
        "fr",
        "Réponse individuelle",
        "Bonjour, merci pour votre message. Nous comprenons votre inquiétude et regardons "
        "ce qui s'est passé. Pouvez-vous nous écrire en message privé pour que nous puissions "
        "suivre votre cas personnellement ?",
    ),
    (
        "en",
        "We are aware of the situation",
        "We are aware of the posts about {brand}. We take this very seriously and are checking the "
        "facts. We will come back to you as soon as we have accurate information.",
    ),
    (
        "en",
        "Individual reply",
        "Hello, thank you for your message. We understand your concern and are looking into what "
        "happened. Could you send us a direct message so that we can follow up on your case "
        "personally?",
    ),
]


def _default_playbook() -> list[dict[str, str]]:
    return [
        {"section": Section.CALL, "text": _("Tell the head of communication")},
        {"section": Section.CALL, "text": _("Call the legal adviser if the facts are disputed")},
        {"section": Section.CALL, "text": _("Warn customer service of the expected questions")},
        {"section": Section.PREPARE, "text": _("Collect the facts: what, when, who is affected")},
        {
            "section": Section.PREPARE,
            "text": _("Check the held posts and reschedule or cancel them"),
        },
        {"section": Section.PREPARE, "text": _("Adapt a holding statement")},
        {"section": Section.VALIDATE, "text": _("Statement approved by the head of communication")},
        {"section": Section.VALIDATE, "text": _("Statement approved by the legal adviser")},
        {"section": Section.VALIDATE, "text": _("Statement published and pinned")},
    ]


def ensure_defaults(workspace: Workspace) -> PlaybookTemplate:
    """Create the workspace's default playbook and holding statements once (idempotent)."""
    with translation.override(workspace.language):
        playbook, created = PlaybookTemplate.objects.get_or_create(
            workspace=workspace, defaults={"items": _default_playbook()}
        )
    if created and not HoldingStatement.objects.filter(workspace=workspace).exists():
        HoldingStatement.objects.bulk_create(
            HoldingStatement(
                workspace=workspace,
                language=language,
                title=title,
                text=text.format(brand=workspace.name),
            )
            for language, title, text in HOLDING_STATEMENTS
        )
    return playbook


def save_playbook(
    workspace: Workspace, items: list[dict[str, str]], actor: Any
) -> PlaybookTemplate:
    playbook = ensure_defaults(workspace)
    clean = [
        {"section": item["section"], "text": item["text"].strip()[:300]}
        for item in items
        if item.get("section") in Section.values and item.get("text", "").strip()
    ]
    PlaybookTemplate.objects.filter(id=playbook.id).update(items=clean, updated_at=timezone.now())
    record_audit(workspace, actor, audit.PLAYBOOK_SAVED, None)
    playbook.refresh_from_db()
    return playbook


def save_statement(statement: HoldingStatement, actor: Any) -> HoldingStatement:
    statement.updated_at = timezone.now()
    statement.save()
    return statement


def delete_statement(statement: HoldingStatement, actor: Any) -> None:
    statement.delete()


def save_contact(contact: EscalationContact, actor: Any) -> EscalationContact:
    contact.save()
    return contact


def delete_contact(contact: EscalationContact, actor: Any) -> None:
    contact.delete()


def open_crisis_of(workspace: Workspace) -> Crisis | None:
    return Crisis.objects.filter(workspace=workspace, status=Crisis.Status.OPEN).first()


def _event(
    crisis: Crisis, kind: str, text: Any = "", actor: Any = None, **extra: Any
) -> CrisisEvent:
    """``text``: a coded message (worded when the timeline is shown) or what a person wrote."""
    return CrisisEvent.objects.create(
        workspace=crisis.workspace,
        crisis=crisis,
        kind=kind,
        text=text,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=extra.pop("at", None) or timezone.now(),
        **extra,
    )


def alert_window_start(alert: Alert) -> datetime:
    """When what an alert reports began: the hour a spike was observed in, else its first mention's
    publication (still stored), else when it was raised."""
    if alert.period_start is not None:
        return alert.period_start
    first = signals_feed.first_mention_at(alert.workspace, alert.mention_ids)
    return min(first, alert.triggered_at) if first is not None else alert.triggered_at


def default_scope(workspace: Workspace, alert: Alert | None = None) -> list[int]:
    """The queries a new crisis counts: those its alert's rule watches (empty: all the workspace's
    mentions), else the brand's queries."""
    rule = alert.rule if alert is not None else None
    if rule is not None:
        return sorted({int(q) for q in rule.query_ids})
    return signals_feed.brand_query_ids(workspace)


def _check_start(started_at: datetime, now: datetime) -> None:
    if started_at > now:
        raise ServiceError(_("The start of a crisis cannot be in the future."))
    if started_at < now - MAX_SPAN:
        raise ServiceError(
            _("The start of a crisis must be within the last %(days)d days.")
            % {"days": MAX_SPAN.days}
        )


def open_crisis(
    workspace: Workspace,
    actor: Any,
    *,
    title: str = "",
    severity: str = Severity.HIGH,
    alert: Alert | None = None,
    started_at: datetime | None = None,
    query_ids: Sequence[int] | None = None,
) -> Crisis:
    """Open a crisis (by hand, or from ``alert``): hold the outbox, copy the playbook into a checklist,
    and notify the escalation contacts and the team once the transaction commits.

    The crisis covers from ``started_at`` (default: the alert's window, else now) and counts the
    mentions of ``query_ids`` (default: :func:`default_scope`; empty: all mentions)."""
    if alert is not None and alert.workspace_id != workspace.id:
        raise ServiceError(_("This alert belongs to another workspace."))
    now = timezone.now()
    if started_at is None:
        started_at = min(alert_window_start(alert), now) if alert is not None else now
    with translation.override(workspace.language):
        _check_start(started_at, now)
    known = set(signals_feed.query_names(workspace))
    scope = default_scope(workspace, alert) if query_ids is None else list(query_ids)
    scope = sorted({int(q) for q in scope if int(q) in known})
    playbook = ensure_defaults(workspace)
    with translation.override(workspace.language):
        # The crisis's name, which people edit: the alert's title in the workspace's language.
        title = (title or (words(alert.title) if alert else "") or _("Crisis")).strip()[:200]
        try:
            with transaction.atomic():
                crisis = Crisis.objects.create(
                    workspace=workspace,
                    title=title,
                    severity=severity,
                    alert=alert,
                    started_at=started_at,
                    query_ids=scope,
                    opened_at=now,
                    opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise ServiceError(_("A crisis is already open in this workspace.")) from None
        with transaction.atomic():
            _event(crisis, CrisisEvent.Kind.OPENED, title, actor)
            if alert is not None:
                _event(
                    crisis,
                    CrisisEvent.Kind.ALERT,
                    alert.title,
                    None,
                    at=alert.triggered_at,
                    value=alert.value,
                    data={"alert": alert.id, "baseline": alert.baseline, "score": alert.score},
                )
                if alert.status == Alert.Status.NEW:
                    set_alert_status(alert, Alert.Status.ACKNOWLEDGED, actor)
            order = {Section.CALL: 0, Section.PREPARE: 1, Section.VALIDATE: 2}
            items = sorted(
                enumerate(playbook.items),
                key=lambda pair: (order.get(pair[1]["section"], 9), pair[0]),
            )
            CrisisChecklistItem.objects.bulk_create(
                CrisisChecklistItem(
                    workspace=workspace,
                    crisis=crisis,
                    section=item["section"],
                    text=item["text"],
                    position=position,
                )
                for position, (_index, item) in enumerate(items)
            )
            if outbox.pause(workspace, coded("crisis.pause_reason", title=title), actor):
                _event(
                    crisis,
                    CrisisEvent.Kind.OUTBOX,
                    coded("crisis.outbox_paused"),
                    actor,
                )
            record_audit(workspace, actor, audit.CRISIS_OPENED, crisis)
    crisis_id = crisis.id
    _after_commit(lambda: _enqueue_crisis_notice(crisis_id))
    return crisis


def _enqueue_crisis_notice(crisis_id: int) -> None:
    from ambassade.crisis import tasks

    tasks.notify_crisis_opened(crisis_id)


def notify_crisis_opened(crisis_id: int) -> int:
    """E-mail the escalation contacts and notify the team, once (claimed by the timeline event)."""
    crisis = Crisis.objects.select_related("workspace").get(id=crisis_id)
    workspace = crisis.workspace
    with transaction.atomic():
        Crisis.objects.select_for_update().filter(id=crisis.id).first()
        if crisis.events.filter(kind=CrisisEvent.Kind.CONTACTS).exists():
            return 0
        contacts = list(workspace.escalation_contacts.filter(notify=True).exclude(email=""))
        with translation.override(workspace.language):
            names = ", ".join(c.name for c in contacts)
            _event(
                crisis,
                CrisisEvent.Kind.CONTACTS,
                coded("crisis.contacts_notified", names=names)
                if names
                else coded("crisis.contacts_none"),
            )
            url = _absolute(
                reverse(
                    "crisis:crisis",
                    kwargs={"workspace_slug": workspace.slug, "crisis_id": crisis.id},
                )
            )
            Notification.objects.bulk_create(
                Notification(
                    workspace=workspace,
                    user=user,
                    crisis=crisis,
                    severity=crisis.severity,
                    title=coded("crisis.opened", title=crisis.title),
                )
                for user in _recipients(workspace)
            )
    sent = 0
    for contact in contacts:
        # In the contact's language when they use the product, else in the workspace's.
        with translation.override(language_of(contact.email, workspace.language)):
            subject = _("[%(workspace)s] Crisis opened: %(title)s") % {
                "workspace": workspace.name,
                "title": crisis.title,
            }
            body = _(
                "A crisis was opened for %(workspace)s: %(title)s.\n"
                "Severity: %(severity)s. Scheduled posts are held.\n\n%(url)s"
            ) % {
                "workspace": workspace.name,
                "title": crisis.title,
                "severity": Severity(crisis.severity).label,
                "url": url,
            }
        try:
            send_mail(subject, body, None, [contact.email])
            sent += 1
        except OSError:
            log.exception("could not e-mail escalation contact %s", contact.id)

    # The team's channels hear it too (Slack, Teams…), whatever rule they serve.
    def message() -> delivery.Message:  # in the language active where it is sent
        return delivery.Message(
            event="crisis.opened",
            workspace=workspace.slug,
            workspace_name=workspace.name,
            title=_("Crisis opened: %(title)s") % {"title": crisis.title},
            severity=crisis.severity,
            url=url,
            text=_("Scheduled posts are held until a manager resumes the outbox."),
            facts=[(_("Severity"), str(Severity(crisis.severity).label))],
        )

    _send_all(
        Channel.objects.filter(workspace=workspace, enabled=True), message, workspace.language
    )
    return sent


def _check_open(crisis: Crisis) -> None:
    if not crisis.is_open:
        raise ServiceError(_("This crisis is closed."))


def set_item_done(item: CrisisChecklistItem, done: bool, actor: Any) -> CrisisChecklistItem:
    _check_open(item.crisis)
    now = timezone.now()
    if done:
        changed = CrisisChecklistItem.objects.filter(id=item.id, done_at=None).update(
            done_at=now, done_by=actor
        )
    else:
        changed = CrisisChecklistItem.objects.filter(id=item.id, done_at__isnull=False).update(
            done_at=None, done_by=None
        )
    if changed:
        text = coded("crisis.item_done" if done else "crisis.item_reopened", item=item.text)
        _event(
            item.crisis,
            CrisisEvent.Kind.CHECKLIST,
            text,
            actor,
            data={"item": item.id, "done": done},
        )
    item.refresh_from_db()
    return item


def log_action(crisis: Crisis, text: str, actor: Any) -> CrisisEvent:
    _check_open(crisis)
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe the action taken."))
    return _event(crisis, CrisisEvent.Kind.NOTE, text[:2000], actor)


def log_statement(
    crisis: Crisis, statement: HoldingStatement, actor: Any, where: str = ""
) -> CrisisEvent:
    _check_open(crisis)
    if statement.workspace_id != crisis.workspace_id:
        raise ServiceError(_("This statement belongs to another workspace."))
    text = statement.title + (f" — {where.strip()}" if where.strip() else "")
    return _event(
        crisis,
        CrisisEvent.Kind.STATEMENT,
        text,
        actor,
        data={"statement": statement.id, "language": statement.language, "text": statement.text},
    )


def resume_outbox(crisis: Crisis, actor: Any) -> bool:
    resumed = outbox.resume(crisis.workspace, actor)
    if resumed:
        _event(crisis, CrisisEvent.Kind.OUTBOX, coded("crisis.outbox_resumed"), actor)
    return resumed


def reschedule_held_post(crisis: Crisis, post: Any, when: datetime, actor: Any) -> None:
    outbox.reschedule(post, actor, when)
    _event(
        crisis,
        CrisisEvent.Kind.OUTBOX,
        coded("crisis.post_rescheduled", when=when),
        actor,
        data={"post": post.pk},
    )


def unschedule_held_post(crisis: Crisis, post: Any, actor: Any) -> None:
    outbox.unschedule(post, actor)
    _event(
        crisis,
        CrisisEvent.Kind.OUTBOX,
        coded("crisis.post_unscheduled"),
        actor,
        data={"post": post.pk},
    )


class UndoneItems(ServiceError):
    """Closing would leave checklist items undone, and nobody confirmed it."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(
            ngettext(
                "%(count)d checklist item is not done: tick it, or confirm that you close the "
                "crisis anyway.",
                "%(count)d checklist items are not done: tick them, or confirm that you close the "
                "crisis anyway.",
                count,
            )
            % {"count": count}
        )


def close_crisis(
    crisis: Crisis,
    actor: Any,
    *,
    summary: str = "",
    resume: bool = True,
    undone_confirmed: bool = False,
) -> Crisis:
    """Close the crisis, resume the outbox if asked, and freeze the post-mortem report. With
    checklist items not done, closing needs ``undone_confirmed`` (raises :class:`UndoneItems`)."""
    now = timezone.now()
    with transaction.atomic():
        current = Crisis.objects.select_for_update().filter(id=crisis.id).first()
        if current is None or not current.is_open:
            raise ServiceError(_("This crisis is already closed."))
        undone = crisis.checklist.filter(done_at=None).count()
        if undone and not undone_confirmed:
            raise UndoneItems(undone)
        changed = Crisis.objects.filter(id=crisis.id, status=Crisis.Status.OPEN).update(
            status=Crisis.Status.CLOSED,
            closed_at=now,
            closed_by=actor if getattr(actor, "is_authenticated", False) else None,
            summary=summary.strip(),
        )
        if not changed:
            raise ServiceError(_("This crisis is already closed."))
        crisis.refresh_from_db()
        with translation.override(crisis.workspace.language):
            if resume:
                resume_outbox(crisis, actor)
            _event(crisis, CrisisEvent.Kind.CLOSED, crisis.title, actor)
            record_audit(crisis.workspace, actor, audit.CRISIS_CLOSED, crisis)
    crisis.report_html = build_report(crisis)
    Crisis.objects.filter(id=crisis.id).update(report_html=crisis.report_html)
    return crisis
