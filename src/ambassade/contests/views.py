"""Contest pages. Staff pages read through ``workspace_queryset`` and write through ``services``;
the public pages (the contest, its rules, its draw file) are found by the contest's unguessable
token and show nothing else of the workspace; the verification page is anyone's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.community.models import Identity, normalise_handle, safe_url
from ambassade.contests import drawing, entries, services
from ambassade.contests.forms import ContestForm, EntryForm, ExclusionForm, VerifyForm
from ambassade.contests.models import Contest, Entry
from ambassade.contests.permissions import CONTESTS_MANAGE, CONTESTS_VIEW
from ambassade.engine import jsonlines
from ambassade.engine.draw import Draw, DrawError, verify
from ambassade.workspaces.messages import StoredMessage, coded, words
from ambassade.workspaces.params import parse_int
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 50
SEGMENT_FIELDS = ("only_segment", "exclude_segments")
#: A draw file larger than this is refused by the verification page (a million entries is ~12 MB).
MAX_DRAW_BYTES = 16 << 20


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _can(request: HttpRequest, action: str) -> bool:
    return can_role(request.membership.role, action)  # type: ignore[attr-defined]


# --- staff pages ----------------------------------------------------------------------------------


@workspace_view(CONTESTS_VIEW)
def contests(request: HttpRequest) -> HttpResponse:
    rows = list(
        workspace_queryset(request, Contest).annotate(
            valid=Count("entries", filter=Q(entries__excluded=""))
        )
    )
    return render(
        request,
        "contests/contests.html",
        {"contests": rows, "can_manage": _can(request, CONTESTS_MANAGE)},
    )


def _post_fields(request: HttpRequest, form: ContestForm) -> dict[str, Any] | None:
    """The form's fields for the services, with the post resolved; None (and a form error) when
    the post is unknown."""
    fields = {name: value for name, value in form.cleaned_data.items() if name != "post"}
    post = str(form.cleaned_data.get("post") or "").strip()
    fields["post_external_id"], fields["post_network"] = "", ""
    if post:
        resolved = services.resolve_post(_ws(request), post)
        if resolved is None:
            form.add_error(
                "post",
                _(
                    "No post of this workspace has this address: give the post's id on the "
                    "network instead."
                ),
            )
            return None
        fields["post_external_id"], fields["post_network"] = resolved
    return fields


@workspace_view(CONTESTS_MANAGE)
@require_http_methods(["GET", "POST"])
def contest_new(request: HttpRequest) -> HttpResponse:
    form = ContestForm(request.POST or None, workspace=_ws(request))
    if request.method == "POST" and form.is_valid():
        fields = _post_fields(request, form)
        if fields is not None:
            try:
                contest = services.create_contest(_ws(request), request.user, **fields)
            except services.ContestError as error:
                form.add_error(None, words(error.message))
            else:
                messages.success(request, _("Contest created. Its commitment is published."))
                return redirect("contests:contest", _ws(request).slug, contest.pk)
    return render(
        request, "contests/contest_form.html", {"form": form, "heading": _("New contest")}
    )


@workspace_view(CONTESTS_MANAGE)
@require_http_methods(["GET", "POST"])
def contest_edit(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = get_workspace_object_or_404(request, Contest, pk=contest_id)
    form = ContestForm(
        request.POST or None, instance=Contest.objects.get(pk=contest.pk), workspace=_ws(request)
    )
    fixed = contest.phase() != Contest.Phase.UPCOMING
    repair = fixed and services.segments_repairable(contest)
    if fixed:
        segments = () if repair else ("only_segment", "exclude_segments")
        for name in (*services.BEFORE_OPENING, "post", *segments):
            if name in form.fields:
                form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = _post_fields(request, form) if not fixed else dict(form.cleaned_data)
        if fields is not None:
            fields.pop("post", None)
            if fixed:
                kept = (*services.ALWAYS_EDITABLE, *(SEGMENT_FIELDS if repair else ()))
                fields = {k: v for k, v in fields.items() if k in kept}
            try:
                services.update_contest(contest, request.user, **fields)
            except services.ContestError as error:
                form.add_error(None, words(error.message))
            else:
                messages.success(request, _("Contest saved."))
                return redirect("contests:contest", _ws(request).slug, contest.pk)
    return render(
        request,
        "contests/contest_form.html",
        {"form": form, "contest": contest, "heading": contest.name, "fixed": fixed},
    )


@workspace_view(CONTESTS_VIEW)
def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = get_workspace_object_or_404(request, Contest, pk=contest_id)
    show = request.GET.get("show", "all")
    entries = contest.entries.select_related("identity__member", "mention").order_by(
        "entered_at", "id"
    )
    if show == "valid":
        entries = entries.filter(excluded="")
    elif show == "excluded":
        entries = entries.exclude(excluded="")
    else:
        show = "all"
    page = Paginator(entries, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), minimum=1))
    counts = contest.entries.aggregate(total=Count("id"), valid=Count("id", filter=Q(excluded="")))
    winners = []
    for rank, entry in drawing.winners(contest):
        lang, text = drawing.notification(contest, entry)
        winners.append(
            {
                "rank": rank,
                "entry": entry,
                "reserve": rank > contest.winners,
                "lang": lang,
                "text": text,
                "link": safe_url(entry.mention.url) if entry.mention else "",
            }
        )
    collection = getattr(contest, "collection", None)
    return render(
        request,
        "contests/contest.html",
        {
            "contest": contest,
            "phase": contest.phase(),
            "page": page,
            "show": show,
            "counts": counts,
            "winners": winners,
            "collection": collection,
            "exclusions": contest.exclusions.select_related("identity__member"),
            "segment_rules": list(contest.segment_rules.all()),
            "segment_problem": (
                drawing.segment_problem(contest) if not contest.frozen_at else None
            ),
            "exclusion_form": ExclusionForm(),
            "public_url": drawing.public_url(contest),
            "rules_url": drawing.public_url(contest, "contests:rules"),
            "can_manage": _can(request, CONTESTS_MANAGE),
            "reasons": {r: coded(f"contest.excluded.{r}") for r in services.REASONS},
        },
    )


@workspace_view(CONTESTS_MANAGE)
@require_POST
def contest_exclude(request: HttpRequest, contest_id: int) -> HttpResponse:
    """Add a member to the contest's exclusions (by handle or name), or take one out (``remove``)."""
    contest = get_workspace_object_or_404(request, Contest, pk=contest_id)
    back = redirect("contests:contest", _ws(request).slug, contest.pk)
    current = set(contest.exclusions.values_list("identity_id", flat=True))
    removed = parse_int(request.POST.get("remove"))
    if removed is not None:
        wanted = current - {removed}
    else:
        form = ExclusionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the handle or the name of a member."))
            return back
        text = form.cleaned_data["handle"].strip()
        identities = workspace_queryset(request, Identity)
        found = set(
            identities.filter(handle=normalise_handle(text)).values_list("id", flat=True)[:20]
        ) or set(
            identities.filter(member__display_name__iexact=text).values_list("id", flat=True)[:20]
        )
        if not found:
            messages.error(request, _("No member has this handle or name."))
            return back
        wanted = current | found
    try:
        services.set_exclusions(contest, request.user, wanted)
    except services.ContestError as error:
        messages.error(request, words(error.message))
    return back


