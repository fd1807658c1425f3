"""Community pages. Thin: they read through ``workspace_queryset`` and write through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambassade.community import consent, panels, segments, services, suggestions, timeline
from ambassade.community.crm_context import crm_context
from ambassade.community.forms import (
    SORTS,
    ConsentForm,
    FieldValuesForm,
    MemberFilterForm,
    OptInForm,
)
from ambassade.community.history_views import history_context
from ambassade.community.models import (
    Activity,
    Identity,
    Member,
    MemberTag,
    Segment,
    normalise_handle,
)
from ambassade.community.permissions import (
    COMMUNITY_EDIT,
    COMMUNITY_FIELDS,
    COMMUNITY_FILES,
    COMMUNITY_MERGE,
    COMMUNITY_PRIVACY,
    COMMUNITY_VIEW,
)
from ambassade.community.scores import member_scores
from ambassade.listening.models import Mention
from ambassade.moderation.people import strikes_for
from ambassade.moderation.permissions import MODERATION_VIEW
from ambassade.workspaces.messages import StoredMessage, words
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.params import parse_id, parse_ids
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20
IDENTITY_FIELDS = ("id", "member_id", "network", "handle", "max_followers")


def evidence_words(message: Any) -> str:
    """A merge clue in the reader's language, its networks named ("Bluesky, Page Facebook") where the
    engine gives their codes ("bluesky, facebook")."""
    stored = StoredMessage.of(message)
    codes = stored.params.get("networks")
    if stored.code == "identity.same_handle" and isinstance(codes, str):
        named = ", ".join(network_label(code.strip()) for code in codes.split(","))
        stored = StoredMessage(stored.code, {**stored.params, "networks": named}, stored.text)
    return stored.words()


def _search(request: HttpRequest, members: QuerySet[Member], text: str) -> QuerySet[Member]:
    text = text.strip()
    if not text:
        return members
    handle = normalise_handle(text)
    identities = workspace_queryset(request, Identity).filter(
        Q(handle__contains=handle) | Q(name__icontains=text)
    )
    return members.filter(
        Q(display_name__icontains=text) | Q(id__in=identities.values("member_id"))
    )


def _page(request: HttpRequest, name: str = "page") -> int:
    try:
        return max(1, int(request.GET.get(name, "1")))
    except ValueError:
        return 1


@workspace_view(COMMUNITY_VIEW)
def members(request: HttpRequest) -> HttpResponse:
    saved = list(workspace_queryset(request, Segment).only("id", "name"))
    tags = (
        workspace_queryset(request, MemberTag)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:500]
    )
    form = MemberFilterForm(request.GET or None, segments=saved, tags=list(tags))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sort = data.get("sort") or "reach"
    segment = next((s for s in saved if s.pk == data.get("segment")), None)
    segment_error = ""
    base = workspace_queryset(request, Member)
    if segment is not None:
        try:
            base = segments.segment_members(segment)
        except segments.SegmentError as error:
            segment_error, base = words(error), base.none()
    rows = _search(request, base, data.get("q", ""))
    if data.get("tag"):
        rows = rows.filter(tag_set__name=data["tag"])
    people = data.get("people") or ""
    if people == "staff":
        rows = rows.filter(staff=True)
    elif people == "all":
        pass
    elif segment is None:  # the brand's own people are not the community (a segment says itself)
        rows = rows.filter(staff=False)
    rows = (
        rows.order_by(*SORTS[sort])
        .only(
            "id",
            "workspace_id",
            "display_name",
            "mention_count",
            "reach",
            "last_seen_at",
            "staff",
            "level",
            "love",
        )
        .prefetch_related(
            Prefetch(
                "identities",
                queryset=Identity.objects.only(*IDENTITY_FIELDS).order_by("-max_followers", "id"),
            ),
            Prefetch("tag_set", queryset=MemberTag.objects.only("id", "member_id", "name")),
        )
    )
    page = Paginator(rows, PAGE_SIZE).get_page(_page(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/members.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "filters": query.urlencode(),
            "searching": any(data.get(k) for k in ("q", "people", "segment", "tag")),
            "people": people,
            "segment": segment,
            "segment_error": segment_error,
            "can_merge": can_role(request.membership.role, COMMUNITY_MERGE),  # type: ignore[attr-defined]
            "can_edit": can_role(request.membership.role, COMMUNITY_EDIT),  # type: ignore[attr-defined]
            "can_fields": can_role(request.membership.role, COMMUNITY_FIELDS),  # type: ignore[attr-defined]
            "can_files": can_role(request.membership.role, COMMUNITY_FILES),  # type: ignore[attr-defined]
        },
    )


@workspace_view(COMMUNITY_VIEW)
def author(request: HttpRequest) -> HttpResponse:
    """From a mention's author (``?network=…&handle=…``) to their member page."""
    network = request.GET.get("network", "")[:40]
    handle = normalise_handle(request.GET.get("handle", ""))
    identity = (
        workspace_queryset(request, Identity).filter(network=network, handle=handle).first()
        if handle
        else None
    )
    if identity is not None:
        return redirect("community:member", request.workspace.slug, identity.member_id)  # type: ignore[attr-defined]
    messages.info(request, _("This author is not a community member yet."))
    url = reverse("community:members", args=[request.workspace.slug])  # type: ignore[attr-defined]
    return redirect(f"{url}?{urlencode({'q': handle})}" if handle else url)


