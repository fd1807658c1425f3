"""Inbox pages. Thin: they read through ``workspace_queryset`` and ``listing``, write through
``services`` and ``routing``."""

from __future__ import annotations

from itertools import chain
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.inbox import listing, panels, routing, services, triage
from ambassade.inbox.forms import (
    AssignForm,
    LabelChoiceForm,
    LabelForm,
    RuleForm,
    SavedViewForm,
    SettingsForm,
    SnoozeForm,
    TeamForm,
)
from ambassade.inbox.messages import event_words
from ambassade.inbox.models import (
    Conversation,
    Intent,
    Label,
    MessageFeed,
    Presence,
    RoutingRule,
    SavedView,
    Status,
    Team,
)
from ambassade.inbox.permissions import (
    INBOX_ASSIGN,
    INBOX_MANAGE,
    INBOX_TRIAGE,
    INBOX_VIEW,
)
from ambassade.listening.models import Mention
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.params import parse_id, parse_ids
from ambassade.workspaces.permissions import (
    can,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)
from ambassade.workspaces.redirects import safe_next

# --- the list -------------------------------------------------------------------------------------


def _list_context(request: HttpRequest, current: Conversation | None = None) -> dict[str, Any]:
    workspace = request.workspace  # type: ignore[attr-defined]
    base = workspace_queryset(request, Conversation)
    filters = listing.parse_filters(request.GET)
    page = listing.list_conversations(
        base, filters, request.user, after=request.GET.get("after", "")
    )
    ids = [c.pk for c in page.conversations]
    viewing: dict[int, list[Presence]] = {}
    since = timezone.now() - services.PRESENCE_TTL
    for presence in (
        Presence.objects.filter(conversation_id__in=ids, seen_at__gte=since)
        .exclude(user=request.user)
        .select_related("user")
    ):
        viewing.setdefault(presence.conversation_id, []).append(presence)
    now = timezone.now()
    query = filters.as_query()
    if filters.view and filters.view != "open":
        query["view"] = filters.view
    # One reverse() for the page, not one per row (the rows are most of the page's rendering).
    link = reverse("inbox:conversation", args=[workspace.slug, 0]).rsplit("0/", 1)[0]
    tail = "/?" + urlencode(query) if query else "/"
    rows = [
        {
            "conversation": c,
            "url": f"{link}{c.pk}{tail}",
            "labels": list(c.labels.all()),
            "explain": triage.explain(c, now),
            "level": triage.level(c.priority),
            "viewing": viewing.get(c.pk, []),
            "breaching": c.due_at is not None and c.due_at < now and c.status != Status.RESOLVED,
        }
        for c in page.conversations
    ]
    more = ""
    if page.next_cursor:
        more = "?" + urlencode({**query, "after": page.next_cursor})
    return {
        "filters": filters,
        "rows": rows,
        "next_url": more,
        "query": urlencode(query),
        "counts": listing.view_counts(base, request.user),
        "views": [(key, label) for key, label in ((k, v[0]) for k, v in listing.VIEWS.items())],
        "saved_views": SavedView.objects.filter(workspace=workspace)
        .filter(Q(owner__isnull=True) | Q(owner=request.user))
        .order_by("position", "name"),
        "networks": listing.networks_of(workspace.pk),
        "labels": Label.objects.filter(workspace=workspace),
        "teams": Team.objects.filter(workspace=workspace),
        "intents": Intent.choices,
        "statuses": Status.choices,
        "sorts": list(listing.SORTS.items()),
        "assignable": services.assignable_users(workspace),
        "available": services.is_available(workspace, request.user),
        "current": current,
        "network_label": network_label,
    }


@workspace_view(INBOX_VIEW)
def conversation_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    if request.headers.get("HX-Request") and request.GET.get("after"):
        return render(request, "inbox/includes/rows.html", context)
    return render(request, "inbox/list.html", context)


# --- a conversation -------------------------------------------------------------------------------


