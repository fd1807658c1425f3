"""Pages and actions on what the team writes about members: tags (one member or many), notes,
custom fields. Thin: checks and writes are in :mod:`ambassade.community.crm`."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambassade.community import crm
from ambassade.community.forms import CustomFieldForm, FieldValuesForm, NoteForm, TagsForm
from ambassade.community.models import CustomField, Member, Note
from ambassade.community.permissions import COMMUNITY_EDIT, COMMUNITY_FIELDS
from ambassade.community.services import ActionError
from ambassade.community.views import member_page
from ambassade.workspaces.messages import words
from ambassade.workspaces.params import parse_ids
from ambassade.workspaces.permissions import (
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)
from ambassade.workspaces.redirects import safe_next


def _member(request: HttpRequest, member_id: int) -> Member:
    return get_workspace_object_or_404(
        request, Member.objects.select_related("workspace"), id=member_id
    )


def _back(request: HttpRequest, member: Member) -> HttpResponse:
    return redirect("community:member", request.workspace.slug, member.id)  # type: ignore[attr-defined]


@workspace_view(COMMUNITY_EDIT)
@require_POST
def member_tags(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = TagsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The tags are too long."))
        return _back(request, member)
    try:
        crm.set_tags(member, request.user, form.cleaned_data["tags"].split(","))
        messages.success(request, _("The tags were saved."))
    except ActionError as error:
        messages.error(request, str(error))
    return _back(request, member)


@workspace_view(COMMUNITY_EDIT)
@require_POST
def note_add(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the note (10,000 characters at most)."))
        return _back(request, member)
    try:
        crm.add_note(member, request.user, form.cleaned_data["text"])
        messages.success(request, _("The note was added to their timeline."))
    except ActionError as error:
        messages.error(request, str(error))
    return _back(request, member)


@workspace_view(COMMUNITY_EDIT)
@require_POST
def note_delete(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_workspace_object_or_404(request, Note.objects.select_related("member"), id=note_id)
    member = note.member
    crm.delete_note(note, request.user)
    messages.success(request, _("The note was deleted."))
    return _back(request, member)


@workspace_view(COMMUNITY_EDIT)
@require_POST
def member_fields(request: HttpRequest, member_id: int) -> HttpResponse:
    """Save the member's custom fields: all or none; each refused value said under its field."""
    member = _member(request, member_id)
    fields = list(workspace_queryset(request, CustomField))
    form = FieldValuesForm(fields, request.POST)
    if not form.is_valid():
        messages.error(request, _("Some values cannot be saved: see the fields."))
        return member_page(request, member, form)
    raw = {field.key: form.cleaned_data.get(f"f_{field.key}", "") for field in fields}
    try:
        crm.set_values(member, request.user, raw)
    except crm.FieldErrors as errors:
        for key, error in errors.errors.items():
            form.add_error(f"f_{key}" if f"f_{key}" in form.fields else None, words(error))
        messages.error(request, _("Some values cannot be saved: see the fields."))
        return member_page(request, member, form)
    messages.success(request, _("The fields were saved."))
    return _back(request, member)


@workspace_view(COMMUNITY_EDIT)
@require_POST
def members_tags(request: HttpRequest) -> HttpResponse:
    """From the members list: add (``action=add``) or remove (``remove``) tags on the ticked
    members (``member``, repeatable; the workspace's only)."""
    slug = request.workspace.slug  # type: ignore[attr-defined]
    back = safe_next(request, reverse("community:members", args=[slug]))
    ids = parse_ids(request.POST.getlist("member"), limit=1000)
    tags = request.POST.get("tags", "")[:1000].split(",")
    action = request.POST.get("action")
    if not ids:
        messages.error(request, _("Tick the members to tag first."))
        return redirect(back)
    if action not in ("add", "remove"):
        messages.error(request, _("Choose to add or remove the tags."))
        return redirect(back)
    try:
        if action == "add":
            count = crm.add_tags(request.workspace, ids, request.user, tags)  # type: ignore[attr-defined]
            messages.success(
                request,
                ngettext("Tagged %(count)d member.", "Tagged %(count)d members.", count)
                % {"count": count},
            )
        else:
            count = crm.remove_tags(request.workspace, ids, request.user, tags)  # type: ignore[attr-defined]
            messages.success(
                request,
                ngettext(
                    "Removed the tags from %(count)d member.",
                    "Removed the tags from %(count)d members.",
                    count,
                )
                % {"count": count},
            )
    except ActionError as error:
        messages.error(request, str(error))
    return redirect(back)


@workspace_view(COMMUNITY_FIELDS)
def field_list(request: HttpRequest, field_id: int | None = None) -> HttpResponse:
    """The workspace's custom fields, and the form to add one (or change ``field_id``)."""
    field = (
        get_workspace_object_or_404(
            request, CustomField.objects.select_related("workspace"), id=field_id
        )
        if field_id is not None
        else None
    )
    slug = request.workspace.slug  # type: ignore[attr-defined]
    if request.method == "POST":
        form = CustomFieldForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                crm.save_field(
                    request.workspace,  # type: ignore[attr-defined]
                    request.user,
                    key=data["key"],
                    label=data["label"],
                    type=data["type"],
                    choices=data["choices"].splitlines(),
                    field=field,
                )
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The field was saved."))
                return redirect("community:fields", slug)
    elif field is not None:
        form = CustomFieldForm(
            initial={
                "label": field.label,
                "key": field.key,
                "type": field.type,
                "choices": "\n".join(field.choices),
            }
        )
    else:
        form = CustomFieldForm()
    fields = workspace_queryset(request, CustomField).annotate(used=Count("values"))
    return render(
        request, "community/fields.html", {"form": form, "field": field, "fields": fields}
    )


@workspace_view(COMMUNITY_FIELDS)
@require_POST
def field_delete(request: HttpRequest, field_id: int) -> HttpResponse:
    field = get_workspace_object_or_404(
        request, CustomField.objects.select_related("workspace"), id=field_id
    )
    try:
        crm.delete_field(field, request.user)
        messages.success(request, _("The field and its values were deleted."))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("community:fields", request.workspace.slug)  # type: ignore[attr-defined]


__all__ = [
    "field_delete",
    "field_list",
    "member_fields",
    "member_tags",
    "members_tags",
    "note_add",
    "note_delete",
]
