"""What the team writes about members: tags, notes, custom fields, segments. Every write audited.

- Tags: :func:`set_tags` (one member), :func:`add_tags` / :func:`remove_tags` (many, from the list).
- Notes: :func:`add_note` (on the member's timeline, with its author and date), :func:`delete_note`.
- Custom fields: :func:`save_field` / :func:`delete_field` (defined per workspace),
  :func:`set_values` (a member's values, all checked before anything is written; errors per field).
- Segments: :func:`save_segment`, :func:`delete_segment`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.community import activities
from ambassade.community.models import (
    Activity,
    CustomField,
    FieldValue,
    Member,
    MemberTag,
    Note,
    Segment,
)
from ambassade.community.services import ActionError
from ambassade.engine.segments import SegmentError, parse_field_value
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Workspace

__all__ = [
    "FieldErrors",
    "add_note",
    "add_tags",
    "clean_tags",
    "delete_field",
    "delete_note",
    "delete_segment",
    "remove_tags",
    "save_field",
    "save_segment",
    "set_tags",
    "set_values",
    "store_value",
    "tags_of",
    "write_note",
]

MAX_TAGS = 20
MAX_TAG = 40
MAX_NOTE = 10_000
SOURCE_NOTE = "community.note"
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SPACES = re.compile(r"\s+")


class FieldErrors(Exception):
    """Values that cannot be stored: ``errors`` maps each field's key to its coded error."""

    def __init__(self, errors: dict[str, SegmentError]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, inner spaces collapsed, at most 40 characters, no repeats."""
    found = (_SPACES.sub(" ", tag).strip()[:MAX_TAG] for tag in tags)
    return list(dict.fromkeys(tag for tag in found if tag))


def tags_of(member: Member) -> list[str]:
    return list(member.tag_set.order_by("name").values_list("name", flat=True))


def set_tags(member: Member, actor: Any, tags: Iterable[str]) -> list[str]:
    """Make ``tags`` the member's tags (at most 20). Audited when they change."""
    wanted = clean_tags(tags)
    if len(wanted) > MAX_TAGS:
        raise ActionError(_("A member has at most %(count)d tags.") % {"count": MAX_TAGS})
    current = tags_of(member)
    if set(wanted) == set(current):
        return current
    with transaction.atomic():
        member.tag_set.exclude(name__in=wanted).delete()
        MemberTag.objects.bulk_create(
            [
                MemberTag(workspace_id=member.workspace_id, member=member, name=name)
                for name in wanted
                if name not in current
            ],
            ignore_conflicts=True,
        )
        workspace_services.record_audit(
            member.workspace,
            actor,
            "community.member.tagged",
            member,
            details={"tags": sorted(wanted)},
        )
    return sorted(wanted)


def add_tags(
    workspace: Workspace, member_ids: Sequence[int], actor: Any, tags: Iterable[str]
) -> int:
    """Add ``tags`` to the workspace's members ``member_ids`` (others are ignored); returns how
    many members gained a tag. One audit line."""
    names = clean_tags(tags)
    if not names:
        raise ActionError(_("Write at least one tag."))
    ids = list(
        Member.objects.filter(workspace=workspace, id__in=list(member_ids)).values_list(
            "id", flat=True
        )
    )
    have = set(
        MemberTag.objects.filter(member_id__in=ids, name__in=names).values_list("member_id", "name")
    )
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for member_id, _name in MemberTag.objects.filter(member_id__in=ids).values_list(
        "member_id", "name"
    ):
        counts[member_id] += 1
    new = []
    refused = 0
    for member_id in ids:
        missing = [name for name in names if (member_id, name) not in have]
        if counts[member_id] + len(missing) > MAX_TAGS:
            refused += 1
            continue
        new.extend(MemberTag(workspace=workspace, member_id=member_id, name=n) for n in missing)
    if refused:
        raise ActionError(
            _(
                "%(count)d of these members would have more than %(limit)d tags: nothing was changed."
            )
            % {"count": refused, "limit": MAX_TAGS}
        )
    with transaction.atomic():
        MemberTag.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        workspace_services.record_audit(
            workspace,
            actor,
            "community.members.tagged",
            None,
            details={"tags": names, "members": len(ids)},
        )
    return len({tag.member_id for tag in new})


def remove_tags(
    workspace: Workspace, member_ids: Sequence[int], actor: Any, tags: Iterable[str]
) -> int:
    """Take ``tags`` off the workspace's members ``member_ids``; returns how many lost one."""
    names = clean_tags(tags)
    if not names:
        raise ActionError(_("Write at least one tag."))
    rows = MemberTag.objects.filter(
        workspace=workspace, member_id__in=list(member_ids), name__in=names
    )
    with transaction.atomic():
        touched = len(set(rows.values_list("member_id", flat=True)))
        rows.delete()
        workspace_services.record_audit(
            workspace,
            actor,
            "community.members.untagged",
            None,
            details={"tags": names, "members": touched},
        )
    return touched


# --- notes --------------------------------------------------------------------------------------


def add_note(member: Member, actor: Any, text: str) -> Note:
    """A note about ``member`` by ``actor``, now, on their timeline (attached to their most
    followed account, so it follows a separation of that account)."""
    text = (text or "").strip()
    if not text:
        raise ActionError(_("The note is empty."))
    if len(text) > MAX_NOTE:
        raise ActionError(_("A note has at most %(count)d characters.") % {"count": MAX_NOTE})
    with transaction.atomic():
        note = write_note(member, actor, text)
        workspace_services.record_audit(member.workspace, actor, "community.note.added", member)
    return note


def write_note(member: Member, actor: Any, text: str) -> Note:
    """The note and its timeline line, unchecked and unaudited (a customer file's import)."""
    note = Note.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        author=actor if getattr(actor, "pk", None) else None,
        text=text,
    )
    _note_on_timeline(note)
    return note


