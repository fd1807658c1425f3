"""Views of the publishing app: composer, live checks, post page, approvals, calendar, outbox.

Each view validates input, calls one service and renders. Objects are read through
``workspace_queryset`` / ``get_workspace_object_or_404``, so another workspace's ids are a 404.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST, require_safe

from ambassade.connectors.publishers import PUBLISHERS
from ambassade.engine import publishing as rules
from ambassade.publishing import (
    accounts,
    approvals,
    authoring,
    links,
    metrics,
    notices,
    scheduling,
    webhooks,
)
from ambassade.publishing import public_media as public_media_links
from ambassade.publishing.forms import (
    ApprovalStepsForm,
    ApproveForm,
    CommentForm,
    ComposeForm,
    ConnectAccountForm,
    OutboxWebhookForm,
    PauseForm,
    QueueSlotForm,
    RejectForm,
    RescheduleForm,
)
from ambassade.publishing.messages import problem_message
from ambassade.publishing.models import (
    Media,
    Post,
    PublishAttempt,
    QueueSlot,
    Review,
    Status,
    Variant,
)
from ambassade.publishing.outbox import hold
from ambassade.publishing.outbox import posts as outbox_posts
from ambassade.publishing.permissions import (
    OUTBOX_MANAGE,
    POST_APPROVE,
    POST_CREATE,
    PUBLISHING_VIEW,
)
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Connection
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.params import parse_id, parse_ids
from ambassade.workspaces.permissions import (
    CONNECTIONS_MANAGE,
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)
from ambassade.workspaces.redirects import safe_next
from ambassade.workspaces.services import ServiceError

PAGE_SIZE = 30


def _zone(request: HttpRequest) -> str:
    return str(request.workspace.time_zone)  # type: ignore[attr-defined]


def _posts(request: HttpRequest) -> Any:
    return workspace_queryset(request, Post).prefetch_related(
        Prefetch("variants", queryset=Variant.objects.select_related("connection"))
    )


# --- the list (history) ----------------------------------------------------------------------


@workspace_view(PUBLISHING_VIEW)
def posts(request: HttpRequest) -> HttpResponse:
    queryset = _posts(request).select_related("author")
    wanted = request.GET.get("status", "")
    if wanted in Status.values:
        queryset = queryset.filter(variants__status=wanted).distinct()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publishing/posts.html",
        {
            "page": page,
            "statuses": Status.choices,
            "current_status": wanted,
            "outbox": hold.outbox_settings(request.workspace),  # type: ignore[attr-defined]
        },
    )


# --- composing ----------------------------------------------------------------------------------


def _save_compose(request: HttpRequest, form: ComposeForm, post: Post | None) -> Post:
    data = form.cleaned_data
    values = {
        "text": data["text"],
        "connections": list(data["accounts"]),
        "texts": form.texts(),
        "scheduled_at": data.get("scheduled_at"),
        "utm_campaign": data.get("utm_campaign") or "",
        "thread": bool(data.get("thread")),
        "shorten_links": bool(data.get("shorten_links")),
        "repeat": data.get("repeat") or "",
        "repeat_until": data.get("repeat_until"),
    }
    if post is None:
        post = authoring.create_post(request.workspace, request.user, **values)  # type: ignore[attr-defined]
    else:
        post = authoring.update_post(post, request.user, **values)
    upload = data.get("media_file")
    if upload is not None:
        authoring.add_media(
            post,
            request.user,
            filename=upload.name,
            content_type=upload.content_type,
            data=upload.read(),
            alt_text=data.get("alt_text") or "",
        )
    return post


def _compose(request: HttpRequest, post: Post | None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = ComposeForm(
        request.POST or None,
        request.FILES or None,
        workspace=workspace,
        zone=_zone(request),
        post=post,
    )
    if request.method == "POST" and "queue" in request.POST and form.is_valid():
        # "Add to the queue": the next free slot, then submitted like "Schedule".
        slot = scheduling.next_queue_time(workspace)
        if slot is None:
            form.add_error(None, _("The queue has no time yet: set its times on the outbox page."))
        else:
            form.cleaned_data["scheduled_at"] = slot
    if request.method == "POST" and form.is_valid():
        try:
            post = _save_compose(request, form, post)
            if "submit" in request.POST or "queue" in request.POST:
                approvals.submit_post(post, request.user)
                post.refresh_from_db()
                if post.status == Status.PENDING_APPROVAL:
                    messages.success(request, _("The post is waiting for approval."))
                else:
                    messages.success(request, _("The post is scheduled."))
            else:
                messages.success(request, _("The draft is saved."))
            _warn_at_risk(request, post)
            return redirect("publishing:post", workspace_slug=workspace.slug, post_id=post.id)
        except ServiceError as error:
            for line in str(error).splitlines():
                form.add_error(None, line)
    return render(
        request,
        "publishing/compose.html",
        {
            "form": form,
            "post": post,
            "approval_steps": hold.outbox_settings(workspace).approval_steps,
            "zone": _zone(request),
            "has_queue": QueueSlot.objects.filter(workspace=workspace).exists(),
        },
    )


@workspace_view(POST_CREATE)
def compose(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@workspace_view(POST_CREATE)
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, _posts(request), id=post_id)
    if post.status != Status.DRAFT:
        messages.error(
            request,
            _("This post has left the draft stage; take it back to draft before editing it."),
        )
        return redirect("publishing:post", workspace_slug=post.workspace.slug, post_id=post.id)
    return _compose(request, post)


def _check(
    connection: Connection,
    text: str,
    campaign: str,
    media: list[rules.Media],
    thread: bool,
    shorten: bool = False,
) -> dict[str, Any]:
    network = connection.network
    text = links.shape_text(text, network, campaign=campaign, shorten=shorten)
    limits = accounts.limits_for(connection)
    parts = authoring.split_parts(network, text, thread, limits)
    result: dict[str, Any] = {"connection": connection, "text": text, "parts": parts}
    result["problems"] = (
        [{"error": False, "message": notices.compose_warning(connection)}]
        if notices.needs_reconnection(connection)
        else []
    )
    if network in set(rules.Network):
        result["measure"] = rules.measure(network, parts[0], limits)
        result["problems"] += [
            {"error": problem.severity == rules.Severity.ERROR, "message": problem_message(problem)}
            for problem in authoring.check_parts(network, parts, media, limits)
            # Nothing written yet is not a mistake yet: the submit check still refuses it.
            if not (problem.code == "empty" and not text)
        ]
    return result


@workspace_view(POST_CREATE)
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """The composer's live counters, problems and previews (htmx, out-of-band fragments)."""
    ids = parse_ids(request.POST.getlist("accounts"))
    # As the form keeps them (CharField strips), so that the counter agrees with the submit check.
    main = request.POST.get("text", "").strip()
    campaign = request.POST.get("utm_campaign", "").strip()
    media: list[rules.Media] = []
    post_id = parse_id(request.POST.get("post"))
    if post_id is not None:
        post = workspace_queryset(request, Post).filter(id=post_id).first()
        if post is not None:
            media = authoring.engine_media(post)
    results = []
    connections = accounts.publishable_connections(request.workspace).select_related(  # type: ignore[attr-defined]
        "publishing_limits"
    )
    for connection in connections:
        adapted = request.POST.get(f"text_{connection.id}", "").strip()
        text = adapted or main
        result = _check(
            connection,
            text,
            campaign,
            media,
            bool(request.POST.get("thread")),
            bool(request.POST.get("shorten_links")),
        )
        result["selected"] = connection.id in ids
        results.append(result)
    return render(request, "publishing/includes/checks.html", {"results": results})


