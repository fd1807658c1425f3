"""The public survey page (one click, no account), the results page and the conversation's panel."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.inbox.models import Conversation, Status
from ambassade.inbox.permissions import INBOX_MANAGE, INBOX_REPLY, INBOX_VIEW
from ambassade.satisfaction import services
from ambassade.satisfaction.forms import ResultsForm, ScoreForm, SettingsForm
from ambassade.satisfaction.models import CHANGE_WINDOW, Survey
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.permissions import (
    can,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

# --- the public page -------------------------------------------------------------------------------


def _public(response: HttpResponse, lang: str) -> HttpResponse:
    # The address is the key: never cached, never indexed, never sent to another site as a
    # referrer. (Same-origin, not no-referrer: with no-referrer browsers post the score with
    # "Origin: null", which the CSRF check refuses.)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Content-Language"] = lang
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, survey_token: str) -> HttpResponse:
    """What the person sees: the question in their conversation's language, five buttons, then a
    thank-you with an optional comment. It shows the brand's name and nothing else of the
    workspace."""
    survey = services.survey_for_token(survey_token)
    if survey is None:
        raise Http404("no such survey")
    with translation.override(survey.lang):
        context: dict[str, Any] = {
            "survey": survey,
            "brand": survey.workspace.name,
            "lang": survey.lang,
            "scores": range(1, 6),
            "error": "",
        }
        if request.method == "POST":
            form = ScoreForm(request.POST)
            if form.is_valid():
                try:
                    services.answer(
                        survey,
                        score=form.cleaned_data["score"],
                        comment=form.cleaned_data["comment"] if "comment" in request.POST else None,
                    )
                except services.SurveyError as error:
                    context["error"] = str(error)
                else:
                    return redirect(request.path + "?thanks=1")
            else:
                context["error"] = _("Choose a score from 1 to 5.")
        survey.refresh_from_db()
        context.update(
            {
                "expired": survey.expired() and survey.answered_at is None,
                "locked": not survey.can_change(),
                "thanks": request.GET.get("thanks") == "1" and survey.score is not None,
                "change_days": CHANGE_WINDOW.days,
            }
        )
        response = render(request, "satisfaction/survey.html", context)
        return _public(response, survey.lang)


# --- the conversation's panel ----------------------------------------------------------------------


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return None
    survey = Survey.objects.filter(conversation=conversation).first()
    may_ask = can(request.user, workspace, INBOX_REPLY)
    if survey is None and not (may_ask and conversation.status == Status.RESOLVED):
        return None
    return {"survey": survey, "may_ask": may_ask}


@workspace_view(INBOX_REPLY)
@require_POST
def ask_now(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Ask a resolved conversation for its satisfaction by hand (once)."""
    conversation = get_workspace_object_or_404(request, Conversation, pk=conversation_id)
    if conversation.status != Status.RESOLVED:
        messages.error(request, _("Only a resolved conversation is asked for its satisfaction."))
    elif services.ask(conversation) is None:
        messages.info(request, _("This conversation was asked already."))
    return _to_conversation(request, conversation)


@workspace_view(INBOX_REPLY)
@require_POST
def prepare(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The question of a survey not sent yet, to insert into a reply by hand."""
    # The conversation first: its id is checked against the database's range (a foreign key's
    # lookup is not, and 30 digits would overflow it).
    conversation = get_workspace_object_or_404(request, Conversation, pk=conversation_id)
    survey = get_workspace_object_or_404(
        request, Survey.objects.select_related("conversation"), conversation=conversation
    )
    try:
        text = services.prepare_question(survey)
    except services.SurveyError as error:
        return HttpResponse(str(error), status=409)
    return render(request, "satisfaction/prepared.html", {"survey": survey, "question": text})


@workspace_view(INBOX_REPLY)
@require_POST
def mark_sent(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_workspace_object_or_404(request, Conversation, pk=conversation_id)
    survey = get_workspace_object_or_404(request, Survey, conversation=conversation)
    services.mark_sent(survey, actor=request.user)
    return _to_conversation(request, survey.conversation)


def _to_conversation(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    return redirect(
        "inbox:conversation",
        workspace_slug=request.workspace.slug,  # type: ignore[attr-defined]
        conversation_id=conversation.pk,
    )


# --- results -----------------------------------------------------------------------------------


def _bounds(form: ResultsForm) -> tuple[datetime | None, datetime | None]:
    data = form.cleaned_data if form.is_valid() else {}
    tz = timezone.get_current_timezone()
    start = data.get("start")
    end = data.get("end")
    return (
        datetime.combine(start, time.min, tz) if start else None,
        datetime.combine(end + timedelta(days=1), time.min, tz) if end else None,
    )


@workspace_view(INBOX_VIEW)
def results(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = ResultsForm(request.GET or None)
    start, end = _bounds(form)
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "agent"
    rows = services.summary(workspace, start=start, end=end, by=by)
    overall = services.summary(workspace, start=start, end=end, by="all")
    users = {
        member.user_id: member.user
        for member in workspace.memberships.select_related("user")  # type: ignore[attr-defined]
    }
    labelled = []
    for row in rows:
        if by == "agent":
            person = users.get(row.key)
            label = (person.get_full_name() or person.email) if person else _("Nobody assigned")
        elif by == "network":
            label = network_label(row.key)
        else:
            label = row.key
        labelled.append({"row": row, "label": label})
    comments = workspace_queryset(request, Survey).filter(answered_at__isnull=False)
    if start is not None:
        comments = comments.filter(created_at__gte=start)
    if end is not None:
        comments = comments.filter(created_at__lt=end)
    comments = comments.exclude(comment="").select_related("conversation", "agent")[:20]
    settings_form = None
    if can(request.user, workspace, INBOX_MANAGE):
        settings_form = SettingsForm(instance=services.settings_for(workspace))
    return render(
        request,
        "satisfaction/results.html",
        {
            "form": form,
            "by": by,
            "rows": labelled,
            "overall": overall[0] if overall else None,
            "comments": comments,
            "settings_form": settings_form,
        },
    )


@workspace_view(INBOX_MANAGE)
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = SettingsForm(request.POST, instance=services.settings_for(workspace))
    if form.is_valid():
        services.update_settings(
            workspace,
            enabled=form.cleaned_data["enabled"],
            delay_minutes=form.cleaned_data["delay_minutes"],
        )
        messages.success(request, _("Satisfaction settings saved."))
    else:
        messages.error(
            request,
            _("The settings were not saved: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return redirect(reverse("satisfaction:results", kwargs={"workspace_slug": workspace.slug}))
