"""Error reports that hide secrets even in debug mode.

Django's default filter hides ``sensitive_variables`` and ``sensitive_post_parameters`` only when
DEBUG is off; with it on, the debug page would show a pasted access token. This filter is always
active (settings.DEFAULT_EXCEPTION_REPORTER_FILTER).
"""

from __future__ import annotations

from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class AlwaysSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request: Any) -> bool:
        return True
