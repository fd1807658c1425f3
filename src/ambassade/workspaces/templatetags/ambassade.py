"""Template helpers of the shared layout: accessible form widgets, audit labels and messages in the
reader's language."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from ambassade.workspaces.audit import audit_label
from ambassade.workspaces.messages import words as _words

register = template.Library()


@register.simple_tag
def widget(field: BoundField, **attrs: str) -> SafeString:
    """Render ``field``'s widget described by its help text and errors (``aria-describedby``) and
    marked ``aria-invalid`` when it has errors. The ids match templates/includes/field.html."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def words(message: object) -> str:
    """A message (stored, coded as JSON, an error, text) in the reader's language."""
    return _words(message)


@register.filter
def audit_action(code: str) -> str:
    return audit_label(code)


@register.filter
def person_name(actor_repr: str) -> str:
    """The name part of an audit entry's ``Name <email>`` (the whole text when there is no name)."""
    name, _sep, _rest = actor_repr.partition(" <")
    return name