@workspace_view(COMMUNITY_VIEW)
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_workspace_object_or_404(
        request, Member.objects.select_related("workspace"), id=member_id
    )
    return member_page(request, member)


def member_page(
    request: HttpRequest, member: Member, fields_form: FieldValuesForm | None = None
) -> HttpResponse:
    """The member's page; ``fields_form`` a refused custom fields form, shown with its errors."""
    identities = list(member.identities.all())
    kind = request.GET.get("kind", "")
    kind = kind if kind in timeline.KINDS else ""
    page = Paginator(timeline.activities_of(member, kind), TIMELINE_PAGE_SIZE).get_page(
        _page(request)
    )
    role = request.membership.role  # type: ignore[attr-defined]
    slug = request.workspace.slug  # type: ignore[attr-defined]
    mentions = workspace_queryset(request, Mention).filter(appearance__identity__member=member)
    sentiments = dict(
        mentions.order_by()
        .values_list("sentiment")
        .annotate(count=Count("id"))
        .values_list("sentiment", "count")
    )
    kinds = dict(
        Activity.objects.filter(identity__member=member)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id"))
        .values_list("kind", "count")
    )
    scores = member_scores(member, timezone.now())
    context = {
        "member": member,
        "identities": identities,
        "scores": [words(message) for message in scores.explain()],
        "page": page,
        "entries": timeline.entries(list(page.object_list), slug, role),
        "kind": kind,
        "kinds": [(value, label, kinds.get(value, 0)) for value, label in timeline.KINDS.items()],
        "filters": urlencode({"kind": kind}) if kind else "",
        "sentiments": [
            (value, sentiments.get(value, 0)) for value in ("positive", "neutral", "negative")
        ],
    }
    context["consents"] = consent.statuses(member)
    context["can_privacy"] = can_role(role, COMMUNITY_PRIVACY)
    context.update(crm_context(member, can_role(role, COMMUNITY_EDIT), fields_form))
    if can_role(role, COMMUNITY_EDIT):
        context["can_edit"] = True
        context["consent_form"] = ConsentForm()
        context["optin_form"] = OptInForm(
            initial={"email": member.email, "lang": member.workspace.language[:2]}
        )
    if can_role(role, COMMUNITY_MERGE):
        context.update(_merge_candidates(request, member, identities))
    if can_role(role, MODERATION_VIEW):
        context["strikes"] = strikes_for(
            member.workspace, [(i.network, i.handle) for i in identities]
        )
    context["panels"] = panels.for_member(request, member)
    context["history"] = history_context(member)
    # The chart library once for the page, whoever draws a chart on it.
    context["chart_scripts"] = bool(context["history"]) or panels.need_charts(context["panels"])
    return render(request, "community/member.html", context)