def _thread(conversation: Conversation) -> list[dict[str, Any]]:
    """Messages and events in time order (messages with their mention in one query)."""
    items = [
        {"kind": "message", "at": m.created_at, "message": m}
        for m in conversation.messages.select_related("mention", "sender").prefetch_related(
            "mention__revisions"
        )
    ]
    events = [
        {"kind": "event", "at": e.created_at, "event": e, "words": event_words(e)}
        for e in conversation.events.select_related("actor")
    ]
    return sorted(chain(items, events), key=lambda item: item["at"])


@workspace_view(INBOX_VIEW)
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_workspace_object_or_404(
        request,
        Conversation.objects.select_related("assignee", "team", "connection"),
        pk=conversation_id,
    )
    workspace = request.workspace  # type: ignore[attr-defined]
    services.touch_presence(conversation, request.user)
    if conversation.status == Status.NEW and can(request.user, workspace, INBOX_TRIAGE):
        # Opened by someone who can act on it: no longer new.
        Conversation.objects.filter(pk=conversation.pk, status=Status.NEW).update(
            status=Status.OPEN
        )
        conversation.status = Status.OPEN
    thread = _thread(conversation)
    earlier = (
        workspace_queryset(request, Conversation)
        .filter(network=conversation.network, contact_handle=conversation.contact_handle)
        .exclude(pk=conversation.pk)
        .order_by("-last_message_at")[:5]
        if conversation.contact_handle
        else []
    )
    context = {
        **(_list_context(request, conversation) if not request.headers.get("HX-Request") else {}),
        "conversation": conversation,
        "thread": thread,
        "explain": triage.explain(conversation),
        "level": triage.level(conversation.priority),
        "earlier": earlier,
        "others": services.present(conversation, request.user),
        "assign_form": AssignForm(
            workspace=workspace,
            initial={"user": conversation.assignee_id, "team": conversation.team_id},
        ),
        "snooze_form": SnoozeForm(),
        "conversation_labels": list(conversation.labels.all()),
        "all_labels": Label.objects.filter(workspace=workspace),
        "statuses": Status.choices,
        "panels": panels.for_conversation(request, conversation),
        "network_label": network_label,
        "breaching": conversation.due_at is not None
        and conversation.due_at < timezone.now()
        and conversation.status != Status.RESOLVED,
        "back": _back(request),
        "reply_link": next(
            (
                item["message"].link
                for item in reversed(thread)
                if item["kind"] == "message"
                and item["message"].direction == "inbound"
                and item["message"].link
            ),
            "",
        ),
    }
    template = (
        "inbox/includes/conversation.html"
        if request.headers.get("HX-Request")
        else "inbox/conversation.html"
    )
    return render(request, template, context)


def _back(request: HttpRequest) -> str:
    """The list with the filters the person came from (kept in the query string)."""
    query = request.GET.copy()
    query.pop("after", None)
    url = reverse("inbox:list", args=[request.workspace.slug])  # type: ignore[attr-defined]
    return f"{url}?{query.urlencode()}" if query else url


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return get_workspace_object_or_404(request, Conversation, pk=conversation_id)


def _to_conversation(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    url = reverse("inbox:conversation", args=[request.workspace.slug, conversation.pk])  # type: ignore[attr-defined]
    target = safe_next(request, "")
    if target:
        return HttpResponseRedirect(target)
    query = request.POST.get("query", "")
    return redirect(f"{url}?{query}" if query else url)


@workspace_view(INBOX_TRIAGE)
@require_POST
def conversation_status(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    status = request.POST.get("status", "")
    try:
        if status == Status.SNOOZED:
            form = SnoozeForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request,
                    _("Give the date and time to snooze until (ISO, e.g. 2026-12-01T09:00)."),
                )
                return _to_conversation(request, conversation)
            services.snooze(conversation, form.cleaned_data["until"], request.user)
        else:
            services.set_status(conversation, status, request.user)
    except services.ActionError as error:
        messages.error(request, str(error))
    return _to_conversation(request, conversation)


@workspace_view(INBOX_ASSIGN)
@require_POST
def conversation_assign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    form = AssignForm(request.POST, workspace=request.workspace)  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, _("Choose a person who may answer, or a team of this workspace."))
        return _to_conversation(request, conversation)
    try:
        services.assign(
            conversation,
            user=form.cleaned_data["user"],
            team=form.cleaned_data["team"],
            actor=request.user,
        )
    except services.ActionError as error:
        messages.error(request, str(error))
    return _to_conversation(request, conversation)


