"""Event pages. Staff pages read through ``workspace_queryset`` and write through ``services``;
the public page is found by the event's unguessable token, a ticket by the person's signed private
link, and neither shows anything else of the workspace."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.community.models import Segment
from ambassade.events import deliveries, invitations, services, tracking, withdrawal
from ambassade.events.calendar import ics
from ambassade.events.forms import CheckInForm, EventForm, RsvpForm
from ambassade.events.models import Event, Rsvp
from ambassade.events.permissions import EVENTS_CHECK_IN, EVENTS_MANAGE, EVENTS_VIEW
from ambassade.events.tickets import qr_svg
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.messages import StoredMessage, coded, words
from ambassade.workspaces.params import parse_int
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 50
#: The check-in page lists this many matches of a name search.
SEARCH_LIMIT = 30


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _can(request: HttpRequest, action: str) -> bool:
    return can_role(request.membership.role, action)  # type: ignore[attr-defined]


def _counts(event: Event) -> dict[str, int]:
    return event.rsvps.aggregate(
        confirmed=Count("id", filter=Q(status=Rsvp.Status.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=Rsvp.Status.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=Rsvp.Status.CANCELLED)),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
    )


# --- staff pages ----------------------------------------------------------------------------------


@workspace_view(EVENTS_VIEW)
def events(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = workspace_queryset(request, Event).annotate(
        confirmed=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.CONFIRMED)),
        waitlisted=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.WAITLISTED)),
        checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
    )
    return render(
        request,
        "events/events.html",
        {
            "upcoming": list(rows.filter(ends_at__gt=now).order_by("starts_at", "id")),
            "past": list(rows.filter(ends_at__lte=now).order_by("-starts_at", "-id")[:100]),
            "can_manage": _can(request, EVENTS_MANAGE),
        },
    )


def _save(request: HttpRequest, form: EventForm, event: Event | None) -> Event | None:
    fields = dict(form.cleaned_data)
    try:
        if event is None:
            return services.create_event(_ws(request), request.user, **fields)
        promoted = services.update_event(event, request.user, **fields)
    except services.EventError as error:
        form.add_error(None, words(error.message))
        return None
    if promoted:
        messages.info(
            request,
            _("%(count)s people of the waiting list got a seat and are told by e-mail.")
            % {"count": len(promoted)},
        )
    return event


@workspace_view(EVENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, time_zone=_ws(request).time_zone)
    if request.method == "POST" and form.is_valid():
        event = _save(request, form, None)
        if event is not None:
            messages.success(request, _("Event created. Share its public page to take RSVPs."))
            return redirect("events:event", _ws(request).slug, event.pk)
    return render(request, "events/event_form.html", {"form": form, "heading": _("New event")})


@workspace_view(EVENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    # The form shows and reads the start and end in the event's own time zone.
    with timezone.override(event.time_zone):
        form = EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
        if request.method == "POST" and form.is_valid() and _save(request, form, event) is not None:
            messages.success(request, _("Event saved."))
            return redirect("events:event", _ws(request).slug, event.pk)
        return render(
            request,
            "events/event_form.html",
            {"form": form, "event": event, "heading": event.title},
        )


def _attendees(request: HttpRequest, event: Event) -> tuple[Any, str, str]:
    show = request.GET.get("show", "all")
    rows = event.rsvps.select_related("identity").order_by("registered_at", "id")
    if show in Rsvp.Status.values:
        rows = rows.filter(status=show)
    elif show == "checked_in":
        rows = rows.filter(checked_in_at__isnull=False)
    else:
        show = "all"
    query = str(request.GET.get("q", "")).strip()[:120]
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(email__icontains=query) | Q(code=query))
    return rows, show, query


@workspace_view(EVENTS_VIEW)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    rows, show, query = _attendees(request, event)
    page = Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), minimum=1))
    counts = _counts(event)
    followup = event.rsvps.filter(checked_in_at__isnull=False, consent=True).aggregate(
        total=Count("id"), sent=Count("id", filter=Q(followed_up_at__isnull=False))
    )
    with timezone.override(event.time_zone):
        return render(
            request,
            "events/event.html",
            {
                "event": event,
                "phase": event.phase(),
                "page": page,
                "show": show,
                "query": query,
                "counts": counts,
                "seats_left": None
                if event.capacity is None
                else max(0, event.capacity - counts["confirmed"]),
                "followup": followup,
                "public_url": services.public_url(event),
                "can_manage": _can(request, EVENTS_MANAGE),
                "can_check_in": _can(request, EVENTS_CHECK_IN),
                "statuses": Rsvp.Status.choices,
                "segments": Segment.objects.filter(workspace=event.workspace_id).order_by(
                    "name", "id"
                )
                if _can(request, EVENTS_MANAGE)
                else [],
                "invited": event.invitations.count(),
            },
        )


@workspace_view(EVENTS_MANAGE)
@require_POST
def event_invite(request: HttpRequest, event_id: int) -> HttpResponse:
    """Invite the members of a saved segment (with consent to event e-mails) by e-mail."""
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    back = redirect("events:event", _ws(request).slug, event.pk)
    segment_id = parse_int(request.POST.get("segment"))
    segment = (
        Segment.objects.filter(workspace=_ws(request), pk=segment_id).first()
        if segment_id is not None
        else None
    )
    if segment is None:
        messages.error(request, words(coded("event.segment_unknown")))
        return back
    try:
        outcome = invitations.invite_segment(event, request.user, segment)
    except services.EventError as error:
        messages.error(request, words(error.message))
        return back
    left_out = ", ".join(
        f"{words(coded(f'event.invite.{reason}'))}: {count}"
        for reason, count in outcome.left_out.items()
    )
    text = ngettext(
        "%(count)s member of “%(segment)s” invited; the e-mail is on its way.",
        "%(count)s members of “%(segment)s” invited; their e-mails are on their way.",
        outcome.invited,
    ) % {"count": outcome.invited, "segment": segment.name}
    if left_out:
        text += " " + _("Not invited: %(reasons)s.") % {"reasons": left_out}
    messages.success(request, text)
    return redirect("events:emails", _ws(request).slug, event.pk)


def _deliveries(request: HttpRequest, event: Event) -> tuple[list[Any], list[Any], str, str]:
    everything = deliveries.of_event(event)
    kind = str(request.GET.get("kind", ""))
    state = str(request.GET.get("state", ""))
    kind = kind if kind in deliveries.KINDS else ""
    state = state if state in deliveries.STATES else ""
    rows = [
        row
        for row in everything
        if (not kind or row.kind == kind) and (not state or row.state == state)
    ]
    return everything, rows, kind, state


def _label(prefix: str, value: str) -> StoredMessage:
    return coded(f"event.mail.{prefix}.{value}")


@workspace_view(EVENTS_VIEW)
def event_emails(request: HttpRequest, event_id: int) -> HttpResponse:
    """Every e-mail of the event with its state, counts at the top, filtered by kind and state."""
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    everything, rows, kind, state = _deliveries(request, event)
    page = Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), minimum=1))
    counts = deliveries.counts(everything)
    filters = "&".join(
        part for part in (f"kind={kind}" if kind else "", f"state={state}" if state else "") if part
    )
    with timezone.override(event.time_zone):
        return render(
            request,
            "events/emails.html",
            {
                "event": event,
                "page": page,
                "kind": kind,
                "state": state,
                "filters": filters,
                "total": len(everything),
                "opened": sum(1 for row in everything if row.opened_at),
                "clicked": sum(1 for row in everything if row.clicked_at),
                "counts": [(s, _label("state", s), counts[s]) for s in deliveries.STATES],
                "kinds": [(k, _label("kind", k)) for k in deliveries.KINDS],
                "kind_labels": {k: _label("kind", k) for k in deliveries.KINDS},
                "state_labels": {s: _label("state", s) for s in deliveries.STATES},
            },
        )


@workspace_view(EVENTS_VIEW)
def event_emails_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    _everything, rows, _kind, _state = _deliveries(request, event)
    header = [
        _("E-mail"),
        _("Name"),
        _("E-mail address"),
        _("State"),
        _("Reason"),
        _("Attempts"),
        _("Queued"),
        _("Sent"),
        _("Bounced"),
        _("Opened"),
        _("Clicked"),
        _("Clicks"),
    ]

    def iso(value: Any) -> str:
        return value.isoformat(timespec="seconds") if value else ""

    lines = (
        [
            words(_label("kind", row.kind)),
            row.name,
            row.email,
            words(_label("state", row.state)),
            words(row.reason) if row.reason else "",
            row.attempts,
            iso(row.queued_at),
            iso(row.sent_at),
            iso(row.bounced_at),
            iso(row.opened_at),
            iso(row.clicked_at),
            row.clicks,
        ]
        for row in rows
    )
    return csv_response(f"event-{event.pk}-emails.csv", header, lines)


@workspace_view(EVENTS_VIEW)
def attendees_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    header = [
        _("Name"),
        _("E-mail address"),
        _("Status"),
        _("Ticket code"),
        _("Registered"),
        _("Checked in"),
        _("Agreed to event e-mails"),
        _("Language"),
    ]
    labels = dict(Rsvp.Status.choices)
    rows = (
        [
            rsvp.name,
            rsvp.email,
            str(labels.get(rsvp.status, rsvp.status)),
            rsvp.code,
            rsvp.registered_at.isoformat(timespec="seconds"),
            rsvp.checked_in_at.isoformat(timespec="seconds") if rsvp.checked_in_at else "",
            _("yes") if rsvp.consent else _("no"),
            rsvp.lang,
        ]
        for rsvp in event.rsvps.order_by("registered_at", "id").iterator(chunk_size=1000)
    )
    return csv_response(f"event-{event.pk}-attendees.csv", header, rows)


@workspace_view(EVENTS_MANAGE)
@require_POST
def event_followup(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    try:
        count = services.request_followup(event, request.user)
    except services.EventError as error:
        messages.error(request, words(error.message))
    else:
        if count:
            messages.success(
                request,
                _("The follow-up is being sent to %(count)s attendees.") % {"count": count},
            )
        else:
            messages.info(request, _("Every attendee who agreed to event e-mails has it already."))
    return redirect("events:event", _ws(request).slug, event.pk)


@workspace_view(EVENTS_MANAGE)
@require_POST
def rsvp_cancel(request: HttpRequest, event_id: int, rsvp_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    rsvp = get_workspace_object_or_404(request, Rsvp.objects.filter(event=event), pk=rsvp_id)
    promoted = services.cancel(rsvp, request.user)
    messages.success(request, _("The RSVP is cancelled; the person is told by e-mail."))
    if promoted is not None:
        messages.info(
            request,
            _("%(name)s, first on the waiting list, got the seat.") % {"name": promoted.name},
        )
    return redirect("events:event", _ws(request).slug, event.pk)


@workspace_view(EVENTS_CHECK_IN)
@require_POST
def rsvp_undo(request: HttpRequest, event_id: int, rsvp_id: int) -> HttpResponse:
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    rsvp = get_workspace_object_or_404(request, Rsvp.objects.filter(event=event), pk=rsvp_id)
    if services.undo_check_in(rsvp, request.user):
        messages.success(request, _("%(name)s is no longer checked in.") % {"name": rsvp.name})
    return redirect("events:check_in", _ws(request).slug, event.pk)


@workspace_view(EVENTS_CHECK_IN)
@require_http_methods(["GET", "POST"])
def check_in_page(request: HttpRequest, event_id: int) -> HttpResponse:
    """The door: scan a ticket (camera where the browser reads QR codes), type its code, or find
    the person by name. Checking in twice says when the first time was."""
    event = get_workspace_object_or_404(request, Event, pk=event_id)
    form = CheckInForm(request.POST if "code" in request.POST else None)
    result = None
    if request.method == "POST":
        rsvp_id = parse_int(request.POST.get("rsvp"))
        if rsvp_id is not None:
            result = services.check_in(event, request.user, rsvp_id=rsvp_id)
        elif form.is_valid():
            result = services.check_in(event, request.user, text=form.cleaned_data["code"])
            form = CheckInForm()
    query = str(request.GET.get("q", "")).strip()[:120]
    found: list[Rsvp] = []
    if query:
        found = list(
            event.rsvps.exclude(status=Rsvp.Status.CANCELLED)
            .filter(Q(name__icontains=query) | Q(email__icontains=query))
            .order_by("name", "id")[:SEARCH_LIMIT]
        )
    with timezone.override(event.time_zone):
        return render(
            request,
            "events/check_in.html",
            {
                "event": event,
                "form": form,
                "result": result,
                "query": query,
                "found": found,
                "counts": _counts(event),
            },
        )


# --- public pages ---------------------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    # The address is the key: never indexed, never sent to another site as a referrer.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _by_token(token: str) -> Event:
    event = Event.objects.filter(token=token[:43]).first()
    if event is None:
        raise Http404("No such event.")
    return event


def _lang() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


@never_cache
@require_http_methods(["GET", "POST"])
def public_event(request: HttpRequest, event_token: str) -> HttpResponse:
    """The event as guests see it, with the RSVP form; after an RSVP, the person's ticket."""
    event = _by_token(event_token)
    form = RsvpForm(request.POST or None)
    error = ""
    if request.method == "POST":
        address = str(request.META.get("REMOTE_ADDR", ""))
        if services.throttled(event, address):
            error = words(coded("event.throttled"))
        elif form.is_valid():
            try:
                done = services.register(
                    event,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    lang=_lang(),
                    consent=form.cleaned_data["consent"],
                    address=address,
                    agent=str(request.META.get("HTTP_USER_AGENT", "")),
                )
            except services.EventError as failure:
                error = words(failure.message)
            else:
                if not done.created:
                    # Said as it is, without the ticket: only the person's own e-mail gives that.
                    return _public(_render_public(request, event, RsvpForm(), "", already=True))
                return redirect("events:ticket", services.private_token(done.rsvp))
        elif form.has_error("website"):
            error = " ".join(form.errors["website"])
    return _public(_render_public(request, event, form, error))


