"""A member's score history on their page (a Vega-Lite chart of their engagement over the past
year, the table of each change behind it) and as CSV (docs/community.md, "Score history")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.community import history
from ambassade.community.models import Member
from ambassade.community.permissions import COMMUNITY_VIEW
from ambassade.engine import charts as specs
from ambassade.workspaces.charts import chart_locale, locale_json
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.permissions import get_workspace_object_or_404, workspace_view

__all__ = ["history_context", "member_scores_csv"]

#: Days of history the member page shows.
DAYS = 365


def _class_names() -> dict[str, str]:
    return {
        "ambassador": _("ambassador"),
        "detractor": _("detractor"),
        "rising": _("rising"),
        "dormant": _("dormant"),
    }


def history_context(member: Member) -> dict[str, Any] | None:
    """The page's chart and table, or None before the member's scores were first stored."""
    zone = timezone.get_current_timezone()
    today = timezone.now().astimezone(zone).date()
    first = today - dt.timedelta(days=DAYS - 1)
    points = history.member_history(member, since=first)
    if not points:
        return None
    label = _("Engagement")
    rows = [(day, label, point.love) for day, point in history.each_day(points, first, today)]
    _code, locale = chart_locale()
    description = _("Their engagement score as it was stored each day of the past year")
    spec = specs.daily_lines(
        rows,
        description=description,
        y_title=label,
        day_title=_("Day"),
        series_title=_("Score"),
        day_format=locale.day_format,
        counts=False,
    )
    names = _class_names()
    changes = [
        (point, ", ".join(names[c] for c in point.classes))
        for point in reversed(points)
        if point.day >= first or point is points[0]
    ]
    return {
        "spec": json.dumps(spec),
        "chart_locale": locale_json(),
        "label": description,
        "changes": changes,
        "csv_url": reverse("community:member_scores_csv", args=[member.workspace.slug, member.pk]),
    }


@workspace_view(COMMUNITY_VIEW)
def member_scores_csv(request: HttpRequest, member_id: int) -> HttpResponse:
    """Every stored point of the member's scores, oldest first."""
    member = get_workspace_object_or_404(request, Member, id=member_id)
    names = _class_names()
    header = [
        _("From"),
        _("Engagement"),
        _("Level"),
        _("Sentiment"),
        _("Influence"),
        _("Classes"),
    ]
    rows = (
        [
            point.day.isoformat(),
            point.love,
            point.level,
            point.sentiment,
            point.influence,
            ", ".join(names[c] for c in point.classes),
        ]
        for point in history.member_history(member)
    )
    return csv_response(f"member-{member.pk}-scores.csv", header, rows)
