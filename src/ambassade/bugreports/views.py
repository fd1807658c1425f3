"""Bug report pages: the trackers (settings), reporting from a conversation, its panels, and the
public address each tracker's webhook posts to."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.bugreports import services
from ambassade.bugreports.forms import FORMS, ReportForm, TrackerForm
from ambassade.bugreports.models import BugReport, Tracker
from ambassade.connectors.base import InvalidConfig
from ambassade.inbox.models import Conversation
from ambassade.inbox.permissions import INBOX_MANAGE, INBOX_REPLY, INBOX_VIEW
from ambassade.replies.permissions import REPLIES_SAVED
from ambassade.workspaces.messages import words
from ambassade.workspaces.permissions import (
    can,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

#: The largest webhook delivery read (GitHub's issue events are a few dozen kB).
MAX_DELIVERY = 1024 * 1024

# --- the conversation's panels ------------------------------------------------------------------


def _reports(conversation: Conversation) -> list[BugReport]:
    return list(BugReport.objects.filter(conversation=conversation).select_related("tracker")[:20])


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return None
    reports = _reports(conversation)
    may_report = can(request.user, workspace, INBOX_REPLY)
    has_trackers = Tracker.objects.filter(workspace=workspace).exists()
    if not reports and not may_report:
        return None
    form = None
    if may_report and has_trackers:
        form = ReportForm(workspace=workspace, initial={"title": conversation.subject[:255]})
    return {
        "reports": reports,
        "form": form,
        "may_manage": can(request.user, workspace, INBOX_MANAGE),
        "sending": any(r.state == BugReport.State.SENDING for r in reports),
    }


def prompt_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """Above the composer: the issues closed that the customer was not told of yet."""
    workspace = getattr(request, "workspace", None)
    if workspace is None or not can(request.user, workspace, INBOX_REPLY):
        return None
    closed = [r for r in _reports(conversation) if r.needs_telling]
    if not closed:
        return None
    saved, reply, missing = services.closure_reply(closed[0], request.user)
    return {
        "closed": closed,
        "reply": reply,
        "missing": missing,
        "saved": saved,
        "may_edit": can(request.user, workspace, REPLIES_SAVED),
    }


@workspace_view(INBOX_VIEW)
def reports_panel(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The side panel alone (htmx refreshes it while a report is being sent)."""
    conversation = get_workspace_object_or_404(request, Conversation, pk=conversation_id)
    return render(
        request,
        "bugreports/panel.html",
        {"conversation": conversation, "panel": panel_context(request, conversation)},
    )


@workspace_view(INBOX_REPLY)
@require_POST
def report_create(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_workspace_object_or_404(request, Conversation, pk=conversation_id)
    form = ReportForm(request.POST, workspace=request.workspace)  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            services.report(
                conversation,
                form.cleaned_data["tracker"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                include_quote=form.cleaned_data["include_quote"],
                actor=request.user,
            )
        except services.ReportError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The bug report is on its way to the tracker."))
    else:
        messages.error(
            request,
            _("The bug report was not sent: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return _to_conversation(request, conversation)


@workspace_view(INBOX_REPLY)
@require_POST
def prompt_done(request: HttpRequest, bug_report_id: int) -> HttpResponse:
    found = get_workspace_object_or_404(request, BugReport, pk=bug_report_id)
    services.dismiss_prompt(found, request.user)
    return _to_conversation(request, found.conversation)


def _to_conversation(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    return redirect(
        "inbox:conversation",
        workspace_slug=request.workspace.slug,  # type: ignore[attr-defined]
        conversation_id=conversation.pk,
    )


# --- trackers (settings) ---------------------------------------------------------------------------


def hook_url(tracker: Tracker) -> str:
    return settings.BASE_URL + reverse("bugreports:webhook", kwargs={"hook": tracker.hook_id})


@workspace_view(INBOX_MANAGE)
def trackers(request: HttpRequest) -> HttpResponse:
    found = workspace_queryset(request, Tracker)
    return render(
        request,
        "bugreports/trackers.html",
        {"trackers": found, "kinds": Tracker.Kind.choices},
    )


def _save(request: HttpRequest, form: TrackerForm, tracker: Tracker | None) -> Tracker | None:
    workspace = request.workspace  # type: ignore[attr-defined]
    try:
        if tracker is None:
            return services.connect(
                workspace,
                kind=form.kind,
                name=form.cleaned_data["name"],
                config=form.config(),
                credentials=form.credentials(),
                labels=form.cleaned_data["labels"],
                actor=request.user,
            )
        return services.update(
            tracker,
            name=form.cleaned_data["name"],
            config=form.config(),
            credentials=form.credentials(),
            labels=form.cleaned_data["labels"],
        )
    except InvalidConfig as error:
        field = str(error.params.get("field", ""))
        form.add_error(field if field in form.fields else None, words(error))
    except services.ReportError as error:
        form.add_error(None, str(error))
    return None


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def tracker_create(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    form_class = FORMS.get(kind)
    if form_class is None:
        return redirect("bugreports:trackers", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, None)
        if created is not None:
            messages.success(
                request,
                _("Tracker added. Set its webhook now so that closed issues come back at once."),
            )
            return redirect(
                "bugreports:tracker_edit",
                workspace_slug=request.workspace.slug,  # type: ignore[attr-defined]
                tracker_id=created.pk,
            )
    return render(
        request,
        "bugreports/tracker_edit.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": dict(Tracker.Kind.choices)[kind],
            "tracker": None,
        },
    )


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def tracker_edit(request: HttpRequest, tracker_id: int) -> HttpResponse:
    tracker = get_workspace_object_or_404(request, Tracker, pk=tracker_id)
    form_class = FORMS[tracker.kind]
    initial = {"name": tracker.name, "labels": tracker.labels, **tracker.config}
    form = form_class(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid() and _save(request, form, tracker) is not None:
        messages.success(request, _("Tracker saved."))
        return redirect(
            "bugreports:trackers",
            workspace_slug=request.workspace.slug,  # type: ignore[attr-defined]
        )
    return render(
        request,
        "bugreports/tracker_edit.html",
        {
            "form": form,
            "kind": tracker.kind,
            "kind_label": tracker.get_kind_display(),
            "tracker": tracker,
            "hook_url": hook_url(tracker),
            "hook_secret": services.webhook_secret(tracker),
        },
    )


@workspace_view(INBOX_MANAGE)
@require_POST
def tracker_delete(request: HttpRequest, tracker_id: int) -> HttpResponse:
    tracker = get_workspace_object_or_404(request, Tracker, pk=tracker_id)
    services.remove(tracker)
    messages.success(request, _("Tracker removed; its reports stay on their conversations."))
    return redirect("bugreports:trackers", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]


# --- the trackers' webhooks (public) ------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, hook: UUID) -> HttpResponse:
    """Where a tracker's webhook posts: the delivery must be signed with that tracker's secret
    (GitHub's X-Hub-Signature-256, GitLab's X-Gitlab-Token, Jira's X-Hub-Signature, Ambassade's
    own signature). Answers nothing but a status."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if length > MAX_DELIVERY:
        return HttpResponse(status=413)
    try:
        body = request.body
    except RawPostDataException:  # a form was posted (and read): no tracker sends one
        return HttpResponse(status=400)
    status = services.receive_webhook(hook, request.headers, body)
    return HttpResponse(status=status)
