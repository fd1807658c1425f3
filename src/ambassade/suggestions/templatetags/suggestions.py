"""``{{ text|placeholders }}``: the text escaped, its ``{placeholder}``s marked for the agent."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@register.filter
def placeholders(text: str) -> SafeString:
    escaped = escape(text)  # placeholders hold only letters and _, unchanged by escaping
    return mark_safe(  # noqa: S308 - escaped above; only <mark> added around {names}
        _PLACEHOLDER.sub(lambda m: f'<mark class="placeholder">{m.group()}</mark>', escaped)
    )
