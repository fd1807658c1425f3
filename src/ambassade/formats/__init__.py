"""Django format modules (``FORMAT_MODULE_PATH``): how dates are shown, by locale, and how they are
written in forms: ISO 8601 in every locale, what ``<input type="date">``, ``"time"`` and
``"datetime-local"`` need, so a widget renders and reads ISO even when nobody gave it a format.

``en`` is international English: day before month, 24-hour clock (``11 December 2026``,
``11/12/2026 09:30``). ``en_US`` is for readers whose browser asks for American English
(``ambassade.workspaces.locale.LocaleMiddleware``): month before day, 12-hour clock.
"""