@workspace_view(COMMUNITY_EDIT)
@require_POST
def member_staff(request: HttpRequest, member_id: int) -> HttpResponse:
    """Mark the member as one of the brand's own people (``staff=1``) or not (``staff=0``)."""
    member = get_workspace_object_or_404(
        request, Member.objects.select_related("workspace"), id=member_id
    )
    value = request.POST.get("staff")
    if value not in ("0", "1"):
        messages.error(request, _("Say whether the member is staff of the brand."))
    else:
        services.set_staff(member, request.user, value == "1")
        messages.success(
            request,
            _("Marked as staff of the brand: left out of the community's figures.")
            if value == "1"
            else _("Marked as a member of the community."),
        )
    return redirect("community:member", request.workspace.slug, member.id)  # type: ignore[attr-defined]


def _merge_candidates(
    request: HttpRequest, member: Member, identities: list[Identity]
) -> dict[str, object]:
    """Members who may be the same person: this member's suggestions from the merge engine (the
    review list's, with the evidence), or a search."""
    found_pairs = suggestions.for_member(member)[:10]
    others = {
        m.pk: m
        for m in workspace_queryset(request, Member)
        .filter(
            pk__in=[int(c.second if c.first == str(member.pk) else c.first) for c in found_pairs]
        )
        .prefetch_related("identities")
    }
    suggested = []
    for candidate in found_pairs:
        other = others.get(
            int(candidate.second if candidate.first == str(member.pk) else candidate.first)
        )
        if other is None:
            continue
        other.merge_percent = round(candidate.score * 100)  # type: ignore[attr-defined]
        other.merge_confidence = candidate.confidence  # type: ignore[attr-defined]
        other.merge_evidence = list(  # type: ignore[attr-defined]
            dict.fromkeys(
                (evidence_words(item.message), item.weight < 0) for item in candidate.evidence
            )
        )
        suggested.append(other)
    same_handle = suggested
    merge_q = request.GET.get("merge_q", "").strip()[:200]
    found: list[Member] = []
    if merge_q:
        found = list(
            _search(request, workspace_queryset(request, Member), merge_q)
            .exclude(id=member.id)
            .prefetch_related("identities")
            .order_by("-reach", "-id")[:10]
        )
    return {"suggestions": list(same_handle), "merge_q": merge_q, "merge_found": found}


@workspace_view(COMMUNITY_MERGE)
@require_POST
def member_merge(request: HttpRequest, member_id: int) -> HttpResponse:
    target = get_workspace_object_or_404(
        request, Member.objects.select_related("workspace"), id=member_id
    )
    # One member, or all the suggestions at once.
    ids = parse_ids(request.POST.getlist("other"), limit=50)
    others = list(workspace_queryset(request, Member).filter(id__in=ids).exclude(id=target.id))
    if not others:
        messages.error(request, _("Choose the member to merge into this one."))
    else:
        try:
            target = services.merge_members(target, others, request.user)
            messages.success(request, _("The members were merged."))
        except services.ActionError as exc:
            messages.error(request, str(exc))
    return redirect("community:member", request.workspace.slug, target.id)  # type: ignore[attr-defined]


@workspace_view(COMMUNITY_MERGE)
@require_POST
def identity_split(request: HttpRequest, identity_id: int) -> HttpResponse:
    identity = get_workspace_object_or_404(
        request, Identity.objects.select_related("workspace"), id=identity_id
    )
    try:
        member = services.split_identity(identity, request.user)
    except services.ActionError as exc:
        messages.error(request, str(exc))
        return redirect("community:member", request.workspace.slug, identity.member_id)  # type: ignore[attr-defined]
    messages.success(request, _("The identity is now a member of its own."))
    return redirect("community:member", request.workspace.slug, member.id)  # type: ignore[attr-defined]


REVIEW_PAGE_SIZE = 50


