"""Moderation pages. Thin: they read through ``workspace_queryset`` and write through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambassade.engine.moderation import InvalidRule
from ambassade.moderation import audit, history, people, services
from ambassade.moderation.forms import (
    AppealDecisionForm,
    AppealForm,
    CharterForm,
    DecisionForm,
    RuleForm,
)
from ambassade.moderation.models import (
    Appeal,
    Charter,
    CharterVersion,
    Decision,
    NetworkAction,
    Review,
    Rule,
    Strike,
)
from ambassade.moderation.permissions import (
    MODERATION_DECIDE,
    MODERATION_LOG,
    MODERATION_RULES,
    MODERATION_VIEW,
)
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.messages import StoredMessage, coded, words
from ambassade.workspaces.networks import network_name
from ambassade.workspaces.params import parse_id, parse_ids
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)
from ambassade.workspaces.services import record_audit

PAGE_SIZE = 25
MAX_BULK = 200


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _can(request: HttpRequest, action: str) -> bool:
    return can_role(request.membership.role, action)  # type: ignore[attr-defined]


# --- the queue ------------------------------------------------------------------------------------


@workspace_view(MODERATION_VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", Review.State.PENDING)
    if state not in {*Review.State.values, "all"}:
        state = Review.State.PENDING
    reviews = workspace_queryset(request, Review).select_related("mention", "decided_by")
    one = parse_id(request.GET.get("review", ""))
    if one is not None:
        reviews, state = reviews.filter(id=one), "all"
    elif state != "all":
        reviews = reviews.filter(state=state)
    page = Paginator(reviews.order_by("-created_at", "-id"), PAGE_SIZE).get_page(_page(request))
    items = list(page.object_list)
    mention_ids = [r.mention_id for r in items]
    actions: dict[int, list[NetworkAction]] = {}
    for action in workspace_queryset(request, NetworkAction).filter(mention_id__in=mention_ids):
        action.line = coded(  # type: ignore[attr-defined]
            "moderation.action_line",
            network=network_name(action.network),
            action=coded(f"moderation.act_{action.action}"),
            state=coded(f"moderation.state_{action.status}"),
        )
        actions.setdefault(action.mention_id or 0, []).append(action)
    handles = {(r.mention.network, r.mention.author_handle) for r in items}
    in_queue = {
        (network, handle): n
        for network, handle, n in workspace_queryset(request, Review)
        .filter(mention__author_handle__in=[h for _n, h in handles if h])
        .values_list("mention__network", "mention__author_handle")
        .annotate(n=Count("id"))
        .order_by()
    }
    version = services.current_version(_ws(request))
    language = get_language() or "en"
    authors = {(r.mention.network, r.mention.author_handle) for r in items}
    strikes = history.strikes_of(_ws(request), authors)
    members = history.members_of(_ws(request), authors)
    warnings: dict[int, list[Strike]] = {}
    for strike in workspace_queryset(request, Strike).filter(
        mention_id__in=mention_ids, kind=Strike.Kind.WARN
    ):
        warnings.setdefault(strike.mention_id or 0, []).append(strike)
    rows = []
    for review in items:
        explained = review.explanation if isinstance(review.explanation, dict) else {}
        mention = review.mention
        rows.append(
            {
                "review": review,
                "mention": mention,
                "reasons": services.reasons_of(explained),
                "notes": [StoredMessage.of(n) for n in explained.get("notes") or []],
                "spans": explained.get("spans") or [],
                "article_number": explained.get("article"),
                "article": version.article(explained.get("article"), language) if version else "",
                "actions": actions.get(mention.id, []),
                "earlier": in_queue.get((mention.network, mention.author_handle), 1) - 1,
                "strikes": strikes.get((mention.network, mention.author_handle), 0),
                "member": members.get((mention.network, mention.author_handle)),
                "warnings": warnings.get(mention.id, []),
                "conversation": history.conversation_around(mention),
            }
        )
    appeals = list(
        workspace_queryset(request, Appeal)
        .filter(state=Appeal.State.PENDING)
        .select_related("strike", "strike__mention")
        .order_by("created_at", "id")[:50]
    )
    counts = dict(workspace_queryset(request, Review).values_list("state").annotate(n=Count("id")))
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "counts": counts,
            "states": [(v, label) for v, label in Review.State.choices],
            "form": DecisionForm(),
            "appeals": appeals,
            "appeal_form": AppealDecisionForm(),
            "can_decide": _can(request, MODERATION_DECIDE),
            "can_rules": _can(request, MODERATION_RULES),
            "can_log": _can(request, MODERATION_LOG),
        },
    )


@workspace_view(MODERATION_DECIDE)
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    ids = parse_ids(request.POST.getlist("review"), limit=MAX_BULK)
    back = redirect("moderation:queue", _ws(request).slug)
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick at least one message and choose a decision."))
        return back
    reviews = list(
        workspace_queryset(request, Review)
        .select_related("mention", "workspace")
        .filter(id__in=ids)
    )
    if not reviews:
        raise Http404("No such review.")
    problems: list[StoredMessage] = []
    for review in reviews:
        problems += services.decide(
            review, form.cleaned_data["decision"], request.user, form.cleaned_data["note"]
        )
    done = len(reviews)
    messages.success(
        request,
        ngettext("%(count)s message decided.", "%(count)s messages decided.", done)
        % {"count": done},
    )
    for problem in dict.fromkeys(words(p) for p in problems):
        messages.warning(request, problem)
    return back


@workspace_view(MODERATION_DECIDE)
@require_POST
def undo(request: HttpRequest, network_action_id: int) -> HttpResponse:
    action = get_workspace_object_or_404(
        request, NetworkAction.objects.select_related("mention", "workspace"), id=network_action_id
    )
    created, why = services.undo(action, request.user)
    if created is None:
        messages.error(request, words(why))
    else:
        messages.success(request, _("The action will be undone on the network."))
    return redirect("moderation:queue", _ws(request).slug)


# --- rules ----------------------------------------------------------------------------------------


@workspace_view(MODERATION_VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    listed = list(workspace_queryset(request, Rule).order_by("position", "id"))
    return render(
        request,
        "moderation/rules.html",
        {
            "rules": listed,
            "acts": dict(Rule.Act.choices),
            "can_rules": _can(request, MODERATION_RULES),
        },
    )


def _rule_form(request: HttpRequest, rule: Rule) -> HttpResponse:
    form = RuleForm(request.POST or None, instance=rule, workspace=_ws(request))
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.workspace = _ws(request)
        saved.updated_at = timezone.now()
        saved.updated_by = request.user
        if not saved.id:
            saved.position = services.next_position(_ws(request))
        saved.save()
        record_audit(_ws(request), request.user, audit.RULE_SAVED, None, object_repr=saved.name)
        messages.success(request, _("Rule saved."))
        return redirect("moderation:rules", _ws(request).slug)
    return render(
        request,
        "moderation/rule_form.html",
        {"form": form, "rule": rule, "heading": rule.name if rule.id else _("New rule")},
    )


@workspace_view(MODERATION_RULES)
def rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, Rule(workspace=_ws(request)))


@workspace_view(MODERATION_RULES)
def rule_edit(request: HttpRequest, moderation_rule_id: int) -> HttpResponse:
    return _rule_form(request, get_workspace_object_or_404(request, Rule, id=moderation_rule_id))


@workspace_view(MODERATION_RULES)
@require_POST
def rule_delete(request: HttpRequest, moderation_rule_id: int) -> HttpResponse:
    rule = get_workspace_object_or_404(request, Rule, id=moderation_rule_id)
    record_audit(_ws(request), request.user, audit.RULE_DELETED, None, object_repr=rule.name)
    rule.delete()
    messages.success(request, _("Rule deleted."))
    return redirect("moderation:rules", _ws(request).slug)


@workspace_view(MODERATION_RULES)
@require_POST
def rule_move(request: HttpRequest, moderation_rule_id: int) -> HttpResponse:
    rule = get_workspace_object_or_404(request, Rule, id=moderation_rule_id)
    services.move_rule(rule, -1 if request.POST.get("direction") == "up" else 1)
    return redirect("moderation:rules", _ws(request).slug)


@workspace_view(MODERATION_VIEW)
def rule_dry_run(request: HttpRequest, moderation_rule_id: int) -> HttpResponse:
    """What the rule would have done to the last 30 days' messages; nothing is recorded or sent."""
    rule = get_workspace_object_or_404(request, Rule, id=moderation_rule_id)
    try:
        result = history.dry_run(_ws(request), rule)
    except InvalidRule as error:
        messages.error(request, words(StoredMessage.of(error)))
        return redirect("moderation:rules", _ws(request).slug)
    return render(
        request,
        "moderation/dry_run.html",
        {"rule": rule, "result": result, "acts": dict(Rule.Act.choices)},
    )


