"""The replies' pages and actions: the composer on the conversation page (an ``inbox.panels``
panel), its live check, notes, approval, and the saved replies. Thin: writes go through
``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.inbox.models import Channel, Conversation
from ambassade.inbox.permissions import INBOX_MANAGE, INBOX_REPLY, INBOX_VIEW
from ambassade.replies import services, tasks
from ambassade.replies.forms import RejectForm, ReplySettingsForm, SavedReplyForm
from ambassade.replies.models import Reply, ReplyStatus, SavedReply
from ambassade.replies.permissions import REPLIES_APPROVE, REPLIES_SAVED
from ambassade.replies.variables import VARIABLES
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.params import parse_id, parse_int
from ambassade.workspaces.permissions import can, get_workspace_object_or_404, workspace_view

DRAFT = "replies-draft-{}"


def _draft_key(conversation_id: int) -> str:
    return DRAFT.format(conversation_id)


def composer(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """The composer panel's context (``inbox.panels``): None for who may not even read."""
    workspace = request.workspace  # type: ignore[attr-defined]
    user = request.user
    private = conversation.channel in Channel.private()
    may_reply = can(user, workspace, INBOX_REPLY)
    answerable = services.can_answer(conversation.network, private)
    accounts = services.reply_accounts(conversation) if answerable else []
    draft = request.session.pop(_draft_key(conversation.pk), "") if may_reply else ""
    checked = services.check(conversation.network, draft, accounts[0] if accounts else None)
    return {
        "may_reply": may_reply,
        "may_approve": can(user, workspace, REPLIES_APPROVE),
        "answerable": answerable and bool(accounts),
        "private": private,
        "accounts": accounts,
        "seen": services.last_sequence(conversation),
        "waiting": services.waiting(conversation),
        "saved": services.saved_replies_for(conversation, user) if may_reply else [],
        "mentionable": [token for token, _user in services.mentionable(workspace)],
        "needs_approval": may_reply and services.needs_approval(workspace, user),
        "draft": draft,
        "check": checked,
        "reject_form": RejectForm(),
    }


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return get_workspace_object_or_404(
        request, Conversation.objects.select_related("workspace"), pk=conversation_id
    )


def _back(request: HttpRequest, conversation: Conversation, anchor: str = "") -> HttpResponse:
    url = reverse("inbox:conversation", args=[conversation.workspace.slug, conversation.pk])
    query = request.POST.get("query", "")
    return redirect(f"{url}?{query}{anchor}" if query else f"{url}{anchor}")