def _render_public(
    request: HttpRequest, event: Event, form: RsvpForm, error: str, *, already: bool = False
) -> HttpResponse:
    now = timezone.now()
    left = services.seats_left(event)
    context = {
        "event": event,
        "form": form,
        "error": error,
        "already": already,
        "phase": event.phase(now),
        "open": event.rsvp_open and now < event.ends_at,
        "seats_left": left,
        "full": left == 0,
        "paragraphs": [p for p in event.description.split("\n\n") if p.strip()],
    }
    # Times read in the event's time zone, which the page names.
    with timezone.override(event.time_zone):
        return render(request, "events/public.html", context)


def public_ics(request: HttpRequest, event_token: str) -> HttpResponse:
    event = _by_token(event_token)
    body = ics(event, _lang(), url=services.public_url(event))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return _public(response)


def _by_private(token: str) -> Rsvp:
    rsvp = services.rsvp_for_token(token)
    if rsvp is None:
        raise Http404("No such ticket.")
    return rsvp


@never_cache
@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, rsvp_token: str) -> HttpResponse:
    """The person's own page (the link in their e-mails): the ticket with its QR code while they
    have a seat, their place in line otherwise, the calendar file, and cancellation."""
    rsvp = _by_private(rsvp_token)
    event = rsvp.event
    cancelled_now = False
    promoted = None
    if request.method == "POST" and request.POST.get("cancel") == "yes":
        if rsvp.active:
            promoted = services.cancel(rsvp)
            cancelled_now = True
        rsvp.refresh_from_db()
    position = None
    if rsvp.status == Rsvp.Status.WAITLISTED:
        position = (
            event.rsvps.filter(status=Rsvp.Status.WAITLISTED)
            .filter(
                Q(registered_at__lt=rsvp.registered_at)
                | Q(registered_at=rsvp.registered_at, id__lt=rsvp.pk)
            )
            .count()
            + 1
        )
    context = {
        "event": event,
        "rsvp": rsvp,
        "token": rsvp_token,
        "position": position,
        "cancelled_now": cancelled_now,
        "promoted": promoted is not None,
        "qr": qr_svg(rsvp, title=_("Ticket %(code)s") % {"code": rsvp.code})
        if rsvp.status == Rsvp.Status.CONFIRMED
        else "",
        "phase": event.phase(),
    }
    with timezone.override(event.time_zone):
        return _public(render(request, "events/ticket.html", context))