@workspace_view(INBOX_TRIAGE)
@require_POST
def conversation_take(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    try:
        services.take(conversation, request.user)
    except services.ActionError as error:
        messages.error(request, str(error))
    return _to_conversation(request, conversation)


@workspace_view(INBOX_TRIAGE)
@require_POST
def conversation_labels(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    form = LabelChoiceForm(request.POST, workspace=request.workspace)  # type: ignore[attr-defined]
    if form.is_valid():
        label = form.cleaned_data["label"]
        if form.cleaned_data["remove"]:
            services.remove_label(conversation, label, request.user)
        else:
            services.add_label(conversation, label, request.user)
    else:
        messages.error(request, _("Choose one of the workspace's labels."))
    return _to_conversation(request, conversation)


@workspace_view(INBOX_VIEW)
@require_POST
def conversation_presence(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Polled by the open conversation every 5 seconds: "I am here (and writing)"; answers who else
    is."""
    conversation = _conversation(request, conversation_id)
    services.touch_presence(
        conversation, request.user, replying=request.POST.get("replying") == "1"
    )
    return render(
        request,
        "inbox/includes/presence.html",
        {"others": services.present(conversation, request.user), "conversation": conversation},
    )


# --- bulk, availability, saved views --------------------------------------------------------------


@workspace_view(INBOX_TRIAGE)
@require_POST
def conversation_bulk(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    action = request.POST.get("action", "")
    ids = parse_ids(request.POST.getlist("ids"), limit=500)
    back = reverse("inbox:list", args=[workspace.slug])
    query = request.POST.get("query", "")
    back = f"{back}?{query}" if query else back
    if not ids:
        messages.error(request, _("Select conversations first."))
        return redirect(back)
    if action in ("assign", "unassign") and not can(request.user, workspace, INBOX_ASSIGN):
        messages.error(request, _("Your role cannot assign conversations to others."))
        return redirect(back)
    user = label = None
    if action == "assign":
        user = next(
            (
                u
                for u in services.assignable_users(workspace)
                if str(u.pk) == request.POST.get("user")
            ),
            None,
        )
        if user is None:
            messages.error(request, _("Choose a person who may answer."))
            return redirect(back)
    if action == "label":
        label_id = parse_id(request.POST.get("label"))
        label = Label.objects.filter(workspace=workspace, pk=label_id).first() if label_id else None
        if label is None:
            messages.error(request, _("Choose one of the workspace's labels."))
            return redirect(back)
    try:
        result = services.bulk(
            workspace_queryset(request, Conversation).filter(pk__in=ids),
            action,
            request.user,
            user=user,
            label=label,
        )
    except services.ActionError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        _("%(count)s conversations changed.") % {"count": result.changed},
    )
    return redirect(back)


@workspace_view(INBOX_VIEW)
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    available = request.POST.get("available") == "1"
    services.set_available(workspace, request.user, available)
    if available:
        messages.success(request, _("You are available: new conversations can be assigned to you."))
    else:
        messages.success(
            request, _("You are away: no conversation will be assigned to you automatically.")
        )
    return redirect(_safe_back(request))


def _safe_back(request: HttpRequest) -> str:
    return safe_next(request, reverse("inbox:list", args=[request.workspace.slug]))  # type: ignore[attr-defined]


@workspace_view(INBOX_TRIAGE)
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect(_safe_back(request))
    # Only the known filters are kept, through the parser: nothing else reaches the stored string.
    filters = listing.parse_filters(QueryDict(form.cleaned_data["filters"]))
    shared = form.cleaned_data["shared"] and can(request.user, workspace, INBOX_MANAGE)
    view = SavedView.objects.create(
        workspace=workspace,
        owner=None if shared else request.user,
        name=form.cleaned_data["name"],
        filters=urlencode(filters.as_query()),
    )
    url = reverse("inbox:list", args=[workspace.slug])
    return redirect(
        f"{url}?{view.filters}&saved={view.pk}" if view.filters else f"{url}?saved={view.pk}"
    )


@workspace_view(INBOX_TRIAGE)
@require_POST
def saved_view_delete(request: HttpRequest, saved_view_id: int) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    view = get_workspace_object_or_404(request, SavedView, pk=saved_view_id)
    if view.owner_id is None and not can(request.user, workspace, INBOX_MANAGE):
        messages.error(request, _("Only managers can delete a shared view."))
    elif view.owner_id not in (None, request.user.pk):
        messages.error(request, _("This view is someone else's."))
    else:
        view.delete()
    return redirect("inbox:list", workspace.slug)


@workspace_view(INBOX_TRIAGE)
@require_POST
def send_mention(request: HttpRequest, mention_id: int) -> HttpResponse:
    mention = get_workspace_object_or_404(request, Mention, pk=mention_id)
    conversation = routing.send_to_inbox(mention, request.user)
    return redirect("inbox:conversation", request.workspace.slug, conversation.pk)  # type: ignore[attr-defined]


# --- settings -------------------------------------------------------------------------------------


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def inbox_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    config = services.settings_for(workspace)
    form = SettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        form.save()
        workspace_services.record_audit(workspace, request.user, "inbox.settings.saved", config)
        messages.success(request, _("Inbox settings saved."))
        return redirect("inbox:settings", workspace.slug)
    return render(
        request,
        "inbox/settings.html",
        {
            "form": form,
            "teams": Team.objects.filter(workspace=workspace).prefetch_related("members"),
            "labels": Label.objects.filter(workspace=workspace),
            "rules": RoutingRule.objects.filter(workspace=workspace).select_related(
                "query", "team", "label"
            ),
            "assignable": services.assignable_users(workspace),
            "feeds": MessageFeed.objects.filter(workspace=workspace).select_related("connection"),
        },
    )


def _edit(
    request: HttpRequest,
    model: type,
    form_class: type,
    object_id: int | None,
    audit: str,
    title: str,
) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    instance = (
        get_workspace_object_or_404(request, model, pk=object_id)
        if object_id
        else model(workspace=workspace)
    )
    form = form_class(request.POST or None, instance=instance, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        workspace_services.record_audit(workspace, request.user, audit, saved)
        messages.success(request, _("Saved."))
        return redirect("inbox:settings", workspace.slug)
    return render(request, "inbox/edit.html", {"form": form, "title": title, "instance": instance})


def _delete(request: HttpRequest, model: type, object_id: int, audit: str) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    instance = get_workspace_object_or_404(request, model, pk=object_id)
    workspace_services.record_audit(workspace, request.user, audit, instance)
    instance.delete()
    messages.success(request, _("Deleted."))
    return redirect("inbox:settings", workspace.slug)


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    return _edit(request, Team, TeamForm, team_id, "inbox.team.saved", _("Team"))


@workspace_view(INBOX_MANAGE)
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    return _delete(request, Team, team_id, "inbox.team.deleted")


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def label_edit(request: HttpRequest, label_id: int | None = None) -> HttpResponse:
    return _edit(request, Label, LabelForm, label_id, "inbox.label.saved", _("Label"))


@workspace_view(INBOX_MANAGE)
@require_POST
def label_delete(request: HttpRequest, label_id: int) -> HttpResponse:
    return _delete(request, Label, label_id, "inbox.label.deleted")


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, routing_rule_id: int | None = None) -> HttpResponse:
    return _edit(
        request, RoutingRule, RuleForm, routing_rule_id, "inbox.rule.saved", _("Routing rule")
    )


@workspace_view(INBOX_MANAGE)
@require_POST
def rule_delete(request: HttpRequest, routing_rule_id: int) -> HttpResponse:
    return _delete(request, RoutingRule, routing_rule_id, "inbox.rule.deleted")