# --- the post page and its actions --------------------------------------------------------------


@workspace_view(PUBLISHING_VIEW)
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(
        request, _posts(request).select_related("author"), id=post_id
    )
    variants = list(post.variants.all())
    reviews = list(post.reviews.select_related("author"))
    approvals = [
        r for r in reviews if r.kind == Review.Kind.APPROVAL and r.round == post.review_round
    ]
    attempts = list(
        PublishAttempt.objects.filter(variant__post=post)
        .select_related("variant__connection")
        .order_by("-started_at", "-id")[:50]
    )
    local = post.scheduled_at.astimezone(ZoneInfo(_zone(request))) if post.scheduled_at else None
    return render(
        request,
        "publishing/post.html",
        {
            "post": post,
            "variants": variants,
            "reviews": reviews,
            "approvals": approvals,
            "attempts": attempts,
            "media": list(post.media.all()),
            "short_links": list(post.short_links.all()),
            "previews": [{"variant": v, "parts": authoring.parts_for(v)} for v in variants],
            "approve_form": ApproveForm(),
            "reject_form": RejectForm(),
            "comment_form": CommentForm(),
            "reschedule_form": RescheduleForm(
                zone=_zone(request),
                initial={"date": local.date(), "time": local.strftime("%H:%M")} if local else None,
            ),
            "can_approve": post.status == Status.PENDING_APPROVAL
            and post.author_id != request.user.id
            and request.user.id not in {a.author_id for a in approvals},
            "has_scheduled": any(v.status == Status.SCHEDULED for v in variants),
            "can_unschedule": any(
                v.status in (Status.SCHEDULED, Status.PENDING_APPROVAL) for v in variants
            ),
            "can_delete": not any(
                v.status in (Status.PUBLISHING, Status.UNKNOWN, Status.PUBLISHED) for v in variants
            ),
            "outbox": hold.outbox_settings(request.workspace),  # type: ignore[attr-defined]
            "at_risk": _at_risk_warning(variants),
        },
    )


