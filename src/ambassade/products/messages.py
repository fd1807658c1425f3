"""The products' messages in the reader's language (codes made in ``products/services.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "product.bad_alias": _("Line %(line)s, column %(column)s: %(error)s"),
        "product.too_many": _("At most %(limit)s lines."),
    }
)
