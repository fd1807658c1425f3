from __future__ import annotations

from django import template

from ambassade.publishing.metrics import metric_phrase

register = template.Library()


@register.simple_tag
def metric(name: str, value: object) -> str:
    """One counter of a published post in words: ``{% metric name value %}``."""
    return metric_phrase(name, value)
