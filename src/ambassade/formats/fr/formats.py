"""French: Django's dates as shown (``11 décembre 2026``, ``11/12/2026 09:30``). Forms: ISO."""

from ambassade.formats._iso import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS", "TIME_INPUT_FORMATS"]
