"""Campaign pages. Staff pages read through ``workspace_queryset`` and write through
``services``; the public unsubscribe page and the open pixel are found by the recipient's
unguessable token and show nothing else of the workspace."""

from __future__ import annotations

import base64
from email.headerregistry import Address
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.community.models import Segment
from ambassade.mailing import (
    audiences,
    bounces,
    composing,
    dkim,
    sending,
    services,
    templating,
    tracking,
)
from ambassade.mailing.forms import (
    DEFAULT_BODY_EN,
    DEFAULT_BODY_FR,
    CampaignForm,
    DkimForm,
    ScheduleForm,
    TestSendForm,
)
from ambassade.mailing.models import Campaign, Recipient
from ambassade.mailing.permissions import MAILING_EDIT, MAILING_SEND, MAILING_VIEW
from ambassade.workspaces.models import Connection
from ambassade.workspaces.params import parse_int
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 50
LANGUAGES = ("fr", "en")
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


#: Why a member of the audience is left out, as the campaign page says it.
REASON_LABELS = {
    "staff": gettext_lazy("staff of the brand (the segment does not ask for them)"),
    "no_address": gettext_lazy("no e-mail address"),
    "no_consent": gettext_lazy("never agreed to receive e-mails"),
    "pending": gettext_lazy("asked, have not confirmed yet (double opt-in)"),
    "unsubscribed": gettext_lazy("unsubscribed"),
    "bounced": gettext_lazy("their address bounced (hard bounce)"),
    "withdrawn": gettext_lazy("withdrew their consent"),
    "address_changed": gettext_lazy("their address changed since they agreed"),
    "duplicate": gettext_lazy("same address as another member (one e-mail per address)"),
}


def _left_out(found: audiences.Breakdown | None) -> list[tuple[Any, int]]:
    if found is None:
        return []
    return [(REASON_LABELS[reason], count) for reason, count in found.left_out.items()]


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _can(request: HttpRequest, action: str) -> bool:
    return can_role(request.membership.role, action)  # type: ignore[attr-defined]


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_workspace_object_or_404(
        request,
        Campaign.objects.select_related("connection", "workspace", "segment"),
        pk=campaign_id,
    )


def _back(campaign: Campaign) -> HttpResponse:
    return redirect("mailing:campaign", campaign.workspace.slug, campaign.pk)


# --- staff pages ----------------------------------------------------------------------------------


@workspace_view(MAILING_VIEW)
def campaigns(request: HttpRequest) -> HttpResponse:
    rows = list(workspace_queryset(request, Campaign).select_related("connection", "segment"))
    # The scheduled ones first, soonest first; then the others, newest first.
    scheduled = sorted(
        (row for row in rows if row.state == Campaign.State.SCHEDULED),
        key=lambda row: (row.send_at, row.pk),
    )
    rows = scheduled + [row for row in rows if row.state != Campaign.State.SCHEDULED]
    for row in rows:
        row.figures = sending.progress(row)  # type: ignore[attr-defined]
    return render(
        request,
        "mailing/campaigns.html",
        {
            "campaigns": rows,
            "can_edit": _can(request, MAILING_EDIT),
            "can_send": _can(request, MAILING_SEND),
            # Counted as the campaign page counts (no staff, one per address…), not every consent.
            "audience": audiences.breakdown(_ws(request)).recipients,
            "has_connection": Connection.objects.filter(
                workspace=_ws(request), network="email"
            ).exists(),
        },
    )


