"""Views of the crisis app. Each one validates input, calls one service, renders.

Every view is wrapped in ``@workspace_view(action)`` and reads objects through
``workspace_queryset`` / ``get_workspace_object_or_404``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ambassade.crisis import charts as crisis_charts
from ambassade.crisis import delivery, outbox, services, signals_feed
from ambassade.crisis.forms import (
    ActionForm,
    ChannelForm,
    CloseCrisisForm,
    ContactForm,
    OpenCrisisForm,
    PlaybookForm,
    RescheduleForm,
    RuleForm,
    StatementForm,
)
from ambassade.crisis.models import (
    Alert,
    AlertRule,
    Channel,
    Crisis,
    CrisisChecklistItem,
    EscalationContact,
    HoldingStatement,
    Notification,
    Section,
)
from ambassade.crisis.permissions import (
    ALERTS_MANAGE,
    ALERTS_TRIAGE,
    ALERTS_VIEW,
    CRISIS_MANAGE,
    CRISIS_WORK,
    NOTIFICATIONS_VIEW,
)
from ambassade.workspaces.charts import locale_json
from ambassade.workspaces.documents import DOCUMENT_POLICY
from ambassade.workspaces.messages import words
from ambassade.workspaces.params import parse_id
from ambassade.workspaces.permissions import (
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)
from ambassade.workspaces.redirects import safe_next

PAGE_SIZE = 50


def _slug(request: HttpRequest) -> str:
    return str(request.workspace.slug)  # type: ignore[attr-defined]


def _to(request: HttpRequest, name: str, **kwargs: Any) -> HttpResponse:
    return redirect(reverse(f"crisis:{name}", kwargs={"workspace_slug": _slug(request), **kwargs}))


# --- alerts ------------------------------------------------------------------------------------


@workspace_view(ALERTS_VIEW)
def alerts(request: HttpRequest) -> HttpResponse:
    rows = workspace_queryset(request, Alert).select_related("rule")
    status = request.GET.get("status", "")
    if status in Alert.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crisis/alerts.html",
        {
            "page": page,
            "status": status,
            "statuses": Alert.Status.choices,
            "open_crisis": services.open_crisis_of(request.workspace),  # type: ignore[attr-defined]
        },
    )


@workspace_view(ALERTS_VIEW)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_workspace_object_or_404(request, Alert.objects.select_related("rule"), id=alert_id)
    workspace = request.workspace  # type: ignore[attr-defined]
    mentions = signals_feed.mentions_by_id(workspace, alert.mention_ids)
    found = {m.pk for m in mentions}
    return render(
        request,
        "crisis/alert.html",
        {
            "alert": alert,
            "mentions": [
                {"mention": m, "link": signals_feed.mention_url(workspace, m.pk)} for m in mentions
            ],
            "missing": [i for i in alert.mention_ids if i not in found],
            "severity_reason": services.severity_reason(alert),
            "peak_at": parse_datetime(str((alert.details or {}).get("peak_at") or "")),
            "open_crisis": services.open_crisis_of(workspace),
            "crises": alert.crises.all(),
            "open_form": OpenCrisisForm(
                workspace=workspace,
                scope_ids=services.default_scope(workspace, alert),
                initial={
                    "title": alert.title,
                    "alert": alert.id,
                    "severity": alert.severity,
                    "started_at": services.alert_window_start(alert),
                },
            ),
        },
    )


@workspace_view(ALERTS_TRIAGE)
@require_POST
def alert_status(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_workspace_object_or_404(request, Alert, id=alert_id)
    status = request.POST.get("status", "")
    if status in Alert.Status.values:
        services.set_alert_status(alert, status, request.user)
    return _to(request, "alert", alert_id=alert.id)


# --- rules -------------------------------------------------------------------------------------


@workspace_view(ALERTS_VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    rows = list(workspace_queryset(request, AlertRule).prefetch_related("channels"))
    names = signals_feed.query_names(request.workspace)  # type: ignore[attr-defined]
    for rule in rows:
        rule.scope_text = (  # type: ignore[attr-defined]
            services.queries_text(names, rule.query_ids)
            if rule.query_ids
            else _("all mentions, competitors included")
        )
    return render(request, "crisis/rules.html", {"rules": rows})


@workspace_view(ALERTS_MANAGE)
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    rule = (
        get_workspace_object_or_404(request, AlertRule, id=rule_id)
        if rule_id
        else AlertRule(workspace=workspace)
    )
    form = RuleForm(request.POST or None, instance=rule, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.workspace = workspace
        services.save_rule(rule, request.user, form.cleaned_data["channels"])
        messages.success(request, _("The alert rule is saved."))
        return _to(request, "rules")
    return render(request, "crisis/rule_form.html", {"form": form, "rule": rule})


@workspace_view(ALERTS_MANAGE)
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_workspace_object_or_404(request, AlertRule, id=rule_id)
    services.delete_rule(rule, request.user)
    messages.success(request, _("The alert rule is deleted; its alerts stay in the history."))
    return _to(request, "rules")


# --- channels ----------------------------------------------------------------------------------


@workspace_view(ALERTS_MANAGE)
def channels(request: HttpRequest) -> HttpResponse:
    return render(
        request, "crisis/channels.html", {"channels": workspace_queryset(request, Channel)}
    )


@workspace_view(ALERTS_MANAGE)
@sensitive_post_parameters("url", "secret")
def channel_edit(request: HttpRequest, channel_id: int | None = None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    channel = (
        get_workspace_object_or_404(request, Channel, id=channel_id)
        if channel_id
        else Channel(workspace=workspace)
    )
    form = ChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        channel = form.save(commit=False)
        channel.workspace = workspace
        secret = form.cleaned_data["secret"] or None
        services.save_channel(channel, request.user, url=form.cleaned_data["url"], secret=secret)
        messages.success(request, _("The channel is saved."))
        return _to(request, "channels")
    return render(request, "crisis/channel_form.html", {"form": form, "channel": channel})


@workspace_view(ALERTS_MANAGE)
@require_POST
def channel_delete(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_workspace_object_or_404(request, Channel, id=channel_id)
    services.delete_channel(channel, request.user)
    messages.success(request, _("The channel is deleted."))
    return _to(request, "channels")


@workspace_view(ALERTS_MANAGE)
@require_POST
def channel_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_workspace_object_or_404(request, Channel, id=channel_id)
    try:
        services.send_test(channel)
    except delivery.DeliveryError as exc:
        messages.error(
            request, _("The test message failed: %(error)s") % {"error": words(exc.stored)}
        )
    else:
        messages.success(
            request, _("A test message was sent to %(channel)s.") % {"channel": channel.name}
        )
    return _to(request, "channels")


# --- notifications -----------------------------------------------------------------------------


@workspace_view(NOTIFICATIONS_VIEW)
def notifications(request: HttpRequest) -> HttpResponse:
    rows = workspace_queryset(request, Notification).filter(user=request.user)
    page = Paginator(rows.select_related("alert", "crisis"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "crisis/notifications.html", {"page": page})


@workspace_view(NOTIFICATIONS_VIEW)
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark a notification read (POST) and go to what it is about."""
    notification = get_workspace_object_or_404(
        request, Notification.objects.filter(user=request.user), id=notification_id
    )
    if request.method != "POST":
        return _to(request, "notifications")
    services.mark_read(request.user, request.workspace, [notification.id])  # type: ignore[attr-defined]
    if notification.crisis_id:
        return _to(request, "crisis", crisis_id=notification.crisis_id)
    if notification.alert_id:
        return _to(request, "alert", alert_id=notification.alert_id)
    if notification.link.startswith(f"/w/{_slug(request)}/"):
        return redirect(notification.link)
    return _to(request, "alerts")  # a digest


