"""Consent, double opt-in and RGPD pages of a member (docs/community.md, "Consent", "RGPD")."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.community import consent as consents
from ambassade.community import privacy
from ambassade.community.forms import ConsentForm, OptInForm
from ambassade.community.models import Member
from ambassade.community.permissions import COMMUNITY_EDIT, COMMUNITY_PRIVACY
from ambassade.workspaces.permissions import get_workspace_object_or_404, workspace_view


def _member(request: HttpRequest, member_id: int) -> Member:
    return get_workspace_object_or_404(
        request, Member.objects.select_related("workspace"), id=member_id
    )


def _back(request: HttpRequest, member: Member) -> HttpResponse:
    return redirect("community:member", request.workspace.slug, member.id)  # type: ignore[attr-defined]


@workspace_view(COMMUNITY_EDIT)
@require_POST
def consent_record(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Say what the consent is for, whether it is given, and its proof.")
        )
        return _back(request, member)
    try:
        consents.record(
            member,
            request.user,
            form.cleaned_data["purpose"],
            form.cleaned_data["state"],
            proof=form.cleaned_data["proof"],
        )
    except consents.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The consent was recorded."))
    return _back(request, member)


@workspace_view(COMMUNITY_EDIT)
@require_POST
def consent_optin(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = OptInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address and the e-mail's language."))
        return _back(request, member)
    try:
        consents.request_optin(
            member, request.user, form.cleaned_data["email"], form.cleaned_data["lang"]
        )
    except consents.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The confirmation e-mail was sent to %(email)s.")
            % {"email": form.cleaned_data["email"]},
        )
    return _back(request, member)


@workspace_view(COMMUNITY_PRIVACY)
def member_export(request: HttpRequest, member_id: int) -> HttpResponse:
    """Everything held about the member, as one JSON file (RGPD's right of access)."""
    member = _member(request, member_id)
    data = privacy.export_member(member, request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="member-{member.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@workspace_view(COMMUNITY_PRIVACY)
@require_POST
def member_erase(request: HttpRequest, member_id: int) -> HttpResponse:
    """Anonymise the member everywhere, at once (RGPD's right to erasure)."""
    member = _member(request, member_id)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return _back(request, member)
    privacy.erase_member(member, request.user)
    messages.success(
        request,
        _("The member's personal data was erased from every part of Ambassade."),
    )
    return redirect("community:members", request.workspace.slug)  # type: ignore[attr-defined]


# --- the public confirmation page -------------------------------------------------------------


def _public(response: HttpResponse, lang: str) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Content-Language"] = lang
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def optin_page(request: HttpRequest, consent_token: str) -> HttpResponse:
    """Where the person confirms they want the brand's e-mails: the brand's name and their own
    address, a button; nothing else of the workspace. A link used or expired says so."""
    pending = consents.consent_for_token(consent_token)
    if pending is None:
        if request.GET.get("done") == "1":
            lang = request.GET.get("lang", "en")
            lang = lang if lang in consents.LANGUAGES else "en"
            with translation.override(lang):
                return _public(
                    render(request, "community/optin.html", {"lang": lang, "done": True}), lang
                )
        raise Http404("no such request")
    lang = pending.lang or "en"
    with translation.override(lang):
        context: dict[str, Any] = {
            "lang": lang,
            "brand": pending.workspace.name,
            "email": pending.email,
            "expired": pending.expires_at is None or pending.expires_at <= timezone.now(),
            "error": "",
        }
        if request.method == "POST" and not context["expired"]:
            try:
                consents.confirm(
                    pending,
                    address=str(request.META.get("REMOTE_ADDR", "")),
                    agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except consents.ConsentError as error:
                context["error"] = str(error)
            else:
                return redirect(f"{request.path}?done=1&lang={lang}")
        return _public(render(request, "community/optin.html", context), lang)
