"""Form fields every app uses where Django's own would answer a server error.

Django's ``ModelMultipleChoiceField`` checks each submitted id with ``int()`` only, then asks the
database for all of them at once: ``'9' * 30`` passes the check and overflows SQLite's (or
PostgreSQL's) integer inside the query. This one refuses any id that is not a database id
(:func:`ambassade.workspaces.params.parse_id`) with the field's own "not a valid value" error.
``tests/test_bad_input.py`` checks that no form of the product uses Django's class directly.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ambassade.workspaces.params import parse_id

__all__ = ["ModelMultipleChoiceField"]


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        if not self.to_field_name:
            for pk in value if isinstance(value, list | tuple) else []:
                if parse_id(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)