@workspace_view(NOTIFICATIONS_VIEW)
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user, request.workspace)  # type: ignore[attr-defined]
    back = safe_next(request, "")
    return HttpResponseRedirect(back) if back else _to(request, "notifications")


# --- crisis mode -------------------------------------------------------------------------------


@workspace_view(ALERTS_VIEW)
def crises(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    current = services.open_crisis_of(workspace)
    if current is not None:
        return _to(request, "crisis", crisis_id=current.id)
    return render(
        request,
        "crisis/crises.html",
        {
            "past": workspace_queryset(request, Crisis).select_related("opened_by"),
            "open_form": OpenCrisisForm(
                workspace=workspace, scope_ids=services.default_scope(workspace)
            ),
        },
    )


@workspace_view(CRISIS_MANAGE)
@require_POST
def crisis_open(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = OpenCrisisForm(request.POST, workspace=workspace)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}"
            if name in form.fields
            else " ".join(errors)
            for name, errors in form.errors.items()
        )
        messages.error(
            request,
            _("The crisis could not be opened: %(problems)s") % {"problems": problems},
        )
        if form.cleaned_data.get("alert"):
            return _to(request, "alert", alert_id=form.cleaned_data["alert"])
        return _to(request, "crises")
    alert = None
    if form.cleaned_data["alert"]:
        alert = get_workspace_object_or_404(request, Alert, id=form.cleaned_data["alert"])
    try:
        crisis = services.open_crisis(
            workspace,
            request.user,
            title=form.cleaned_data["title"],
            severity=form.cleaned_data["severity"],
            alert=alert,
            started_at=form.cleaned_data["started_at"],
            query_ids=form.scope_ids(),
        )
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return _to(request, "alert", alert_id=alert.id) if alert else _to(request, "crises")
    messages.warning(request, _("Crisis mode is on: the outbox is paused."))
    return _to(request, "crisis", crisis_id=crisis.id)