@workspace_view(CONTESTS_MANAGE)
@require_POST
def contest_freeze(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = get_workspace_object_or_404(request, Contest, pk=contest_id)
    try:
        frozen = drawing.freeze(contest.pk)
    except services.ContestError as error:
        messages.error(request, words(error.message))
    else:
        if frozen is None:
            messages.info(request, _("Entries are being collected; try again in a minute."))
        else:
            messages.success(request, _("The entries are frozen."))
    return redirect("contests:contest", _ws(request).slug, contest.pk)


@workspace_view(CONTESTS_MANAGE)
@require_POST
def contest_draw(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = get_workspace_object_or_404(request, Contest, pk=contest_id)
    try:
        drawing.draw(contest, request.user)
    except services.ContestError as error:
        messages.error(request, words(error.message))
    else:
        messages.success(request, _("The winners are drawn and the seed is published."))
    return redirect("contests:contest", _ws(request).slug, contest.pk)


@workspace_view(CONTESTS_MANAGE)
@require_POST
def entry_notify(request: HttpRequest, contest_id: int, entry_id: int) -> HttpResponse:
    contest = get_workspace_object_or_404(request, Contest, pk=contest_id)
    entry = get_workspace_object_or_404(request, Entry.objects.filter(contest=contest), pk=entry_id)
    try:
        sent = drawing.notify_by_email(contest, entry, request.user)
    except services.ContestError as error:
        messages.error(request, words(error.message))
    else:
        if sent:
            messages.success(request, _("The notification is sent."))
        else:
            messages.info(request, _("This winner was notified already."))
    return redirect("contests:contest", _ws(request).slug, contest.pk)


# --- public pages ---------------------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    # The address is the key: never indexed, never sent to another site as a referrer.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _by_token(token: str) -> Contest:
    contest = Contest.objects.select_related("workspace").filter(token=token[:43]).first()
    if contest is None:
        raise Http404("No such contest.")
    return contest


def _lang() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


@never_cache
@require_http_methods(["GET", "POST"])
def public_contest(request: HttpRequest, contest_token: str) -> HttpResponse:
    """The contest as entrants see it: the prize, how to enter, the dates, the commitment, the
    entry form; after the draw the seed, the list's hash and the winners' codes."""
    contest = _by_token(contest_token)
    form = EntryForm(request.POST or None)
    entered: Entry | None = None
    error = ""
    status = 200
    if request.method == "POST":
        address = str(request.META.get("REMOTE_ADDR", ""))
        if contest.form_entry and entries.throttled(contest, address):
            error, status = words(coded("contest.throttled")), 429
        elif form.is_valid():
            try:
                entered, _created = entries.enter_by_form(
                    contest,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    lang=_lang(),
                )
            except services.ContestError as failure:
                error = words(failure.message)
        elif form.has_error("website"):
            error = " ".join(form.errors["website"])
    phase = contest.phase()
    context = {
        "contest": contest,
        "phase": phase,
        "form": form,
        "entered": entered,
        "error": error,
        "open": phase == Contest.Phase.OPEN,
        "valid_count": contest.entry_count
        if contest.frozen_at
        else contest.entries.filter(excluded="").count(),
        "paragraphs": [p for p in contest.description.split("\n\n") if p.strip()],
    }
    # Dates read in the organiser's time zone, as the rules state them.
    with timezone.override(contest.workspace.time_zone):
        return _public(render(request, "contests/public.html", context, status=status))


def public_rules(request: HttpRequest, contest_token: str) -> HttpResponse:
    """The contest's rules ("règlement"): the standard articles from its settings, then the
    organiser's own."""
    contest = _by_token(contest_token)
    from ambassade.contests.rules import articles

    return _public(
        render(
            request,
            "contests/rules.html",
            {"contest": contest, "articles": articles(contest)},
        )
    )


def public_draw(request: HttpRequest, contest_token: str) -> HttpResponse:
    """The published draw, the file ``ambassade verify-draw`` reads."""
    contest = _by_token(contest_token)
    made = drawing.published(contest)
    if made is None:
        raise Http404("Not drawn yet.")
    response = HttpResponse(made.to_json(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{contest.pk}.json"'
    return _public(response)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone checks a published draw file here, as ``ambassade verify-draw`` does."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    outcome: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = _verify(form)
    return _public(render(request, "contests/verify.html", {"form": form, "outcome": outcome}))


def _verify(form: VerifyForm) -> dict[str, Any]:
    upload = form.cleaned_data.get("draw")
    if upload is not None:
        if upload.size > MAX_DRAW_BYTES:
            return _failed(coded("contest.verify.too_large", megabytes=MAX_DRAW_BYTES >> 20))
        raw = upload.read(MAX_DRAW_BYTES + 1)
    else:
        raw = str(form.cleaned_data.get("text") or "").encode("utf-8")
    if not raw.strip():
        return _failed(coded("contest.verify.empty"))
    try:
        published = Draw.from_json(jsonlines.loads(raw))
    except jsonlines.JsonProblem as problem:
        return _failed(coded("contest.verify.not_json", detail=problem.message))
    except DrawError as error:
        return _failed(StoredMessage.of(error))
    result = verify(published)
    return {
        "ok": result.ok,
        "message": StoredMessage.of(result.message),
        "draw": published,
        "winners": published.results[: published.winners],
        "reserves": published.results[published.winners :],
    }


def _failed(message: StoredMessage) -> dict[str, Any]:
    return {"ok": False, "message": message, "draw": None}