def _save(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> Campaign | None:
    values = {name: form.cleaned_data[name] for name in services.FIELDS}
    try:
        if campaign is None:
            return services.create_campaign(_ws(request), request.user, **values)
        return services.update_campaign(campaign, request.user, **values)
    except services.CampaignError as error:
        form.add_error(error.field or None, str(error))
        return None


def _form_page(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> HttpResponse:
    return render(
        request,
        "mailing/campaign_form.html",
        {"form": form, "campaign": campaign, "variables": templating.variables_help()},
    )


@workspace_view(MAILING_EDIT)
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CampaignForm(request.POST, workspace=_ws(request))
        if form.is_valid():
            campaign = _save(request, form, None)
            if campaign is not None:
                messages.success(request, _("Campaign saved. Check the preview, then send a test."))
                return _back(campaign)
    else:
        # "Write an e-mail to this segment" (the segments page) opens the form with it chosen.
        segment_id = parse_int(request.GET.get("segment"))
        segment = (
            Segment.objects.filter(workspace=_ws(request), pk=segment_id).first()
            if segment_id
            else None
        )
        form = CampaignForm(
            workspace=_ws(request),
            initial={
                "segment": segment,
                "rate_per_hour": 3600,
                "track_clicks": True,
                "body_en": DEFAULT_BODY_EN,
                "body_fr": DEFAULT_BODY_FR,
            },
        )
    return _form_page(request, form, None)


@workspace_view(MAILING_EDIT)
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    if campaign.state == Campaign.State.SCHEDULED:
        messages.error(request, _("Cancel the scheduling to change the campaign."))
        return _back(campaign)
    if not campaign.editable:
        messages.error(request, _("The campaign was sent: it can no longer change."))
        return _back(campaign)
    if request.method == "POST":
        form = CampaignForm(request.POST, instance=campaign, workspace=_ws(request))
        if form.is_valid():
            # The form changed the instance in memory: the service reads the stored row.
            saved = _save(request, form, Campaign.objects.get(pk=campaign.pk))
            if saved is not None:
                messages.success(request, _("Campaign saved."))
                return _back(saved)
    else:
        form = CampaignForm(instance=campaign, workspace=_ws(request))
    return _form_page(request, form, campaign)


def _sample(campaign: Campaign, lang: str) -> composing.Person:
    """Who the preview shows: the first person of the audience reading ``lang``, else an example."""
    try:
        readers = audiences.recipients(
            campaign.workspace_id, campaign.segment, deleted=campaign.segment_deleted
        )
        for n, reader in enumerate(readers):
            if n >= 200:
                break
            if sending.language_for(campaign, reader.optin_lang) == lang:
                return composing.Person(reader.name, reader.email, lang, "preview")
    except audiences.AudienceError:
        pass
    with translation.override(lang):
        return composing.Person(_("Camille Example"), "camille@example.org", lang, "preview")


def _preview(campaign: Campaign, lang: str) -> composing.Composed | None:
    if lang not in campaign.languages:
        return None
    try:
        account_address = sending.account_of(campaign).address
    except Exception:
        account_address = "campaigns@example.org"
    return composing.compose(
        campaign_subject=campaign.subject(lang),
        campaign_body=campaign.body(lang),
        brand=campaign.workspace.name,
        person=_sample(campaign, lang),
        sender=Address(campaign.workspace.name, addr_spec=account_address),
        message_id="preview@example.org",
        links={},
        track_clicks=False,
        track_opens=False,
        list_id="<preview>",
    )


@workspace_view(MAILING_VIEW)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    previews = []
    for lang in LANGUAGES:
        composed = _preview(campaign, lang)
        if composed is not None:
            previews.append({"lang": lang, "subject": composed.subject, "text": composed.text})
    figures = sending.progress(campaign)
    links = list(campaign.links.order_by("-clicks", "id")[:20])
    found: audiences.Breakdown | None = None
    audience_error = ""
    if campaign.not_started:
        try:
            found = services.breakdown(campaign)
        except audiences.AudienceError as error:
            audience_error = services.audience_error(error)
    else:
        found = audiences.Breakdown.from_json(campaign.audience_summary)
    return render(
        request,
        "mailing/campaign.html",
        {
            "campaign": campaign,
            "previews": previews,
            "figures": figures,
            "links": links,
            "audience": found.recipients if found is not None else 0,
            "breakdown": found,
            "left_out": _left_out(found),
            "audience_error": audience_error,
            "schedule_form": ScheduleForm(
                initial={"send_at": timezone.localtime(campaign.send_at)}
                if campaign.send_at
                else None
            ),
            "time_zone": _ws(request).time_zone,
            "test_form": TestSendForm(
                initial={"email": request.user.email, "lang": translation.get_language()[:2]}
            ),
            "can_edit": _can(request, MAILING_EDIT),
            "can_send": _can(request, MAILING_SEND),
            "bounce_state": bounces.settings_of(campaign.workspace),
        },
    )


@workspace_view(MAILING_VIEW)
@xframe_options_sameorigin
def campaign_preview(request: HttpRequest, campaign_id: int, lang: str) -> HttpResponse:
    """The HTML e-mail as the recipient sees it, framed by the campaign page (no script runs)."""
    campaign = _campaign(request, campaign_id)
    composed = _preview(campaign, lang) if lang in LANGUAGES else None
    if composed is None:
        raise Http404("not written in this language")
    response = HttpResponse(composed.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@workspace_view(MAILING_VIEW)
def campaign_progress(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    return render(
        request,
        "mailing/includes/progress.html",
        {"campaign": campaign, "figures": sending.progress(campaign)},
    )


@workspace_view(MAILING_VIEW)
def campaign_recipients(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    rows = Recipient.objects.filter(campaign=campaign).select_related("member").order_by("id")
    state = request.GET.get("state", "")
    if state in Recipient.State.values:
        rows = rows.filter(state=state)
    elif state == "bounced":
        rows = rows.exclude(bounce="")
    elif state == "unsubscribed":
        rows = rows.filter(unsubscribed_at__isnull=False)
    page = Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page")) or 1)
    return render(
        request,
        "mailing/recipients.html",
        {"campaign": campaign, "page": page, "state": state, "states": Recipient.State.choices},
    )


@workspace_view(MAILING_EDIT)
@require_POST
def campaign_test(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(campaign)
    try:
        services.test_send(
            campaign, request.user, form.cleaned_data["email"], form.cleaned_data["lang"]
        )
    except services.CampaignError as error:
        messages.error(request, _("The test was not sent: %(reason)s") % {"reason": error})
    else:
        messages.success(
            request, _("Test sent to %(email)s.") % {"email": form.cleaned_data["email"]}
        )
    return _back(campaign)


@workspace_view(MAILING_SEND)
@require_POST
def campaign_send(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    if request.POST.get("confirm") != "send":
        messages.error(request, _("Tick the box to confirm the sending."))
        return _back(campaign)
    try:
        total = services.start(campaign, request.user)
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Sending to %(count)s people. You can leave this page: it goes on.")
            % {"count": total},
        )
    return _back(campaign)


@workspace_view(MAILING_SEND)
@require_POST
def campaign_schedule(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Schedule a draft, or move a scheduled campaign (the time in the workspace's time zone)."""
    campaign = _campaign(request, campaign_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(campaign)
    try:
        services.schedule(campaign, request.user, form.cleaned_data["send_at"])
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Scheduled: it will be sent on %(when)s.")
            % {
                "when": formats.date_format(timezone.localtime(campaign.send_at), "DATETIME_FORMAT")
            },
        )
    return _back(campaign)


@workspace_view(MAILING_SEND)
@require_POST
def campaign_unschedule(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _state_change(
        request,
        campaign_id,
        services.unschedule,
        _("The scheduling is cancelled: the campaign is a draft again."),
    )


def _state_change(request: HttpRequest, campaign_id: int, action: Any, done: str) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    try:
        action(campaign, request.user)
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(campaign)


@workspace_view(MAILING_SEND)
@require_POST
def campaign_pause(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _state_change(request, campaign_id, services.pause, _("Sending paused."))


@workspace_view(MAILING_SEND)
@require_POST
def campaign_resume(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _state_change(request, campaign_id, services.resume, _("Sending resumed."))


@workspace_view(MAILING_SEND)
@require_POST
def campaign_cancel(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _state_change(
        request, campaign_id, services.cancel, _("Sending cancelled: nothing more is sent.")
    )


@workspace_view(MAILING_EDIT)
@require_POST
def campaign_delete(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    try:
        services.delete_campaign(campaign, request.user)
    except services.CampaignError as error:
        messages.error(request, str(error))
        return _back(campaign)
    messages.success(request, _("Campaign deleted."))
    return redirect("mailing:campaigns", _ws(request).slug)


@workspace_view(MAILING_SEND)
@require_POST
def read_bounces(request: HttpRequest) -> HttpResponse:
    counts = bounces.read_bounces(_ws(request))
    state = bounces.settings_of(_ws(request))
    if state.bounce_error:
        messages.error(
            request, _("The mailbox could not be read: %(reason)s") % {"reason": state.bounce_error}
        )
    else:
        messages.success(
            request,
            _("%(read)s messages read: %(hard)s hard bounces, %(soft)s soft bounces.") % counts,
        )
    back = parse_int(request.POST.get("campaign")) or 0
    if back and workspace_queryset(request, Campaign).filter(pk=back).exists():
        return redirect("mailing:campaign", _ws(request).slug, back)
    return redirect("mailing:campaigns", _ws(request).slug)


@sensitive_post_parameters("private_key")
@sensitive_variables("form")
@workspace_view(MAILING_SEND)
@require_http_methods(["GET", "POST"])
def mailing_settings(request: HttpRequest) -> HttpResponse:
    """DKIM: generate or paste the key, see the DNS record to publish, remove it."""
    workspace = _ws(request)
    found = dkim.settings_of(workspace)
    addresses = sorted(
        {
            address.rsplit("@", 1)[-1].casefold()
            for address in Connection.objects.filter(
                workspace=workspace, network="email"
            ).values_list("account_name", flat=True)
            if "@" in address
        }
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "remove":
            dkim.remove(workspace, request.user)
            messages.success(request, _("The DKIM key was removed: campaigns go out unsigned."))
            return redirect("mailing:settings", workspace.slug)
        form = DkimForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "generate":
                    dkim.generate(workspace, request.user, data["domain"], data["selector"])
                elif data["private_key"].strip():
                    dkim.set_key(
                        workspace,
                        request.user,
                        data["domain"],
                        data["selector"],
                        data["private_key"],
                    )
                else:
                    raise dkim.DkimError(
                        _("Paste the private key, or choose “Generate a key”."), "private_key"
                    )
            except dkim.DkimError as error:
                form.add_error(error.field or None, str(error))
            else:
                messages.success(request, _("The DKIM key is saved. Publish the DNS record below."))
                return redirect("mailing:settings", workspace.slug)
        # The pasted key is never written back into the page.
        form.data = form.data.copy()
        form.data["private_key"] = ""
    else:
        form = DkimForm(
            initial={
                "domain": found.dkim_domain or (addresses[0] if addresses else ""),
                "selector": found.dkim_selector or "ambassade",
            }
        )
    return render(
        request,
        "mailing/settings.html",
        {
            "form": form,
            "settings": found,
            "record": dkim.record_of(found),
            "domains": addresses,
            "aligned": not found.dkim_domain or found.dkim_domain in addresses,
        },
    )


# --- public: unsubscribe and the open pixel ------------------------------------------------------------


def _public(response: HttpResponse, lang: str) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Language"] = lang
    return response


@never_cache
@csrf_exempt  # RFC 8058: the mail client POSTs with no cookie; the token is the authority.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, recipient_token: str) -> HttpResponse:
    """GET: the page with its button (a link scanner opening it unsubscribes nobody). POST: the
    one-click unsubscription of RFC 8058 (body ``List-Unsubscribe=One-Click``) or the button."""
    token = recipient_token
    if token.startswith("test-") and len(token) < 40:
        lang = request.GET.get("lang", "")
        lang = lang if lang in LANGUAGES else (translation.get_language() or "en")[:2]
        return _public(
            render(request, "mailing/unsubscribe.html", {"lang": lang, "test": True}), lang
        )
    recipient = tracking.recipient_for(token)
    if recipient is None:
        raise Http404("no such recipient")
    lang = recipient.lang if recipient.lang in LANGUAGES else "en"
    done = recipient.unsubscribed_at is not None
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        tracking.unsubscribe(
            recipient,
            address=str(request.META.get("REMOTE_ADDR", "")),
            agent=request.META.get("HTTP_USER_AGENT", ""),
            one_click=one_click,
        )
        if one_click:
            return _public(HttpResponse(status=200, content_type="text/plain"), lang)
        done = True
    with translation.override(lang):
        return _public(
            render(
                request,
                "mailing/unsubscribe.html",
                {
                    "lang": lang,
                    "brand": recipient.workspace.name,
                    "email": recipient.email,
                    "done": done,
                },
            ),
            lang,
        )


@never_cache
def open_pixel(request: HttpRequest, recipient_token: str) -> HttpResponse:
    """The 1×1 image of a campaign that counts opens; the same image for any token."""
    recipient = tracking.recipient_for(recipient_token)
    if recipient is not None:
        tracking.opened(recipient)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