def _crisis_context(request: HttpRequest, crisis: Crisis) -> dict[str, Any]:
    workspace = request.workspace  # type: ignore[attr-defined]
    items = list(crisis.checklist.select_related("done_by"))
    sections = [
        (value, label, [item for item in items if item.section == value])
        for value, label in Section.choices
    ]
    statements = list(workspace_queryset(request, HoldingStatement))
    done = sum(1 for item in items if item.done_at)
    figures = services.crisis_figures(crisis)
    return {
        "crisis": crisis,
        "sections": sections,
        "done_count": done,
        "item_count": len(items),
        "figures": figures,
        "spec": crisis_charts.hourly_spec_json(figures),
        "chart_locale": locale_json(),
        "duration": services.duration_text(crisis.started_at, crisis.ended_at),
        "scope": services.scope_text(crisis),
        "statements_fr": [s for s in statements if s.language == "fr"],
        "statements_en": [s for s in statements if s.language == "en"],
        "timeline": crisis.events.exclude(kind__in=["volume", "negativity"])
        .select_related("actor")
        .order_by("-at", "-id"),
        "contacts": workspace_queryset(request, EscalationContact),
        "held_posts": outbox.held_posts(workspace) if crisis.is_open else [],
        "outbox_held": outbox.is_held(workspace),
        "action_form": ActionForm(),
        "close_form": CloseCrisisForm(initial={"resume": True}, undone=len(items) - done),
        "reschedule_form": RescheduleForm(),
    }


