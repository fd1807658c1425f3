"""The referral programme's pages, the member page's section, and the API's public address.
Staff pages read through ``workspace_queryset`` and write through ``services`` and ``review``;
the API is found by the programme's ``hook_id`` and answers JSON only (``api``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.community.models import Member
from ambassade.referrals import api, board, review, services
from ambassade.referrals.forms import ProgrammeForm
from ambassade.referrals.messages import FLAGS
from ambassade.referrals.models import Referral, ReferralCode, Reward
from ambassade.referrals.permissions import (
    REFERRALS_MANAGE,
    REFERRALS_SETTINGS,
    REFERRALS_VIEW,
)
from ambassade.workspaces.messages import coded, words
from ambassade.workspaces.params import parse_ids, parse_int
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 50
REVIEWS = {value for value, _label in Referral.Review.choices}
REWARD_STATES = {value for value, _label in Reward.Status.choices}


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _can(request: HttpRequest, action: str) -> bool:
    return can_role(request.membership.role, action)  # type: ignore[attr-defined]


def _page(request: HttpRequest) -> int:
    return parse_int(request.GET.get("page", "1"), minimum=1, maximum=100_000) or 1


def _flags(referral: Referral) -> list[Any]:
    return [FLAGS.get(flag, flag) for flag in referral.flags]


def _referrals(request: HttpRequest) -> Any:
    return workspace_queryset(request, Referral).select_related(
        "referrer__member", "referred__member", "code"
    )


# --- staff pages ----------------------------------------------------------------------------------


@workspace_view(REFERRALS_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    programme = services.programme_of(_ws(request))
    rows = _referrals(request)
    state = request.GET.get("review", "")
    state = state if state in REVIEWS else ""
    listed = rows.filter(review=state) if state else rows
    page = Paginator(listed.order_by("-signed_up_at", "-id"), PAGE_SIZE).get_page(_page(request))
    totals = rows.aggregate(
        signups=Count("id", filter=~Q(review=Referral.Review.REJECTED)),
        conversions=Count(
            "id",
            filter=Q(status=Referral.Status.CONVERTED) & ~Q(review=Referral.Review.REJECTED),
        ),
        held=Count("id", filter=Q(review=Referral.Review.HELD)),
    )
    codes = workspace_queryset(request, ReferralCode).aggregate(
        count=Count("id", filter=Q(active=True)), clicks=Sum("clicks")
    )
    held = list(rows.filter(review=Referral.Review.HELD).order_by("signed_up_at", "id")[:50])
    return render(
        request,
        "referrals/home.html",
        {
            "programme": programme,
            "totals": totals,
            "codes": codes,
            "held": [(referral, _flags(referral)) for referral in held],
            "page": page,
            "entries": [(referral, _flags(referral)) for referral in page.object_list],
            "review": state,
            "reviews": Referral.Review.choices,
            "filters": f"review={state}" if state else "",
            "can_manage": _can(request, REFERRALS_MANAGE),
            "can_settings": _can(request, REFERRALS_SETTINGS),
        },
    )


def _endpoint(programme: Any) -> str:
    return settings.BASE_URL + reverse("referrals:hook", kwargs={"hook_id": programme.hook_id})


@workspace_view(REFERRALS_SETTINGS)
@require_http_methods(["GET", "POST"])
def programme_settings(request: HttpRequest) -> HttpResponse:
    programme = services.programme_of(_ws(request))
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        services.save_programme(programme, request.user, **form.cleaned_data)
        messages.success(request, _("Referral programme saved."))
        return redirect("referrals:settings", _ws(request).slug)
    return render(
        request,
        "referrals/settings.html",
        {"form": form, "programme": programme, "endpoint": _endpoint(programme)},
    )


@never_cache
@workspace_view(REFERRALS_SETTINGS)
@require_POST
def secret(request: HttpRequest) -> HttpResponse:
    """Make a new API secret and show it, this once (the page is not kept by the browser)."""
    programme = services.programme_of(_ws(request))
    value = services.make_secret(programme, request.user)
    response = render(
        request,
        "referrals/secret.html",
        {"programme": programme, "secret": value, "endpoint": _endpoint(programme)},
    )
    response["Cache-Control"] = "no-store"
    return response


@workspace_view(REFERRALS_MANAGE)
@require_POST
def referral_decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = get_workspace_object_or_404(request, Referral, pk=referral_id)
    action = request.POST.get("action")
    if action not in ("approve", "reject"):
        messages.error(request, _("Say whether to approve or reject the referral."))
    else:
        try:
            review.decide_referral(referral, request.user, action == "approve")
        except review.ReviewError as error:
            messages.error(request, words(coded(error.code)))
        else:
            messages.success(
                request,
                _("Referral approved: its rewards can be granted.")
                if action == "approve"
                else _("Referral rejected: its rewards are refused."),
            )
    return redirect("referrals:home", _ws(request).slug)


@workspace_view(REFERRALS_VIEW)
def rewards(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("status", Reward.Status.PENDING)
    state = state if state in REWARD_STATES else ""
    rows = workspace_queryset(request, Reward).select_related(
        "referral__referred__member", "referrer__member"
    )
    listed = rows.filter(status=state) if state else rows
    page = Paginator(listed.order_by("-created_at", "-id"), PAGE_SIZE).get_page(_page(request))
    return render(
        request,
        "referrals/rewards.html",
        {
            "page": page,
            "status": state,
            "states": Reward.Status.choices,
            "filters": f"status={state}",
            "can_manage": _can(request, REFERRALS_MANAGE),
        },
    )


@workspace_view(REFERRALS_MANAGE)
@require_POST
def rewards_decide(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    ids = parse_ids(request.POST.getlist("reward"), limit=500)
    if action not in ("grant", "reject") or not ids:
        messages.error(request, _("Tick the rewards to grant or refuse."))
    else:
        changed = review.decide_rewards(_ws(request), request.user, ids, action == "grant")
        if action == "grant":
            messages.success(request, _("%(count)s rewards granted.") % {"count": changed})
        else:
            messages.success(request, _("%(count)s rewards refused.") % {"count": changed})
        if changed < len(ids):
            messages.info(
                request,
                _(
                    "Rewards already decided, or of a referral held for review, were left as "
                    "they were."
                ),
            )
    return redirect(
        reverse("referrals:rewards", args=[_ws(request).slug])
        + "?status="
        + (request.POST.get("status") if request.POST.get("status") in REWARD_STATES else "")
    )


@workspace_view(REFERRALS_VIEW)
def leaderboard(request: HttpRequest) -> HttpResponse:
    days = parse_int(request.GET.get("days", "30"), maximum=100_000)
    days = days if days in board.PERIODS else 30
    since = timezone.now() - dt.timedelta(days=days) if days else None
    return render(
        request,
        "referrals/leaderboard.html",
        {
            "lines": board.leaderboard(_ws(request), since),
            "days": days,
            "periods": board.PERIODS,
        },
    )


@workspace_view(REFERRALS_MANAGE)
@require_POST
def member_code(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_workspace_object_or_404(request, Member, pk=member_id)
    try:
        services.give_code(member, request.user)
    except services.CodeError:
        messages.error(request, _("This member has no account to hold a code."))
    else:
        messages.success(request, _("Referral code given."))
    return redirect("community:member", _ws(request).slug, member.pk)


@workspace_view(REFERRALS_MANAGE)
@require_POST
def code_deactivate(request: HttpRequest, code_id: int) -> HttpResponse:
    code = get_workspace_object_or_404(
        request, ReferralCode.objects.select_related("identity__member"), pk=code_id
    )
    services.deactivate_code(code, request.user)
    messages.success(request, _("Code deactivated: it no longer counts sign-ups."))
    return redirect("community:member", _ws(request).slug, code.identity.member_id)


def member_panel(request: HttpRequest, member: Member) -> dict[str, Any] | None:
    """The referrals section of a member's page: their code and link, the people they referred
    and who referred them."""
    if not _can(request, REFERRALS_VIEW):
        return None
    code = services.code_of(member)
    rows = Referral.objects.filter(workspace_id=member.workspace_id).select_related(
        "referred__member", "referrer__member"
    )
    made = list(rows.filter(referrer__member=member).order_by("-signed_up_at", "-id")[:20])
    counts = rows.filter(referrer__member=member).aggregate(
        total=Count("id"), converted=Count("id", filter=Q(status=Referral.Status.CONVERTED))
    )
    points = (
        Reward.objects.filter(referrer__member=member)
        .exclude(status=Reward.Status.REJECTED)
        .aggregate(total=Sum("points"))["total"]
    )
    return {
        "code": code,
        "link": services.referral_url(code) if code else "",
        "made": [(referral, _flags(referral)) for referral in made],
        "counts": counts,
        "points": points or 0,
        "by": rows.filter(referred__member=member).order_by("-signed_up_at").first(),
        "can_manage": _can(request, REFERRALS_MANAGE),
    }


# --- the API (public, signed) ---------------------------------------------------------------------


@csrf_exempt
def hook(request: HttpRequest, hook_id: str) -> HttpResponse:
    """Where the brand's site posts sign-ups and conversions (``api.receive``)."""
    if request.method != "POST":
        answer = api.error_answer(405, "method")
        answer.headers["Allow"] = "POST"
    else:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > api.MAX_BODY:
            answer = api.error_answer(413, "too_large")
        else:
            try:
                body = request.body
            except RawPostDataException:  # a form posted and read already: not an event
                body = b""
            answer = api.receive(
                hook_id, request.headers, body, request.META.get("REMOTE_ADDR", "")
            )
    response = JsonResponse(answer.body, status=answer.status, json_dumps_params={"indent": None})
    for name, value in answer.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response