@workspace_view(INBOX_REPLY)
@require_POST
def reply_check(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The composer's live counter and problems (htmx)."""
    conversation = _conversation(request, conversation_id)
    accounts = services.reply_accounts(conversation)
    chosen = parse_id(request.POST.get("account"))
    connection = next((c for c in accounts if c.pk == chosen), accounts[0] if accounts else None)
    checked = services.check(conversation.network, request.POST.get("text", "").strip(), connection)
    return render(request, "replies/check.html", {"check": checked})


@workspace_view(INBOX_REPLY)
@require_POST
def reply_send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    text = request.POST.get("text", "")
    chosen = parse_id(request.POST.get("account"))
    connection = next((c for c in services.reply_accounts(conversation) if c.pk == chosen), None)
    seen = parse_int(request.POST.get("seen"), maximum=1_000_000)
    if seen is None:
        messages.error(request, _("The form was incomplete: reload the page and try again."))
        request.session[_draft_key(conversation.pk)] = text[:20_000]
        return _back(request, conversation)
    try:
        reply = services.submit(
            conversation, text=text, author=request.user, seen=seen, connection=connection
        )
    except services.ReplyError as error:
        messages.error(request, str(error))
        request.session[_draft_key(conversation.pk)] = text[:20_000]
        return _back(request, conversation, "#composer")
    if reply.status == ReplyStatus.SCHEDULED:
        transaction.on_commit(lambda: tasks.send_reply(reply.id))
        messages.success(request, _("Reply on its way."))
    else:
        messages.success(request, _("Reply saved: it is sent once approved."))
    return _back(request, conversation)


def _reply(request: HttpRequest, reply_id: int) -> Reply:
    return get_workspace_object_or_404(
        request, Reply.objects.select_related("conversation__workspace"), pk=reply_id
    )


@workspace_view(REPLIES_APPROVE)
@require_POST
def reply_approve(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply(request, reply_id)
    try:
        services.approve(reply, request.user)
    except services.ReplyError as error:
        messages.error(request, str(error))
    else:
        transaction.on_commit(lambda: tasks.send_reply(reply.id))
        messages.success(request, _("Approved: the reply is on its way."))
    return _back(request, reply.conversation)


@workspace_view(REPLIES_APPROVE)
@require_POST
def reply_reject(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply(request, reply_id)
    form = RejectForm(request.POST)
    try:
        services.reject(reply, request.user, form.data.get("note", "") if form.is_bound else "")
    except services.ReplyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sent back to its author."))
    return _back(request, reply.conversation)


@workspace_view(INBOX_REPLY)
@require_POST
def reply_withdraw(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply(request, reply_id)
    if reply.author_id != request.user.pk and not can(
        request.user,
        request.workspace,  # type: ignore[attr-defined]
        REPLIES_APPROVE,
    ):
        messages.error(request, _("Only its author or an approver can withdraw this reply."))
        return _back(request, reply.conversation)
    try:
        services.withdraw(reply, request.user)
    except services.ReplyError as error:
        messages.error(request, str(error))
    else:
        request.session[_draft_key(reply.conversation_id)] = reply.text
        messages.success(request, _("Withdrawn: its text is back in the composer."))
    return _back(request, reply.conversation)


@workspace_view(INBOX_REPLY)
@require_POST
def reply_retry(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply(request, reply_id)
    try:
        services.retry(reply, request.user)
    except services.ReplyError as error:
        messages.error(request, str(error))
    else:
        transaction.on_commit(lambda: tasks.send_reply(reply.id))
        messages.success(request, _("Sending it again."))
    return _back(request, reply.conversation)


@workspace_view(INBOX_REPLY)
@require_POST
def note_add(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    try:
        note, people = services.add_note(
            conversation, text=request.POST.get("text", ""), author=request.user
        )
    except services.ReplyError as error:
        messages.error(request, str(error))
        return _back(request, conversation, "#composer")
    if people:
        messages.success(
            request,
            _("Note added; %(people)s notified.")
            % {"people": ", ".join(services.person_name(u) for u in people)},
        )
    else:
        messages.success(request, _("Note added."))
    return _back(request, conversation, f"#message-{note.pk}")


# --- saved replies and approval settings -----------------------------------------------------------


@workspace_view(INBOX_VIEW)
def saved_list(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    settings_form = None
    if can(request.user, workspace, INBOX_MANAGE):
        settings_form = ReplySettingsForm(
            instance=services.settings_for(workspace), workspace=workspace
        )
    return render(
        request,
        "replies/saved_list.html",
        {
            "saved": SavedReply.objects.filter(workspace=workspace),
            "may_edit": can(request.user, workspace, REPLIES_SAVED),
            "settings_form": settings_form,
            "variables": VARIABLES,
        },
    )


@workspace_view(INBOX_MANAGE)
@require_POST
def reply_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = ReplySettingsForm(
        request.POST, instance=services.settings_for(workspace), workspace=workspace
    )
    if form.is_valid():
        form.save()
        workspace_services.record_audit(workspace, request.user, "replies.settings.saved", None)
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose among the roles listed."))
    return redirect("replies:saved_list", workspace.slug)


@workspace_view(REPLIES_SAVED)
@require_http_methods(["GET", "POST"])
def saved_edit(request: HttpRequest, saved_reply_id: int | None = None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    instance = (
        get_workspace_object_or_404(request, SavedReply, pk=saved_reply_id)
        if saved_reply_id
        else SavedReply(workspace=workspace, created_by=request.user)
    )
    form = SavedReplyForm(request.POST or None, instance=instance, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        workspace_services.record_audit(workspace, request.user, "replies.saved.saved", saved)
        messages.success(request, _("Saved."))
        return redirect("replies:saved_list", workspace.slug)
    return render(
        request,
        "replies/saved_edit.html",
        {"form": form, "instance": instance, "variables": VARIABLES},
    )


@workspace_view(REPLIES_SAVED)
@require_POST
def saved_delete(request: HttpRequest, saved_reply_id: int) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    instance = get_workspace_object_or_404(request, SavedReply, pk=saved_reply_id)
    workspace_services.record_audit(workspace, request.user, "replies.saved.deleted", instance)
    instance.delete()
    messages.success(request, _("Deleted."))
    return redirect("replies:saved_list", workspace.slug)
