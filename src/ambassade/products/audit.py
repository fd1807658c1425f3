"""Labels of the products app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

CREATED = register_audit_action("products.product.created", _("added the product"))
UPDATED = register_audit_action("products.product.updated", _("changed the product"))
DELETED = register_audit_action("products.product.deleted", _("deleted the product"))
