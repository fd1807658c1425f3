"""The agency view (``/analytics/agency/``): the person's workspaces side by side, sortable, and
its table as CSV. Only the person's own memberships are read (``agency.memberships``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from ambassade.analytics import agency
from ambassade.analytics.templatetags.analytics import kpi_value
from ambassade.engine.measures import MAX_DAYS
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.dates import DateField

__all__ = ["agency_csv", "agency_page"]

DEFAULT_DAYS = 30
SORTS = ("name", *agency.BY_CODE)


class AgencyForm(forms.Form):
    start = DateField(label=gettext_lazy("From"), required=False)
    end = DateField(label=gettext_lazy("To"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(code, code) for code in SORTS])
    order = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(
            data, initial={"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today}
        )
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            self.add_error("end", _("The period ends before it starts."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", _("A period covers at most %(days)s days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data


def _read(request: HttpRequest) -> tuple[AgencyForm, date, date, str, bool]:
    today = timezone.localdate()
    form = AgencyForm(request.GET or None, today=today)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        start, end = data["start"], data["end"]
        sort = data.get("sort") or "name"
        descending = data.get("order") == "desc"
    else:
        start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
        sort, descending = "name", False
    return form, start, end, sort, descending


def _headers(start: date, end: date, sort: str, descending: bool) -> list[dict[str, Any]]:
    """Each column's heading and the link that sorts by it (a second click reverses)."""
    base = {"start": start.isoformat(), "end": end.isoformat()}
    headers = []
    for code, label, help_text, numeric in [
        ("name", _("Workspace"), "", False),
        *[
            (
                column.code,
                str(column.label),
                str(column.catalogue.definition if column.catalogue else column.help),
                True,
            )
            for column in agency.COLUMNS
        ],
    ]:
        current = code == sort
        # numbers sort from the largest first, names from A
        first = "desc" if numeric else "asc"
        order = ("asc" if descending else "desc") if current else first
        headers.append(
            {
                "code": code,
                "label": label,
                "help": help_text,
                "numeric": numeric,
                "sorted": ("descending" if descending else "ascending") if current else "",
                "href": "?" + urlencode({**base, "sort": code, "order": order}),
            }
        )
    return headers


class _Links:
    """``reverse(name, args=[slug])`` for every workspace of the page, each URL name reversed
    once: a slug is a URL's only variable part and never needs quoting."""

    MARK = "--workspace--"

    def __init__(self) -> None:
        self._patterns: dict[str, str] = {}

    def __call__(self, name: str, slug: str) -> str:
        pattern = self._patterns.get(name)
        if pattern is None:
            pattern = self._patterns[name] = reverse(name, args=[self.MARK])
        return pattern.replace(self.MARK, slug, 1)


def rows_html(rows: list[agency.Row]) -> SafeString:
    """An organisation's table rows, written in Python (20 workspaces of 14 cells took most of the
    page's time through the template language, a ``{% url %}`` per cell), every text escaped."""

    def esc(value: Any) -> str:
        return str(conditional_escape(value))

    link = _Links()
    not_open = esc(_("Your role in this workspace does not open this page."))
    labels = {column.code: esc(column.label) for column in agency.COLUMNS}
    out: list[str] = []
    for row in rows:
        slug = row.workspace.slug
        out.append(
            f'<tr><th scope="row"><a href="{esc(link("workspace_home", slug))}">'
            f"{esc(row.workspace.name)}</a></th>"
        )
        for cell in row.ordered:
            column = cell.column
            out.append(f'<td class="num"><span class="cell-label">{labels[column.code]}</span>')
            if not cell.allowed:
                out.append(f'<span class="subtle" title="{not_open}">·</span>')
            elif column.code == "crisis":
                if cell.target:
                    href = reverse("crisis:crisis", args=[slug, cell.target["pk"]])
                    word = pgettext("a crisis", "open")
                    out.append(f'<a class="badge badge-danger" href="{esc(href)}">{esc(word)}</a>')
                else:
                    out.append(f'<a href="{esc(link(column.link, slug))}">—</a>')
            else:
                href = link(column.link, slug) + (f"?{column.query}" if column.query else "")
                out.append(f'<a href="{esc(href)}">{esc(kpi_value(cell.value, column.unit))}</a>')
                if column.metric:
                    change = cell.change
                    good = change.get("good") if change else None
                    state = " is-up" if good else " is-down" if good is False else ""
                    if change:
                        text = esc(change["text"])
                    else:
                        before = _("before: %(before)s") % {
                            "before": kpi_value(cell.before, column.unit)
                        }
                        text = f'<span class="subtle">{esc(before)}</span>'
                    out.append(f'<span class="agency-change{state}">{text}</span>')
            out.append("</td>")
        out.append('<td class="no-print">')
        if row.client_report:
            href = reverse("analytics:report", args=[slug, row.client_report.pk])
            word = _("Client report")
            out.append(
                f'<a class="button button-small button-quiet" href="{esc(href)}">{esc(word)}</a>'
            )
        elif row.can_manage_reports:
            href = reverse("analytics:report_create", args=[slug]) + "?template=client"
            # Worded outside the f-string: makemessages does not read inside one.
            word = _("New client report")
            out.append(
                f'<a class="button button-small button-quiet" href="{esc(href)}">{esc(word)}</a>'
            )
        out.append("</td></tr>\n")
    return mark_safe("".join(out))  # noqa: S308 (every text escaped above)


@login_required
@require_GET
def agency_page(request: HttpRequest) -> HttpResponse:
    form, start, end, sort, descending = _read(request)
    fresh = request.GET.get("fresh") == "1"
    groups = agency.sort_groups(
        agency.build(request.user, start, end, fresh=fresh), sort, descending
    )
    computed = [row.computed_at for group in groups for row in group.rows]
    query = urlencode(
        {"start": start.isoformat(), "end": end.isoformat(), "sort": sort}
        | ({"order": "desc"} if descending else {})
    )
    previous = next((row.previous for group in groups for row in group.rows), None)
    for group in groups:
        group.body = rows_html(group.rows)
    return render(
        request,
        "analytics/agency.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "previous": previous,
            "groups": groups,
            "headers": _headers(start, end, sort, descending),
            "query": query,
            "computed_at": min(computed) if computed else None,
            "workspaces": sum(len(group.rows) for group in groups),
        },
    )


def _raw(value: float | None) -> Any:
    if value is None:
        return ""
    return round(value, 2) if value % 1 else int(value)


@login_required
@require_GET
def agency_csv(request: HttpRequest) -> HttpResponse:
    """One row a workspace: every column's value and, for the KPIs, the period before's; empty
    where there is nothing to measure or the person's role does not open it."""
    _form, start, end, sort, descending = _read(request)
    groups = agency.sort_groups(agency.build(request.user, start, end), sort, descending)
    header = [_("Organisation"), _("Workspace"), _("From"), _("To")]
    for column in agency.COLUMNS:
        header.append(str(column.label))
        if column.metric:
            header.append(_("%(column)s, period before") % {"column": column.label})
    rows = []
    for group in groups:
        for row in group.rows:
            line: list[Any] = [
                group.organisation.name,
                row.workspace.name,
                row.period.start.isoformat(),
                row.period.end.isoformat(),
            ]
            for cell in row.ordered:
                line.append(_raw(cell.value))
                if cell.column.metric:
                    line.append(_raw(cell.before))
            rows.append(line)
    return csv_response(f"agency-{start.isoformat()}-{end.isoformat()}.csv", header, rows)
