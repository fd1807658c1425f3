"""The "Influencers to discover" page (``community/discovery.py``) and its one action: tag a
candidate, which brings them into the community."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambassade.community import crm, discovery
from ambassade.community.models import Identity, Member
from ambassade.community.permissions import COMMUNITY_EDIT, COMMUNITY_VIEW
from ambassade.community.services import ActionError
from ambassade.engine.scoring import ScoringSettings
from ambassade.workspaces.messages import words
from ambassade.workspaces.params import parse_id
from ambassade.workspaces.permissions import can_role, workspace_queryset, workspace_view

IDENTITY_FIELDS = ("id", "member_id", "network", "handle", "max_followers")


@workspace_view(COMMUNITY_VIEW)
def discover(request: HttpRequest) -> HttpResponse:
    """Authors not yet in the community worth discovering, most influential first, with why."""
    workspace = request.workspace  # type: ignore[attr-defined]
    found = discovery.candidates(workspace.pk, timezone.now())
    identities = Identity.objects.filter(member_id__in=[m.pk for m, _d in found]).only(
        *IDENTITY_FIELDS
    )
    by_member: dict[int, list[Identity]] = {}
    for identity in identities.order_by("-max_followers", "id"):
        by_member.setdefault(identity.member_id, []).append(identity)
    rows = [
        {
            "member": member,
            "identities": by_member.get(member.pk, []),
            "influence": round(found_one.influence, 1),
            "reasons": [words(reason) for reason in found_one.reasons],
        }
        for member, found_one in found
    ]
    return render(
        request,
        "community/discover.html",
        {
            "rows": rows,
            "limit": discovery.LIMIT,
            "minimum": round(ScoringSettings().discover_min_influence),
            "can_edit": can_role(request.membership.role, COMMUNITY_EDIT),  # type: ignore[attr-defined]
            "default_tag": _("community"),
        },
    )


@workspace_view(COMMUNITY_EDIT)
@require_POST
def discover_add(request: HttpRequest) -> HttpResponse:
    """Tag a candidate (default tag: "community"), which brings them into the community."""
    workspace = request.workspace  # type: ignore[attr-defined]
    back = redirect("community:discover", workspace.slug)
    member_id = parse_id(request.POST.get("member"))
    member = (
        workspace_queryset(request, Member).filter(pk=member_id).first()
        if member_id is not None
        else None
    )
    if member is None:
        messages.error(request, _("This member does not exist in this workspace."))
        return back
    tag = (request.POST.get("tag") or "").strip() or _("community")
    if len(tag) > crm.MAX_TAG:
        messages.error(
            request, _("A tag has at most %(count)d characters.") % {"count": crm.MAX_TAG}
        )
        return back
    try:
        crm.add_tags(workspace, [member.pk], request.user, [tag])
    except ActionError as error:
        messages.error(request, str(error))
        return back
    messages.success(
        request,
        _("%(name)s was tagged “%(tag)s” and is now in the community.")
        % {"name": member.display_name or _("Unnamed member"), "tag": tag},
    )
    return back


__all__ = ["discover", "discover_add"]