def _at_risk_warning(variants: list[Variant]) -> str:
    connections = notices.at_risk(variants)
    return notices.warning(connections, this_post=True) if connections else ""


def _warn_at_risk(request: HttpRequest, post: Post) -> None:
    """Say which accounts of the post need reconnection: it will fail there otherwise."""
    connections = notices.at_risk(post.variants.select_related("connection"))
    if connections:
        messages.warning(request, notices.warning(connections))


def _back(post: Post) -> HttpResponse:
    return redirect("publishing:post", workspace_slug=post.workspace.slug, post_id=post.id)


def _run(request: HttpRequest, post: Post, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ServiceError as error:
        for line in str(error).splitlines():
            messages.error(request, line)
    else:
        messages.success(request, success)
    return _back(post)


@workspace_view(POST_CREATE)
@require_POST
def post_submit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, Post, id=post_id)
    return _run(
        request,
        post,
        lambda: approvals.submit_post(post, request.user),
        _("The post is sent on."),
    )


@workspace_view(POST_APPROVE)
@require_POST
def post_approve(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, Post, id=post_id)
    form = ApproveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    response = _run(
        request,
        post,
        lambda: approvals.approve_post(post, request.user, comment),
        _("Your approval is recorded."),
    )
    _warn_at_risk(request, post)
    return response


@workspace_view(POST_APPROVE)
@require_POST
def post_reject(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, Post, id=post_id)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(
        request,
        post,
        lambda: approvals.reject_post(post, request.user, reason),
        _("The post is sent back to its author."),
    )


@workspace_view(PUBLISHING_VIEW)
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, Post, id=post_id)
    form = CommentForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return _run(
        request, post, lambda: approvals.comment_post(post, request.user, text), _("Comment added.")
    )


def _rescheduled_message(post: Post) -> str:
    post.refresh_from_db()
    if post.status == Status.PENDING_APPROVAL:
        return _("The post is rescheduled and waits for approval again.")
    return _("The post is rescheduled.")


@workspace_view(POST_CREATE)
@require_POST
def post_reschedule(request: HttpRequest, post_id: int) -> HttpResponse:
    """From the post page or the calendar (drag and drop, or its move form); ``next`` brings the
    person back to the calendar page they were on."""
    post = get_workspace_object_or_404(request, Post, id=post_id)
    form = RescheduleForm(request.POST, zone=_zone(request))
    back = safe_next(request, "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back) if back else _back(post)
    try:
        scheduling.reschedule_post(post, request.user, form.when)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _rescheduled_message(post))
    return HttpResponseRedirect(back) if back else _back(post)


@workspace_view(POST_CREATE)
@require_POST
def post_unschedule(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, Post, id=post_id)
    return _run(
        request,
        post,
        lambda: scheduling.unschedule_post(post, request.user),
        _("The post is back to draft."),
    )


