"""Segments' pages: the list, the builder (preview, save), delete, and the CSV export of any
segment's members (community.files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambassade.community import crm, segments
from ambassade.community.models import (
    Consent,
    CustomField,
    FieldValue,
    Identity,
    Member,
    MemberTag,
    Segment,
)
from ambassade.community.permissions import COMMUNITY_EDIT, COMMUNITY_FILES, COMMUNITY_VIEW
from ambassade.community.segment_forms import SegmentForm, form_data
from ambassade.community.services import ActionError
from ambassade.engine.segments import SegmentError
from ambassade.mailing.permissions import MAILING_EDIT
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.messages import words
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PREVIEW = 25
LANGUAGES = ("fr", "en")


@workspace_view(COMMUNITY_VIEW)
def segment_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for segment in workspace_queryset(request, Segment):
        try:
            count: int | None = segments.segment_members(segment).count()
            error = ""
        except SegmentError as exc:
            count, error = None, words(exc)
        rows.append((segment, count, error))
    role = request.membership.role  # type: ignore[attr-defined]
    return render(
        request,
        "community/segments.html",
        {
            "rows": rows,
            "can_edit": can_role(role, COMMUNITY_EDIT),
            "can_export": can_role(role, COMMUNITY_FILES),
            "can_mail": can_role(role, MAILING_EDIT),
        },
    )


def _builder_form(request: HttpRequest, data: Any = None, initial: Any = None) -> SegmentForm:
    workspace = request.workspace  # type: ignore[attr-defined]
    networks = sorted(
        set(
            Identity.objects.filter(workspace=workspace)
            .order_by()
            .values_list("network", flat=True)
            .distinct()
        )
    )
    languages = sorted(
        set(LANGUAGES)
        | set(
            Member.objects.filter(workspace=workspace)
            .exclude(language="")
            .order_by()
            .values_list("language", flat=True)
            .distinct()[:50]
        )
    )
    return SegmentForm(
        data,
        initial=initial,
        fields=list(CustomField.objects.filter(workspace=workspace)),
        networks=networks,
        languages=languages,
    )


@workspace_view(COMMUNITY_EDIT)
def segment_edit(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    """The builder: "Preview" shows how many members and the first of them; "Save" stores it."""
    segment = (
        get_workspace_object_or_404(
            request, Segment.objects.select_related("workspace"), id=segment_id
        )
        if segment_id is not None
        else None
    )
    slug = request.workspace.slug  # type: ignore[attr-defined]
    preview: list[Member] | None = None
    count = 0
    if request.method == "POST":
        form = _builder_form(request, request.POST)
        if form.is_valid():
            try:
                definition = segments.parse_for(request.workspace, form.definition())  # type: ignore[attr-defined]
            except SegmentError as error:
                form.add_segment_error(error, form.condition_numbers())
            else:
                if request.POST.get("action") == "save":
                    try:
                        segment = crm.save_segment(
                            request.workspace,  # type: ignore[attr-defined]
                            request.user,
                            name=form.cleaned_data["name"],
                            description=form.cleaned_data["description"],
                            definition=definition.to_json(),
                            segment=segment,
                        )
                    except ActionError as exc:
                        form.add_error("name", str(exc))
                    else:
                        messages.success(request, _("The segment was saved."))
                        return redirect("community:segments", slug)
                found = segments.members_matching(request.workspace, definition)  # type: ignore[attr-defined]
                count = found.count()
                preview = list(found.prefetch_related("identities", "tag_set")[:PREVIEW])
    else:
        initial = form_data(segment.definition) if segment is not None else {}
        if segment is not None:
            initial.update(name=segment.name, description=segment.description)
        form = _builder_form(request, initial=initial or {"staff": "exclude"})
    return render(
        request,
        "community/segment_edit.html",
        {"form": form, "segment": segment, "preview": preview, "count": count},
    )


@workspace_view(COMMUNITY_EDIT)
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = get_workspace_object_or_404(
        request, Segment.objects.select_related("workspace"), id=segment_id
    )
    crm.delete_segment(segment, request.user)
    messages.success(request, _("The segment was deleted."))
    return redirect("community:segments", request.workspace.slug)  # type: ignore[attr-defined]


# --- export -------------------------------------------------------------------------------------

EXPORT_CHUNK = 1000


def export_rows(workspace_id: int, members: Any, fields: list[CustomField]) -> Iterator[list[Any]]:
    """One row per member, read :data:`EXPORT_CHUNK` members at a time (constant memory)."""
    last = 0
    ordered = members.order_by("id")
    while True:
        chunk = list(ordered.filter(id__gt=last)[:EXPORT_CHUNK])
        if not chunk:
            return
        last = chunk[-1].pk
        ids = [m.pk for m in chunk]
        accounts: dict[int, list[str]] = {}
        for member_id, network, handle in (
            Identity.objects.filter(member_id__in=ids)
            .order_by("-max_followers", "id")
            .values_list("member_id", "network", "handle")
        ):
            accounts.setdefault(member_id, []).append(f"{network}:{handle}")
        tags: dict[int, list[str]] = {}
        for member_id, name in MemberTag.objects.filter(member_id__in=ids).values_list(
            "member_id", "name"
        ):
            tags.setdefault(member_id, []).append(name)
        values: dict[tuple[int, int], Any] = {}
        for value in FieldValue.objects.filter(member_id__in=ids).select_related("field"):
            values[(value.member_id, value.field_id)] = value.value
        facts = segments.consents_of(ids)
        for m in chunk:
            row: list[Any] = [
                m.pk,
                m.display_name,
                m.email,
                m.language,
                " ".join(accounts.get(m.pk, [])),
                ", ".join(sorted(tags.get(m.pk, []))),
                m.reach,
                m.mention_count,
                round(m.love, 1),
                m.level,
                round(m.sentiment, 2),
                round(m.influence, 1),
                " ".join(
                    c for c in ("ambassador", "detractor", "rising", "dormant") if getattr(m, c)
                ),
                "yes" if m.staff else "no",
                " ".join(sorted(facts.get(m.pk, ()))),
                _day(m.first_seen_at),
                _day(m.last_seen_at),
            ]
            for field in fields:
                row.append(_cell(values.get((m.pk, field.pk))))
            yield row


def _day(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value is not None else ""


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


HEADER = [
    "id",
    "name",
    "email",
    "language",
    "accounts",
    "tags",
    "reach",
    "mentions",
    "engagement",
    "level",
    "sentiment",
    "influence",
    "classes",
    "staff",
    "consents",
    "first_seen",
    "last_seen",
]


@workspace_view(COMMUNITY_FILES)
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The segment's members as CSV (every text cell safe from spreadsheet formulas)."""
    segment = get_workspace_object_or_404(
        request, Segment.objects.select_related("workspace"), id=segment_id
    )
    try:
        members = segments.segment_members(segment)
    except SegmentError as error:
        messages.error(request, words(error))
        return redirect("community:segments", request.workspace.slug)  # type: ignore[attr-defined]
    fields = list(CustomField.objects.filter(workspace=segment.workspace))
    stamp = timezone.localdate().isoformat()
    name = slugify(segment.name)[:60] or f"segment-{segment.pk}"
    return csv_response(
        f"{name}-{stamp}.csv",
        HEADER + [f"field:{field.key}" for field in fields],
        export_rows(segment.workspace_id, members, fields),
    )


__all__ = ["Consent", "segment_delete", "segment_edit", "segment_export", "segment_list"]
