"""What a member's page shows of tags, notes and custom fields (``views.member_page``)."""

from __future__ import annotations

from typing import Any

from ambassade.community.forms import FieldValuesForm, NoteForm, TagsForm, shown_value
from ambassade.community.models import CustomField, FieldValue, Member

__all__ = ["crm_context"]


def crm_context(
    member: Member, can_edit: bool, fields_form: FieldValuesForm | None = None
) -> dict[str, Any]:
    tags = list(member.tag_set.order_by("name").values_list("name", flat=True))
    fields = list(CustomField.objects.filter(workspace_id=member.workspace_id))
    values = {
        value.field_id: value.value
        for value in FieldValue.objects.filter(member=member).select_related("field")
    }
    context: dict[str, Any] = {
        "tags": tags,
        "notes": list(member.note_set.select_related("author")[:50]),
        "field_values": [
            (field, values.get(field.pk)) for field in fields if values.get(field.pk) is not None
        ],
        "has_fields": bool(fields),
    }
    if can_edit:
        context["tags_form"] = TagsForm(initial={"tags": ", ".join(tags)})
        context["note_form"] = NoteForm()
        context["fields_form"] = fields_form or FieldValuesForm(
            fields,
            initial={
                f"f_{field.key}": shown_value(field, values.get(field.pk)) for field in fields
            },
        )
    return context