def _note_on_timeline(note: Note) -> None:
    identity = note.member.identities.order_by("-max_followers", "id").first()
    if identity is None:
        return
    Activity.objects.get_or_create(
        workspace_id=note.workspace_id,
        source=SOURCE_NOTE,
        source_id=note.pk,
        defaults={
            "identity": identity,
            "kind": "note",
            "occurred_at": note.created_at,
            "weight": activities.weight_of("note"),
            "note": note,
        },
    )


def delete_note(note: Note, actor: Any) -> None:
    with transaction.atomic():
        member = note.member
        note.delete()  # its timeline line goes with it (foreign key)
        workspace_services.record_audit(member.workspace, actor, "community.note.deleted", member)


# --- custom fields ------------------------------------------------------------------------------


def save_field(
    workspace: Workspace,
    actor: Any,
    *,
    key: str,
    label: str,
    type: str,
    choices: Sequence[str] = (),
    field: CustomField | None = None,
) -> CustomField:
    """Define (or change) a custom field. The key and type of a field with values cannot change
    (values would lose their meaning); a choice still held by a member cannot be removed."""
    key, label = key.strip(), label.strip()
    if not KEY.fullmatch(key):
        raise ActionError(
            _("The key is lower-case letters, digits and _, starting with a letter (40 at most).")
        )
    if not label:
        raise ActionError(_("The field needs a label."))
    if type not in CustomField.Type.values:
        raise ActionError(_("Unknown field type."))
    clean = list(dict.fromkeys(c.strip()[:100] for c in choices if c.strip()))
    if type == CustomField.Type.CHOICE and not clean:
        raise ActionError(_("A choice field needs at least one choice."))
    if type != CustomField.Type.CHOICE:
        clean = []
    with transaction.atomic():
        if field is not None:
            used = field.values.exists()
            if used and (key != field.key or type != field.type):
                raise ActionError(
                    _("Members have values in this field: its key and type cannot change.")
                )
            if type == CustomField.Type.CHOICE:
                held = set(field.values.values_list("text", flat=True))
                lost = sorted(held - set(clean))
                if lost:
                    raise ActionError(
                        _("Members still have these choices: %(choices)s.")
                        % {"choices": ", ".join(lost)}
                    )
            field.key, field.label, field.type, field.choices = key, label[:80], type, clean
        else:
            field = CustomField(
                workspace=workspace,
                key=key,
                label=label[:80],
                type=type,
                choices=clean,
                position=CustomField.objects.filter(workspace=workspace).count(),
            )
        try:
            with transaction.atomic():
                field.save()
        except IntegrityError:
            raise ActionError(_("Another field has this key.")) from None
        workspace_services.record_audit(
            workspace, actor, "community.field.saved", None, details={"key": key}
        )
    return field