def ticket_ics(request: HttpRequest, rsvp_token: str) -> HttpResponse:
    """The calendar file of a confirmed attendee: with the online link."""
    rsvp = _by_private(rsvp_token)
    event = rsvp.event
    body = ics(
        event,
        _lang(),
        url=services.public_url(event),
        with_link=rsvp.status == Rsvp.Status.CONFIRMED,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return _public(response)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, withdraw_token: str) -> HttpResponse:
    """The link in the events' e-mails: stop e-mails about the organiser's events (and cancel the
    registration if the person ticks it). Nothing of the workspace shown but the event and the
    organiser."""
    rsvp = withdrawal.rsvp_for_token(withdraw_token)
    if rsvp is None:
        invitation = withdrawal.invitation_for_token(withdraw_token)
        if invitation is None:
            raise Http404("No such link.")
        return _withdraw_invitation(request, invitation)
    event = rsvp.event
    # The language of the registration, until the person switches with the page's switcher.
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    lang = _lang() if chosen else ("fr" if rsvp.lang == "fr" else "en")
    done = None
    if request.method == "POST":
        done = withdrawal.withdraw(
            rsvp,
            cancel=request.POST.get("cancel") == "yes",
            address=str(request.META.get("REMOTE_ADDR", "")),
            agent=str(request.META.get("HTTP_USER_AGENT", "")),
        )
        rsvp.refresh_from_db()
    context = {
        "event": event,
        "rsvp": rsvp,
        "done": done,
        "may_cancel": rsvp.active and event.phase() != "past",
    }
    with translation.override(lang), timezone.override(event.time_zone):
        response = _public(render(request, "events/withdraw.html", context))
    response["Content-Language"] = lang
    return response


def _withdraw_invitation(request: HttpRequest, invitation: Any) -> HttpResponse:
    """The link in an invitation: the same page, without a registration to cancel."""
    event = invitation.event
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    lang = _lang() if chosen else ("fr" if invitation.lang == "fr" else "en")
    done = None
    if request.method == "POST":
        done = withdrawal.withdraw_invitation(
            invitation,
            address=str(request.META.get("REMOTE_ADDR", "")),
            agent=str(request.META.get("HTTP_USER_AGENT", "")),
        )
    context = {
        "event": event,
        "rsvp": None,
        "invitation": invitation,
        "done": done,
        "may_cancel": False,
    }
    with translation.override(lang), timezone.override(event.time_zone):
        response = _public(render(request, "events/withdraw.html", context))
    response["Content-Language"] = lang
    return response


#: A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
def open_pixel(request: HttpRequest, email_token: str) -> HttpResponse:
    """The 1×1 image of an event's e-mail that counts opens (``events/tracking.py``); the same
    image for any token."""
    row = tracking.row_for(email_token)
    if row is not None:
        tracking.opened(row)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
