"""Analytics' messages in the reader's language: the periods ``engine.measures`` refuses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "period.end_before_start": _("the period ends (%(end)s) before it starts (%(start)s)"),
        "period.too_long": _("a period covers at most %(days)s days"),
        "period.unknown_zone": _("the time zone %(zone)s is unknown"),
        "metrics.no_reader": _("Ambassade does not read the numbers of %(network)s accounts."),
        "metrics.unexpected": _("Reading the account failed unexpectedly (%(detail)s)."),
    }
)