def delete_field(field: CustomField, actor: Any) -> None:
    """Delete a field and its values, unless a segment filters on it (it would widen)."""
    using = [
        segment.name
        for segment in Segment.objects.filter(workspace_id=field.workspace_id)
        if any(c.get("field") == field.key for c in (segment.definition or {}).get("fields", []))
    ]
    if using:
        raise ActionError(
            _("Segments filter on this field: %(names)s. Change them first.")
            % {"names": ", ".join(sorted(using))}
        )
    with transaction.atomic():
        key = field.key
        field.delete()
        workspace_services.record_audit(
            field.workspace, actor, "community.field.deleted", None, details={"key": key}
        )


def store_value(member_id: int, workspace_id: int, field: CustomField, value: Any) -> None:
    """Write one checked value (``None`` or "" clears it). No audit: callers write theirs."""
    if value is None or value == "":
        FieldValue.objects.filter(member_id=member_id, field=field).delete()
        return
    columns: dict[str, Any] = {
        "text": "",
        "text_key": "",
        "number": None,
        "date": None,
        "flag": None,
    }
    if field.type in (CustomField.Type.TEXT, CustomField.Type.CHOICE):
        columns["text"], columns["text_key"] = value, str(value).casefold()
    elif field.type == CustomField.Type.NUMBER:
        columns["number"] = value
    elif field.type == CustomField.Type.DATE:
        columns["date"] = value
    else:
        columns["flag"] = value
    FieldValue.objects.update_or_create(
        member_id=member_id, field=field, defaults={"workspace_id": workspace_id, **columns}
    )


def set_values(member: Member, actor: Any, raw: Mapping[str, Any]) -> None:
    """Set the member's custom fields from ``raw`` (key → what was typed; "" clears). Every
    value is checked first; FieldErrors lists the refused ones and nothing is written."""
    fields = {f.key: f for f in CustomField.objects.filter(workspace_id=member.workspace_id)}
    checked: dict[str, Any] = {}
    errors: dict[str, SegmentError] = {}
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            errors[key] = SegmentError(key, "segment.unknown_field", where=key, value=key)
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            checked[key] = None
            continue
        try:
            checked[key] = parse_field_value(field.type, value, field.choices, field.label)
        except SegmentError as error:
            errors[key] = error
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        for key, value in checked.items():
            store_value(member.pk, member.workspace_id, fields[key], value)
        Member.objects.filter(pk=member.pk).update(updated_at=timezone.now())
        workspace_services.record_audit(
            member.workspace,
            actor,
            "community.member.fields",
            member,
            details={"fields": sorted(checked)},
        )


# --- segments -----------------------------------------------------------------------------------


def save_segment(
    workspace: Workspace,
    actor: Any,
    *,
    name: str,
    definition: Mapping[str, Any],
    description: str = "",
    segment: Segment | None = None,
) -> Segment:
    """Save a segment; ``definition`` is checked (SegmentError) and stored in canonical form."""
    from ambassade.community.segments import parse_for

    name = name.strip()[:120]
    if not name:
        raise ActionError(_("The segment needs a name."))
    canonical = parse_for(workspace, definition).to_json()
    segment = segment or Segment(
        workspace=workspace, created_by=actor if getattr(actor, "pk", None) else None
    )
    segment.name, segment.description = name, description.strip()[:2000]
    segment.definition, segment.updated_at = canonical, timezone.now()
    try:
        with transaction.atomic():
            segment.save()
            workspace_services.record_audit(
                workspace, actor, "community.segment.saved", None, details={"name": name}
            )
    except IntegrityError:
        raise ActionError(_("Another segment has this name.")) from None
    return segment


def delete_segment(segment: Segment, actor: Any) -> None:
    with transaction.atomic():
        name = segment.name
        segment.delete()
        workspace_services.record_audit(
            segment.workspace, actor, "community.segment.deleted", None, details={"name": name}
        )
