"""Wordings of the response-time targets' coded messages: the alerts a breach raises (stored, worded
for whoever reads them) and the business hours' errors made by the engine
(``ambassade.engine.scheduling``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "alert.first_response_missed": _(
            "The conversation with %(contact)s passed its first-response target"
        ),
        "alert.next_response_missed": _(
            "The conversation with %(contact)s passed its next-response target"
        ),
        "alert.resolution_missed": _(
            "The conversation with %(contact)s passed its resolution target"
        ),
        "scheduling.unknown_time_zone": _("Unknown time zone “%(zone)s”."),
        "scheduling.bad_weekday": _(
            "A weekday is a number from 0 (Monday) to 6 (Sunday), not %(weekday)s."
        ),
        "scheduling.bad_time": _("An opening's times are times of day, not “%(time)s”."),
        "scheduling.no_business_hours": _(
            "These business hours are never open: no waiting time can be counted in them."
        ),
    }
)