@workspace_view(COMMUNITY_MERGE)
def merge_review(request: HttpRequest) -> HttpResponse:
    """Members that are probably one person, with the evidence, to merge or dismiss."""
    found = list(suggestions.suggestions(request.workspace).items())  # type: ignore[attr-defined]
    page = Paginator(found, REVIEW_PAGE_SIZE).get_page(_page(request))
    ids = {x for pair, _candidate in page.object_list for x in pair}
    people = (
        workspace_queryset(request, Member)
        .filter(id__in=ids)
        .prefetch_related(
            Prefetch(
                "identities",
                queryset=Identity.objects.only(*IDENTITY_FIELDS).order_by("-max_followers", "id"),
            )
        )
        .in_bulk()
    )
    rows = [
        {
            "key": f"{pair[0]}-{pair[1]}",
            "members": [people[pair[0]], people[pair[1]]],
            "percent": round(candidate.score * 100),
            "confidence": candidate.confidence,
            # A clue found from both sides (each one's name as the other's handle) is said once.
            "evidence": list(
                dict.fromkeys(
                    (evidence_words(item.message), item.weight < 0) for item in candidate.evidence
                )
            ),
        }
        for pair, candidate in page.object_list
        if pair[0] in people and pair[1] in people
    ]
    high = sum(1 for _pair, candidate in found if candidate.confidence == "high")
    return render(
        request,
        "community/merge_review.html",
        {"page": page, "rows": rows, "high": high, "total": len(found)},
    )


def _review_url(request: HttpRequest) -> str:
    url = reverse("community:merge_review", args=[request.workspace.slug])  # type: ignore[attr-defined]
    page = parse_id(request.POST.get("page"))
    return f"{url}?page={page}" if page and page > 1 else url


def _tell_stale(request: HttpRequest, outcome: suggestions.MergeOutcome) -> None:
    if outcome.stale:
        messages.warning(
            request,
            ngettext(
                "%(count)s suggestion was left out: one of its members was already merged, "
                "is unknown in this workspace, or the pair was dismissed. The list below is "
                "up to date.",
                "%(count)s suggestions were left out: one of their members was already merged, "
                "is unknown in this workspace, or the pair was dismissed. The list below is "
                "up to date.",
                outcome.stale,
            )
            % {"count": outcome.stale},
        )
    if outcome.not_high:
        messages.warning(
            request,
            ngettext(
                "%(count)s suggestion was left out of the bulk merge: only high-confidence "
                "suggestions are merged in bulk. Merge it on its own if it is right.",
                "%(count)s suggestions were left out of the bulk merge: only high-confidence "
                "suggestions are merged in bulk. Merge them one by one if they are right.",
                outcome.not_high,
            )
            % {"count": outcome.not_high},
        )


@workspace_view(COMMUNITY_MERGE)
@require_POST
def merge_review_merge(request: HttpRequest) -> HttpResponse:
    """One suggestion (``pair``) or the high-confidence ones ticked (``selected``, repeatable)."""
    single = request.POST.get("pair")
    values = [single] if single is not None else request.POST.getlist("selected")[:200]
    pairs = [pair for pair in map(suggestions.pair_of, values) if pair is not None]
    invalid = len(values) - len(pairs)
    if not values:
        messages.error(request, _("Tick the suggestions to merge."))
        return redirect(_review_url(request))
    outcome = suggestions.merge_pairs(
        request.workspace,  # type: ignore[attr-defined]
        pairs,
        request.user,
        bulk=single is None,
    )
    outcome.stale += invalid
    if outcome.merges:
        messages.success(
            request,
            ngettext(
                "%(count)s member was merged into another.",
                "%(count)s members were merged into others.",
                outcome.members,
            )
            % {"count": outcome.members},
        )
    _tell_stale(request, outcome)
    return redirect(_review_url(request))


@workspace_view(COMMUNITY_MERGE)
@require_POST
def merge_review_dismiss(request: HttpRequest) -> HttpResponse:
    pair = suggestions.pair_of(request.POST.get("pair"))
    if pair is None or not suggestions.dismiss(request.workspace, pair, request.user):  # type: ignore[attr-defined]
        messages.error(
            request,
            _(
                "This suggestion cannot be dismissed: one of its members was already merged or "
                "is unknown in this workspace. The list below is up to date."
            ),
        )
    else:
        messages.success(request, _("Dismissed: these two members will not be suggested again."))
    return redirect(_review_url(request))
