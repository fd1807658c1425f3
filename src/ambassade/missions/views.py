"""Mission pages. Thin: they read through ``workspace_queryset`` and write through ``services``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.community.models import Member
from ambassade.mailing.permissions import MAILING_SEND
from ambassade.missions import announcements, services
from ambassade.missions import leaderboard as board
from ambassade.missions.forms import AnnounceForm, MarkDoneForm, MissionForm
from ambassade.missions.models import Completion, Mission
from ambassade.missions.permissions import MISSIONS_MANAGE, MISSIONS_VIEW
from ambassade.workspaces.messages import coded, words
from ambassade.workspaces.params import parse_int
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 50
#: Members offered in "Mark done" (the assigned ones not done yet, most reach first).
MARKABLE = 200


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _can(request: HttpRequest, action: str) -> bool:
    return can_role(request.membership.role, action)  # type: ignore[attr-defined]


@workspace_view(MISSIONS_VIEW)
def missions(request: HttpRequest) -> HttpResponse:
    rows = list(
        workspace_queryset(request, Mission)
        .select_related("product", "segment")
        .annotate(done=Count("completions__identity__member", distinct=True))
    )
    now = timezone.now()
    groups = [
        (pgettext("missions", "Open"), [m for m in rows if m.starts_at <= now < m.ends_at]),
        (pgettext("missions", "Upcoming"), [m for m in rows if now < m.starts_at]),
        (pgettext("missions", "Over"), [m for m in rows if m.ends_at <= now]),
    ]
    return render(
        request,
        "missions/missions.html",
        {
            "groups": [(label, found) for label, found in groups if found],
            "can_manage": _can(request, MISSIONS_MANAGE),
            "leaders": board.leaders(_ws(request), now - timedelta(days=30), limit=5),
        },
    )


def _save(request: HttpRequest, form: MissionForm, mission: Mission | None) -> Mission | None:
    chosen = form.chosen_members()
    if form.errors:
        return None
    fields = {k: v for k, v in form.cleaned_data.items() if k != "chosen"}
    try:
        return services.save_mission(_ws(request), request.user, mission, chosen=chosen, **fields)
    except services.MissionError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, words(error.message))
        return None


def _announce_form(request: HttpRequest, data: Any = None) -> AnnounceForm | None:
    """The mission form's "E-mail it to them from" (for those who may send to the community, when
    the workspace has an e-mail account)."""
    if not _can(request, MAILING_SEND) or not announcements.connections(_ws(request)).exists():
        return None
    return AnnounceForm(_ws(request), data, optional=True, prefix="tell")


def _announce(request: HttpRequest, mission: Mission, connection: Any) -> None:
    try:
        announcement = announcements.announce(mission, request.user, connection)
    except services.MissionError as error:
        messages.warning(request, words(error.message))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s member will be told by e-mail.",
                "%(count)s members will be told by e-mail.",
                announcement.campaign.total,
            )
            % {"count": announcement.campaign.total},
        )


@workspace_view(MISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def mission_new(request: HttpRequest) -> HttpResponse:
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = MissionForm(
        _ws(request),
        request.POST or None,
        initial={"starts_at": now, "ends_at": now + timedelta(days=14), "points": 10},
    )
    tell = _announce_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and (tell is None or tell.is_valid()):
        mission = _save(request, form, None)
        if mission is not None:
            messages.success(request, _("Mission created."))
            if tell is not None and tell.cleaned_data["announce_from"] is not None:
                _announce(request, mission, tell.cleaned_data["announce_from"])
            return redirect("missions:mission", _ws(request).slug, mission.pk)
    return render(
        request,
        "missions/mission_form.html",
        {"form": form, "tell": tell, "heading": _("New mission")},
    )


@workspace_view(MISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def mission_edit(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = get_workspace_object_or_404(request, Mission, pk=mission_id)
    form = MissionForm(_ws(request), request.POST or None, instance=mission)
    tell = _announce_form(request, request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (tell is None or tell.is_valid())
        and _save(request, form, form.instance) is not None
    ):
        messages.success(request, _("Mission saved."))
        if tell is not None and tell.cleaned_data["announce_from"] is not None:
            _announce(request, mission, tell.cleaned_data["announce_from"])
        return redirect("missions:mission", _ws(request).slug, mission.pk)
    return render(
        request,
        "missions/mission_form.html",
        {"form": form, "tell": tell, "mission": mission, "heading": mission.title},
    )


@workspace_view(MISSIONS_MANAGE)
@require_POST
def mission_delete(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = get_workspace_object_or_404(request, Mission, pk=mission_id)
    services.delete_mission(mission, request.user)
    messages.success(request, _("Mission deleted."))
    return redirect("missions:missions", _ws(request).slug)


def _markable(mission: Mission) -> list[tuple[int, str]]:
    done = Completion.objects.filter(mission=mission).values_list("identity__member_id")
    members = (
        services.assigned_members(mission).exclude(pk__in=done).order_by("-reach", "id")[:MARKABLE]
    )
    return [(m.pk, str(m)) for m in members]


@workspace_view(MISSIONS_VIEW)
def mission_detail(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = get_workspace_object_or_404(
        request, Mission.objects.select_related("product", "segment"), pk=mission_id
    )
    return _detail(request, mission)


def _detail(
    request: HttpRequest,
    mission: Mission,
    form: MarkDoneForm | None = None,
    tell: AnnounceForm | None = None,
) -> HttpResponse:
    completions = mission.completions.select_related(
        "identity__member", "mention", "marked_by"
    ).order_by("-completed_at", "-id")
    page = Paginator(completions, PAGE_SIZE).get_page(parse_int(request.GET.get("page")) or 1)
    can_manage = _can(request, MISSIONS_MANAGE)
    context: dict[str, Any] = {
        "mission": mission,
        "page": page,
        "completions": [(c, words(_evidence(c))) for c in page.object_list],
        "assigned": services.assigned_members(mission).count(),
        "done": completions.values("identity__member_id").distinct().count(),
        "can_manage": can_manage,
    }
    if can_manage:
        context["mark_form"] = form or MarkDoneForm(_markable(mission))
    if _can(request, MAILING_SEND):
        context["tell"] = {
            "form": tell or AnnounceForm(_ws(request)),
            "told": announcements.told(mission),
            "untold": announcements.untold(mission).count(),
            "announcements": list(mission.announcements.select_related("campaign")[:10]),
            "accounts": announcements.connections(_ws(request)).exists(),
        }
    return render(request, "missions/mission.html", context)


def _evidence(completion: Completion) -> Any:
    return coded(completion.evidence, detail=completion.detail)


@workspace_view(MISSIONS_MANAGE)
@require_POST
def mission_mark_done(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = get_workspace_object_or_404(request, Mission, pk=mission_id)
    form = MarkDoneForm(_markable(mission), request.POST)
    if form.is_valid():
        member = workspace_queryset(request, Member).filter(pk=form.cleaned_data["member"]).first()
        try:
            if member is None:
                raise services.MissionError("member", coded("mission.unknown_member"))
            services.mark_done(mission, member, request.user, form.cleaned_data["note"])
        except services.MissionError as error:
            form.add_error("member", words(error.message))
        else:
            messages.success(request, _("Marked done."))
            return redirect("missions:mission", _ws(request).slug, mission.pk)
    return _detail(request, mission, form)


@workspace_view(MAILING_SEND)
@require_POST
def mission_announce(request: HttpRequest, mission_id: int) -> HttpResponse:
    """E-mail the mission to the members it is for who were not told yet."""
    mission = get_workspace_object_or_404(request, Mission, pk=mission_id)
    form = AnnounceForm(_ws(request), request.POST)
    if not form.is_valid():
        return _detail(request, mission, tell=form)
    _announce(request, mission, form.cleaned_data["announce_from"])
    return redirect("missions:mission", _ws(request).slug, mission.pk)


@workspace_view(MISSIONS_MANAGE)
@require_POST
def completion_undo(request: HttpRequest, mission_id: int, completion_id: int) -> HttpResponse:
    mission = get_workspace_object_or_404(request, Mission, pk=mission_id)
    completion = get_workspace_object_or_404(
        request, Completion.objects.filter(mission=mission), pk=completion_id
    )
    services.undo(completion, request.user)
    messages.success(request, _("The completion was taken back."))
    return redirect("missions:mission", _ws(request).slug, mission.pk)


@workspace_view(MISSIONS_VIEW)
def leaderboard(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "30")
    period = period if period in board.PERIODS else "30"
    days = board.PERIODS[period]
    since = timezone.now() - timedelta(days=days) if days else None
    return render(
        request,
        "missions/leaderboard.html",
        {
            "rows": board.leaders(_ws(request), since, limit=100),
            "period": period,
            "periods": list(board.PERIODS),
        },
    )