# --- charter --------------------------------------------------------------------------------------


@workspace_view(MODERATION_VIEW)
def charter(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    found = services.charter(workspace)
    version = services.current_version(workspace)
    editable = _can(request, MODERATION_RULES)
    initial = {
        "text_en": version.text_en if version else "",
        "text_fr": version.text_fr if version else "",
        "published": found.published,
        "warning_en": found.warning_en,
        "warning_fr": found.warning_fr,
    }
    form = CharterForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not editable:
            raise Http404("No such page.")
        if form.is_valid():
            data = form.cleaned_data
            services.save_charter(
                workspace, data["text_en"], data["text_fr"], data["published"], request.user
            )
            Charter.objects.filter(id=found.id).update(
                warning_en=data["warning_en"], warning_fr=data["warning_fr"]
            )
            messages.success(request, _("Charter saved."))
            return redirect("moderation:charter", workspace.slug)
    versions = CharterVersion.objects.filter(workspace=workspace).order_by("-number")[:20]
    return render(
        request,
        "moderation/charter.html",
        {
            "form": form,
            "charter": found,
            "version": version,
            "versions": versions,
            "editable": editable,
            "articles": version.articles(get_language() or "en") if version else [],
        },
    )


def public_charter(request: HttpRequest, charter_token: str) -> HttpResponse:
    """The published charter, for anyone with its address (the network's members)."""
    found = (
        Charter.objects.filter(token=charter_token[:40], published=True)
        .select_related("workspace")
        .first()
    )
    if found is None:
        raise Http404("No such charter.")
    version = services.current_version(found.workspace)
    if version is None:
        raise Http404("No such charter.")
    return render(
        request,
        "moderation/public_charter.html",
        {
            "workspace_name": found.workspace.name,
            "version": version,
            "articles": version.articles(get_language() or "en"),
        },
    )


# --- appeals -------------------------------------------------------------------------------------


def appeal(request: HttpRequest, appeal_token: str) -> HttpResponse:
    """The public appeal page of one strike: what was decided on which message, and a form. It
    shows nothing else of the workspace (not even its address)."""
    strike = Strike.objects.filter(token=appeal_token[:40]).select_related("workspace").first()
    if strike is None:
        raise Http404("No such appeal.")
    existing = Appeal.objects.filter(strike=strike).first()
    form = AppealForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            people.file_appeal(strike, form.cleaned_data["text"], get_language() or "en")
        except people.AppealError as error:
            form.add_error("text", str(error))
        else:
            return redirect("moderation:appeal", strike.token)
    language = get_language() or "en"
    version = services.current_version(strike.workspace)
    return render(
        request,
        "moderation/appeal.html",
        {
            "strike": strike,
            "appeal": existing,
            "form": form,
            "workspace_name": strike.workspace.name,
            "article": version.article(strike.article, language) if version else "",
        },
    )


@workspace_view(MODERATION_DECIDE)
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    found = get_workspace_object_or_404(
        request, Appeal.objects.select_related("strike", "workspace"), id=appeal_id
    )
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the appeal is granted."))
        return redirect("moderation:queue", _ws(request).slug)
    problems = people.decide_appeal(
        found, form.cleaned_data["grant"], request.user, form.cleaned_data["answer"]
    )
    if form.cleaned_data["grant"]:
        messages.success(request, _("Appeal granted: the decision is lifted."))
    else:
        messages.success(request, _("Appeal denied: the decision stands."))
    for problem in dict.fromkeys(words(p) for p in problems):
        messages.warning(request, problem)
    return redirect("moderation:queue", _ws(request).slug)


# --- the decision log -----------------------------------------------------------------------------


@workspace_view(MODERATION_LOG)
def log(request: HttpRequest) -> HttpResponse:
    decisions = (
        workspace_queryset(request, Decision).select_related("actor").order_by("-created_at", "-id")
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(_page(request))
    rows = [
        {"decision": d, "reasons": services.reasons_of(d.explanation)} for d in page.object_list
    ]
    return render(request, "moderation/log.html", {"page": page, "rows": rows})


@workspace_view(MODERATION_LOG)
def log_csv(request: HttpRequest) -> HttpResponse:
    decisions = (
        workspace_queryset(request, Decision).select_related("actor").order_by("-created_at", "-id")
    )
    header = [
        _("When"),
        _("Who"),
        _("Rule"),
        _("Decision"),
        _("Log only"),
        _("Why"),
        _("Network"),
        _("Author"),
        _("Text as it was"),
        _("Reason"),
    ]

    def rows() -> Any:
        for d in decisions.iterator():
            yield [
                timezone.localtime(d.created_at).isoformat(timespec="seconds"),
                d.actor.get_username() if d.actor else _("rule"),
                d.rule_name,
                d.action,
                _("yes") if d.log_only else "",
                "; ".join(words(r) for r in services.reasons_of(d.explanation)),
                d.network,
                d.author_handle,
                d.text,
                d.note,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(f"moderation-log-{stamp}.csv", header, rows())
