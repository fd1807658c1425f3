"""International English: day before month, 24-hour clock. Forms: ISO."""

from ambassade.formats._iso import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS

__all__ = [
    "DATETIME_FORMAT",
    "DATETIME_INPUT_FORMATS",
    "DATE_FORMAT",
    "DATE_INPUT_FORMATS",
    "FIRST_DAY_OF_WEEK",
    "MONTH_DAY_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "TIME_FORMAT",
    "TIME_INPUT_FORMATS",
    "YEAR_MONTH_FORMAT",
]

DATE_FORMAT = "j F Y"  # 11 December 2026
TIME_FORMAT = "H:i"  # 09:30
DATETIME_FORMAT = "j F Y, H:i"  # 11 December 2026, 09:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 11 December
SHORT_DATE_FORMAT = "d/m/Y"  # 11/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 11/12/2026 09:30
FIRST_DAY_OF_WEEK = 1  # Monday