@workspace_view(POST_CREATE)
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_workspace_object_or_404(request, Post, id=post_id)
    try:
        authoring.delete_post(post, request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return _back(post)
    messages.success(request, _("The post is deleted."))
    return redirect("publishing:posts", workspace_slug=post.workspace.slug)


@workspace_view(POST_CREATE)
@require_POST
def variant_retry(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_workspace_object_or_404(
        request, Variant.objects.select_related("post__workspace"), id=variant_id
    )
    return _run(
        request,
        variant.post,
        lambda: outbox_posts.retry_variant(variant, request.user),
        _("It will be published again in a minute."),
    )


@workspace_view(PUBLISHING_VIEW)
def media_file(request: HttpRequest, media_id: int) -> HttpResponse:
    media = get_workspace_object_or_404(request, Media, id=media_id)
    response = HttpResponse(bytes(media.data), content_type=media.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@workspace_view(POST_CREATE)
@require_POST
def media_remove(request: HttpRequest, media_id: int) -> HttpResponse:
    media = get_workspace_object_or_404(request, Media.objects.select_related("post"), id=media_id)
    return _run(
        request, media.post, lambda: authoring.remove_media(media, request.user), _("Removed.")
    )


# --- the outbox ------------------------------------------------------------------------------------


@workspace_view(PUBLISHING_VIEW)
def outbox(request: HttpRequest) -> HttpResponse:
    return _outbox_page(request)


def _outbox_page(
    request: HttpRequest, new_secret: str = "", webhook_form: Any = None
) -> HttpResponse:
    """The outbox page; ``new_secret`` is shown once, right after it was made."""
    workspace = request.workspace  # type: ignore[attr-defined]
    settings = hold.outbox_settings(workspace)
    attention = (
        workspace_queryset(request, Variant)
        .filter(status__in=[Status.FAILED, Status.UNKNOWN, Status.PUBLISHING])
        .select_related("post", "connection")
        .order_by("-id")[:50]
    )
    upcoming = (
        workspace_queryset(request, Variant)
        .filter(status=Status.SCHEDULED)
        .select_related("post", "connection")
        .order_by("due_at", "id")[:50]
    )
    membership = request.membership  # type: ignore[attr-defined]
    manages = can_role(membership.role, OUTBOX_MANAGE)
    webhook = webhooks.webhook_for(workspace) if manages else None
    response = render(
        request,
        "publishing/outbox.html",
        {
            "outbox": settings,
            "held": list(outbox_posts.held_variants(workspace)[:100]),
            "attention": list(attention),
            "upcoming": list(upcoming),
            "pause_form": PauseForm(),
            "slots": list(workspace_queryset(request, QueueSlot)),
            "best_times": [
                {"day": QueueSlot.Weekday(day).label, "hour": hour, "score": score}
                for day, hour, score in metrics.best_times(workspace)
            ],
            "slot_form": QueueSlotForm(),
            "steps_form": ApprovalStepsForm(initial={"approval_steps": settings.approval_steps}),
            "webhook": webhook,
            "webhook_form": webhook_form or OutboxWebhookForm(),
            "deliveries": webhooks.recent_deliveries(workspace) if webhook else [],
            "new_secret": new_secret,
        },
    )
    if new_secret:
        response["Cache-Control"] = "no-store"  # the secret stays in no cache or history copy
    return response


@workspace_view(OUTBOX_MANAGE)
@require_POST
def outbox_pause(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = PauseForm(request.POST)
    if form.is_valid():
        hold.pause_outbox(workspace, form.cleaned_data["reason"], request.user)
        messages.warning(request, _("The outbox is paused: nothing will be published."))
    else:
        messages.error(request, _("Give a reason for pausing the outbox."))
    return redirect("publishing:outbox", workspace_slug=workspace.slug)


@workspace_view(OUTBOX_MANAGE)
@require_POST
def outbox_resume(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    hold.resume_outbox(workspace, request.user)
    messages.success(request, _("The outbox runs again."))
    return redirect("publishing:outbox", workspace_slug=workspace.slug)


@workspace_view(OUTBOX_MANAGE)
@require_POST
def outbox_steps(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = ApprovalStepsForm(request.POST)
    if form.is_valid():
        approvals.set_approval_steps(workspace, form.cleaned_data["approval_steps"], request.user)
        messages.success(request, _("The approval steps are saved."))
    return redirect("publishing:outbox", workspace_slug=workspace.slug)


@workspace_view(OUTBOX_MANAGE)
@require_POST
def outbox_slots(request: HttpRequest) -> HttpResponse:
    """Add a queue slot, or remove the one named by ``remove``."""
    workspace = request.workspace  # type: ignore[attr-defined]
    remove = request.POST.get("remove", "")
    if remove:
        slot = get_workspace_object_or_404(request, QueueSlot, id=parse_id(remove))
        scheduling.remove_queue_slot(slot, request.user)
        messages.success(request, _("The time is removed from the queue."))
    else:
        form = QueueSlotForm(request.POST)
        if form.is_valid():
            scheduling.add_queue_slot(
                workspace, form.cleaned_data["weekday"], form.cleaned_data["time"], request.user
            )
            messages.success(request, _("The time is added to the queue."))
        else:
            messages.error(request, _("Choose a day and a time."))
    return redirect("publishing:outbox", workspace_slug=workspace.slug)


@workspace_view(OUTBOX_MANAGE)
@require_POST
@sensitive_variables("secret")
def outbox_webhook(request: HttpRequest) -> HttpResponse:
    """Set the status-change webhook's address, make a new secret, remove it or send a test event
    (``action``). A new secret is shown on the page once, never stored in a message or a log."""
    workspace = request.workspace  # type: ignore[attr-defined]
    action = request.POST.get("action", "save")
    try:
        if action == "save":
            form = OutboxWebhookForm(request.POST)
            if not form.is_valid():
                return _outbox_page(request, webhook_form=form)
            secret = webhooks.set_webhook(workspace, form.cleaned_data["url"], request.user)
            if secret:
                return _outbox_page(request, new_secret=secret)
            messages.success(request, _("The webhook address is saved."))
        elif action == "regenerate":
            secret = webhooks.regenerate_secret(workspace, request.user)
            return _outbox_page(request, new_secret=secret)
        elif action == "remove":
            webhooks.remove_webhook(workspace, request.user)
            messages.success(request, _("The webhook is removed: no more events will be sent."))
        elif action == "test":
            webhooks.send_test(workspace, request.user)
            messages.success(
                request, _("A test event is on its way; its delivery appears below in a moment.")
            )
        else:
            raise Http404
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("publishing:outbox", workspace_slug=workspace.slug)


# --- connecting accounts to publish to -------------------------------------------------------------

SECRET_FIELDS = (
    "access_token",
    "app_password",
    "webhook_url",
    "bot_token",
    "client_secret",
    "refresh_token",
)


@workspace_view(CONNECTIONS_MANAGE)
@sensitive_post_parameters(*SECRET_FIELDS)
@sensitive_variables()
def connect(request: HttpRequest) -> HttpResponse:
    """Connect an account with the credentials its network needs for publishing (the generic
    connection form takes one access token only)."""
    network = request.GET.get("network", "")
    networks = [(code, network_label(code)) for code in PUBLISHERS]
    if network not in PUBLISHERS:
        return render(request, "publishing/connect.html", {"networks": networks, "form": None})
    form = ConnectAccountForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            connection = workspace_services.connect_account(
                request.workspace,  # type: ignore[attr-defined]
                network=network,
                account_name=form.account_name(),
                secret=form.secret(),
                actor=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            accounts.refresh_limits_later(connection.id)
            messages.success(
                request, _("%(account)s is connected.") % {"account": connection.account_name}
            )
            return redirect("publishing:compose", workspace_slug=connection.workspace.slug)
    return render(
        request,
        "publishing/connect.html",
        {"networks": networks, "form": form, "network": network, "label": network_label(network)},
    )


def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """``/l/<code>``: public, counts the click (and nothing about the person), then redirects."""
    target = links.count_click(code, request.GET)
    if target is None:
        raise Http404("No such link.")
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def public_media(request: HttpRequest, media_token: str) -> HttpResponse:
    """``/m/<token>``: public, so that Instagram and Threads can fetch a scheduled or published
    post's image or video (publishing/public_media.py); 404 for anything else."""
    media = public_media_links.media_for(media_token)
    if media is None:
        raise Http404("No such file.")
    response = HttpResponse(bytes(media.data), content_type=media.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