@workspace_view(ALERTS_VIEW)
def crisis_detail(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = get_workspace_object_or_404(
        request, Crisis.objects.select_related("alert"), id=crisis_id
    )
    return render(request, "crisis/crisis.html", _crisis_context(request, crisis))


@workspace_view(CRISIS_WORK)
@require_POST
def crisis_item(request: HttpRequest, crisis_id: int, item_id: int) -> HttpResponse:
    """Tick or untick a checklist item; answers the item's row to htmx, else goes back."""
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    item = get_workspace_object_or_404(
        request, CrisisChecklistItem.objects.filter(crisis=crisis), id=item_id
    )
    try:
        item = services.set_item_done(item, request.POST.get("done") == "1", request.user)
    except services.ServiceError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(str(exc), status=409)
        messages.error(request, str(exc))
    if request.headers.get("HX-Request"):
        return render(
            request, "crisis/includes/checklist_item.html", {"item": item, "crisis": crisis}
        )
    return _to(request, "crisis", crisis_id=crisis.id)


@workspace_view(CRISIS_WORK)
@require_POST
def crisis_action(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.log_action(crisis, form.cleaned_data["text"], request.user)
        except services.ServiceError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Describe the action taken."))
    return _to(request, "crisis", crisis_id=crisis.id)


@workspace_view(CRISIS_WORK)
@require_POST
def crisis_statement(request: HttpRequest, crisis_id: int, statement_id: int) -> HttpResponse:
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    statement = get_workspace_object_or_404(request, HoldingStatement, id=statement_id)
    try:
        services.log_statement(crisis, statement, request.user, request.POST.get("where", ""))
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The statement is on the timeline."))
    return _to(request, "crisis", crisis_id=crisis.id)


@workspace_view(CRISIS_MANAGE)
@require_POST
def crisis_outbox(request: HttpRequest, crisis_id: int) -> HttpResponse:
    """Resume the outbox, or reschedule / take back to draft one held post."""
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    workspace = request.workspace  # type: ignore[attr-defined]
    action = request.POST.get("action")
    if action == "resume":
        services.resume_outbox(crisis, request.user)
        messages.success(request, _("The outbox is running again."))
        return _to(request, "crisis", crisis_id=crisis.id)
    post_id = parse_id(request.POST.get("post"))
    if post_id is None:
        raise Http404("No such post.")
    post = outbox.held_post(workspace, post_id)
    if post is None:
        raise Http404("No such held post.")
    if action == "reschedule":
        form = RescheduleForm(request.POST)
        if form.is_valid() and form.cleaned_data["when"] > timezone.now():
            services.reschedule_held_post(crisis, post, form.cleaned_data["when"], request.user)
            messages.success(
                request, _("The post is rescheduled; it stays held until the outbox resumes.")
            )
        else:
            messages.error(request, _("Choose a time in the future."))
    elif action == "unschedule":
        services.unschedule_held_post(crisis, post, request.user)
        messages.success(request, _("The post is back to draft."))
    return _to(request, "crisis", crisis_id=crisis.id)


@workspace_view(CRISIS_MANAGE)
@require_POST
def crisis_close(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    form = CloseCrisisForm(request.POST)
    form.is_valid()
    try:
        services.close_crisis(
            crisis,
            request.user,
            summary=form.cleaned_data.get("summary", ""),
            resume=bool(form.cleaned_data.get("resume")),
            undone_confirmed=request.POST.get("undone_confirmed") == "on",
        )
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The crisis is closed; its report is ready."))
    return _to(request, "crisis", crisis_id=crisis.id)


def _report_name(crisis: Crisis, extension: str) -> str:
    return f"crisis-{crisis.opened_at:%Y-%m-%d}-{crisis.id}.{extension}"


@workspace_view(ALERTS_VIEW)
def crisis_report(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    # Frozen at closing in the workspace's language; until then drawn for the reader.
    html = crisis.report_html or services.build_report(crisis, translation.get_language())
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = DOCUMENT_POLICY  # its own <style>, no script
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{_report_name(crisis, "html")}"'
    return response


@workspace_view(ALERTS_VIEW)
def crisis_report_pdf(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = get_workspace_object_or_404(request, Crisis, id=crisis_id)
    response = HttpResponse(
        services.report_pdf(crisis, translation.get_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_report_name(crisis, "pdf")}"'
    return response


# --- playbook ----------------------------------------------------------------------------------


@workspace_view(CRISIS_MANAGE)
def playbook(request: HttpRequest) -> HttpResponse:
    """The checklist template (edited here), the holding statements and the escalation contacts."""
    workspace = request.workspace  # type: ignore[attr-defined]
    template = services.ensure_defaults(workspace)
    form = (
        PlaybookForm(request.POST)
        if request.method == "POST"
        else PlaybookForm.for_playbook(template)
    )
    if request.method == "POST" and form.is_valid():
        services.save_playbook(workspace, form.items(), request.user)
        messages.success(request, _("The playbook is saved; it applies to the next crisis."))
        return _to(request, "playbook")
    return render(
        request,
        "crisis/playbook.html",
        {
            "form": form,
            "playbook": template,
            "statements": workspace_queryset(request, HoldingStatement),
            "contacts": workspace_queryset(request, EscalationContact),
        },
    )


@workspace_view(CRISIS_MANAGE)
def statement_edit(request: HttpRequest, statement_id: int | None = None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    statement = (
        get_workspace_object_or_404(request, HoldingStatement, id=statement_id)
        if statement_id
        else HoldingStatement(workspace=workspace)
    )
    form = StatementForm(request.POST or None, instance=statement)
    if request.method == "POST" and form.is_valid():
        services.save_statement(form.save(commit=False), request.user)
        messages.success(request, _("The holding statement is saved."))
        return _to(request, "playbook")
    return render(request, "crisis/statement_form.html", {"form": form, "statement": statement})


@workspace_view(CRISIS_MANAGE)
@require_POST
def statement_delete(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = get_workspace_object_or_404(request, HoldingStatement, id=statement_id)
    services.delete_statement(statement, request.user)
    messages.success(request, _("The holding statement is deleted."))
    return _to(request, "playbook")


@workspace_view(CRISIS_MANAGE)
def contact_edit(request: HttpRequest, contact_id: int | None = None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    contact = (
        get_workspace_object_or_404(request, EscalationContact, id=contact_id)
        if contact_id
        else EscalationContact(workspace=workspace)
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.save_contact(form.save(commit=False), request.user)
        messages.success(request, _("The contact is saved."))
        return _to(request, "playbook")
    return render(request, "crisis/contact_form.html", {"form": form, "contact": contact})


@workspace_view(CRISIS_MANAGE)
@require_POST
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = get_workspace_object_or_404(request, EscalationContact, id=contact_id)
    services.delete_contact(contact, request.user)
    messages.success(request, _("The contact is deleted."))
    return _to(request, "playbook")
