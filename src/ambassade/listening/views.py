"""Listening pages. Thin: they read through ``workspace_queryset`` and write through ``services``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.engine.query import QuerySyntaxError
from ambassade.listening import backfill, insights, search, services
from ambassade.listening.analysis import described
from ambassade.listening.feedback import training_lines
from ambassade.listening.forms import (
    CompetitorForm,
    ImportForm,
    PeriodForm,
    QueryForm,
    SourceForm,
    StreamFilterForm,
)
from ambassade.listening.models import (
    Competitor,
    ListeningQuery,
    Mention,
    Sentiment,
    Source,
)
from ambassade.listening.permissions import (
    LISTENING_CORRECT,
    LISTENING_EXPORT,
    LISTENING_FEEDBACK,
    LISTENING_MANAGE,
    LISTENING_VIEW,
)
from ambassade.workspaces.charts import locale_json
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.messages import words
from ambassade.workspaces.permissions import (
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 25
STREAM_FIELDS = (
    "id",
    "workspace_id",
    "source_id",
    "network",
    "url",
    "text",
    "author_handle",
    "author_name",
    "author_followers",
    "lang",
    "sentiment",
    "sentiment_score",
    "offensive",
    "hateful",
    "spam",
    "is_duplicate",
    "marked_spam",
    "marked_irrelevant",
    "sentiment_corrected",
    "tags",
    "created_at",
)


# --- the stream -----------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[StreamFilterForm, QuerySet[Mention]]:
    form = StreamFilterForm(request.GET or None, workspace=request.workspace)  # type: ignore[attr-defined]
    mentions = workspace_queryset(request, Mention)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["query"]:
            mentions = mentions.filter(matches__query_id=data["query"])
        if data["sentiment"]:
            mentions = mentions.filter(sentiment=data["sentiment"])
        if data["lang"]:
            mentions = mentions.filter(lang=data["lang"])
        if data["source"]:
            mentions = mentions.filter(source=data["source"])
        if data["author"]:
            mentions = mentions.filter(author_handle__iexact=data["author"].strip().lstrip("@"))
        zone = timezone.get_current_timezone()
        if data["since"]:
            mentions = mentions.filter(
                created_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone)
            )
        if data["until"]:
            mentions = mentions.filter(
                created_at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, zone)
            )
        if data["hide_spam"]:
            mentions = mentions.filter(marked_spam=False, spam__lt=0.5, marked_irrelevant=False)
        if data["q"]:
            mentions = search.search(mentions, data["q"])
    return form, mentions.order_by("-created_at", "-id")


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 400))
    except ValueError:
        return 1


@workspace_view(LISTENING_VIEW)
def stream(request: HttpRequest) -> HttpResponse:
    form, mentions = _filtered(request)
    number = _page_number(request)
    offset = (number - 1) * PAGE_SIZE
    rows = list(
        mentions.select_related("source").only(*STREAM_FIELDS, "source__name", "source__kind")[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "listening/stream.html",
        {
            "form": form,
            "mentions": rows[:PAGE_SIZE],
            "page_number": number,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": number > 1,
            "filters": query.urlencode(),
            "has_sources": workspace_queryset(request, Source).exists(),
        },
    )


@workspace_view(LISTENING_EXPORT)
def export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered stream as CSV, streamed row by row (any size, constant memory); every text
    cell neutralised against spreadsheet formulas (:mod:`ambassade.workspaces.csvexport`)."""
    _form, mentions = _filtered(request)
    header = [
        "id", "created_at", "network", "source", "author_handle", "author_name",
        "author_followers", "lang", "sentiment", "sentiment_score", "spam", "offensive",
        "url", "text", "tags",
    ]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for m in mentions.select_related("source").iterator(chunk_size=2000):
            yield [
                m.id,
                m.created_at.isoformat(),
                m.network,
                m.source.name,
                m.author_handle,
                m.author_name,
                m.author_followers if m.author_followers is not None else "",
                m.lang,
                m.sentiment,
                round(m.sentiment_score, 3),
                round(m.spam, 3),
                round(m.offensive, 3),
                m.url,
                m.text,
                ";".join(m.tags),
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(f"mentions-{stamp}.csv", header, rows())


# --- one mention ----------------------------------------------------------------------------------


@workspace_view(LISTENING_VIEW)
def mention_detail(request: HttpRequest, mention_id: int) -> HttpResponse:
    mention = get_workspace_object_or_404(
        request, Mention.objects.select_related("source"), id=mention_id
    )
    others = []
    if mention.author_handle:
        others = list(
            workspace_queryset(request, Mention)
            .filter(author_handle=mention.author_handle)
            .exclude(id=mention.id)
            .order_by("-created_at")
            .only("id", "text", "created_at", "sentiment", "network", "workspace_id")[:10]
        )
    duplicates = (
        workspace_queryset(request, Mention)
        .filter(cluster=mention.cluster)
        .exclude(id=mention.id)
        .count()
        if mention.fingerprint
        else 0
    )
    return render(
        request,
        "listening/mention.html",
        {
            "mention": mention,
            "queries": [match.query for match in mention.matches.select_related("query")],
            "others": others,
            "duplicates": duplicates,
            "analysed": described(mention.analysed_as, mention.analysis_tier),
            "sentiments": [
                (value, label) for value, label in Sentiment.choices if value != "unsupported"
            ],
            "labels": [
                (
                    "offensive",
                    _("Is it offensive (insults, swearing at someone, harassment)?"),
                    _("Offensive"),
                    _("Not offensive"),
                    mention.offensive >= 0.5,
                ),
                (
                    "hateful",
                    _("Is it hateful (against a group: origin, religion, gender…)?"),
                    _("Hateful"),
                    _("Not hateful"),
                    mention.hateful >= 0.5,
                ),
            ],
            "feedback": list(mention.feedback.select_related("author")[:10]),
        },
    )


@workspace_view(LISTENING_CORRECT)
@require_POST
def mention_feedback(request: HttpRequest, mention_id: int) -> HttpResponse:
    mention = get_workspace_object_or_404(
        request, Mention.objects.select_related("workspace"), id=mention_id
    )
    action = request.POST.get("action", "")
    try:
        if action == "sentiment":
            services.correct_sentiment(mention, request.user, request.POST.get("sentiment", ""))
            messages.success(request, _("The sentiment was corrected. Thank you."))
        elif action == "label":
            value = request.POST.get("value", "")
            label = value.removeprefix("not_")
            services.correct_label(mention, request.user, label, not value.startswith("not_"))
            messages.success(request, _("The analysis was corrected. Thank you."))
        elif action in {"spam", "not_spam"}:
            services.mark_spam(mention, request.user, action == "spam")
            messages.success(request, _("Noted."))
        elif action in {"irrelevant", "relevant"}:
            services.mark_irrelevant(mention, request.user, action == "irrelevant")
            messages.success(request, _("Noted."))
        elif action == "tags":
            services.set_tags(mention, request.user, request.POST.get("tags", "").split(","))
            messages.success(request, _("The tags were saved."))
        else:
            messages.error(request, _("Unknown action."))
    except services.ActionError as exc:
        messages.error(request, str(exc))
    return redirect("listening:mention", request.workspace.slug, mention.id)  # type: ignore[attr-defined]


@workspace_view(LISTENING_FEEDBACK)
def feedback_export(request: HttpRequest) -> HttpResponse:
    """The workspace's corrections as JSONL for ``ambassade train-text --extra``."""
    workspace = request.workspace  # type: ignore[attr-defined]
    response = HttpResponse(
        "".join(training_lines(workspace)),
        content_type="application/x-ndjson; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="corrections-{workspace.slug}-{stamp}.jsonl"'
    )
    return response


# --- queries --------------------------------------------------------------------------------------


@workspace_view(LISTENING_VIEW)
def queries(request: HttpRequest) -> HttpResponse:
    rows = list(workspace_queryset(request, ListeningQuery).select_related("competitor"))
    latest = backfill.latest_backfills(rows)
    first = backfill.first_ingested_at(request.workspace.pk)  # type: ignore[attr-defined]
    for query in rows:
        query.latest_backfill = latest.get(query.pk)  # type: ignore[attr-defined]
        query.coverage = backfill.coverage(query, latest.get(query.pk), first)  # type: ignore[attr-defined]
    return render(request, "listening/queries.html", {"queries": rows})


@workspace_view(LISTENING_MANAGE)
@require_http_methods(["GET", "POST"])
def query_create(request: HttpRequest) -> HttpResponse:
    return _query_form(request, None)


@workspace_view(LISTENING_MANAGE)
@require_http_methods(["GET", "POST"])
def query_edit(request: HttpRequest, query_id: int) -> HttpResponse:
    return _query_form(request, get_workspace_object_or_404(request, ListeningQuery, id=query_id))


def _query_form(request: HttpRequest, query: ListeningQuery | None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    initial = {}
    if query is None and request.GET.get("competitor"):
        initial = {"kind": ListeningQuery.Kind.COMPETITOR}
    form = QueryForm(request.POST or None, instance=query, workspace=workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        apply_to_stored = data.pop("backfill", False)
        try:
            if query is None:
                query = services.create_query(
                    workspace,
                    request.user,
                    name=data["name"],
                    text=data["text"],
                    kind=data["kind"],
                    competitor=data["competitor"],
                )
                query.enabled = data["enabled"]
                query.save(update_fields=["enabled"])
                messages.success(request, _("The query was created."))
            else:
                services.update_query(query, request.user, **data)
                messages.success(request, _("The query was saved."))
        except services.ActionError as exc:
            form.add_error("text", str(exc))
        else:
            if apply_to_stored:
                _apply_to_stored(request, query)
            return redirect("listening:queries", workspace.slug)
    return render(request, "listening/query_form.html", {"form": form, "query": query})


def _apply_to_stored(request: HttpRequest, query: ListeningQuery) -> None:
    """Start a backfill of the query unless it holds the stored mentions already (or soon)."""
    latest = backfill.latest_backfills([query]).get(query.pk)
    first = backfill.first_ingested_at(query.workspace_id)
    if backfill.coverage(query, latest, first) in {"running", "applied", "all"}:
        return
    started = backfill.start_backfill(query, request.user)
    messages.info(
        request,
        _("It is being applied to the %(count)s stored mentions; follow its progress below.")
        % {"count": formats.number_format(started.total, force_grouping=True)},
    )


@workspace_view(LISTENING_MANAGE)
@require_POST
def query_backfill(request: HttpRequest, query_id: int) -> HttpResponse:
    """Apply the query to the mentions stored before it (or before its text changed)."""
    query = get_workspace_object_or_404(request, ListeningQuery, id=query_id)
    _apply_to_stored(request, query)
    return redirect("listening:queries", request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(LISTENING_VIEW)
def query_backfill_progress(request: HttpRequest, query_id: int) -> HttpResponse:
    """The htmx fragment of a query's backfill (polled while it runs)."""
    query = get_workspace_object_or_404(request, ListeningQuery, id=query_id)
    latest = backfill.latest_backfills([query]).get(query.pk)
    query.coverage = backfill.coverage(  # type: ignore[attr-defined]
        query, latest, backfill.first_ingested_at(query.workspace_id)
    )
    return render(
        request, "listening/includes/backfill_progress.html", {"query": query, "backfill": latest}
    )


@workspace_view(LISTENING_MANAGE)
@require_POST
def query_delete(request: HttpRequest, query_id: int) -> HttpResponse:
    query = get_workspace_object_or_404(request, ListeningQuery, id=query_id)
    services.delete_query(query, request.user)
    messages.success(request, _("The query was deleted."))
    return redirect("listening:queries", request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(LISTENING_VIEW)
@require_http_methods(["GET", "POST"])
def query_preview(request: HttpRequest) -> HttpResponse:
    """The htmx preview under the query field: a parse error at its column, or what the query
    would have matched in the last 30 days."""
    text = (request.POST.get("text") or request.GET.get("text") or "").strip()
    context: dict[str, Any] = {"text": text}
    if text:
        try:
            services.check_query(text)
        except QuerySyntaxError as exc:
            context["error"], context["error_message"] = exc, words(exc)
            column = max(1, min(exc.column, len(text) + 1))
            context["before"], context["at"], context["after"] = (
                text[: column - 1],
                text[column - 1 : column] or " ",
                text[column:],
            )
        else:
            context["preview"] = services.preview_query(request.workspace, text)  # type: ignore[attr-defined]
    return render(request, "listening/includes/query_preview.html", context)


# --- sources --------------------------------------------------------------------------------------


@workspace_view(LISTENING_VIEW)
def sources(request: HttpRequest) -> HttpResponse:
    rows = workspace_queryset(request, Source).select_related("connection")
    return render(request, "listening/sources.html", {"sources": rows})


@workspace_view(LISTENING_MANAGE)
@require_http_methods(["GET", "POST"])
def source_create(request: HttpRequest) -> HttpResponse:
    return _source_form(request, None)


@workspace_view(LISTENING_MANAGE)
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    return _source_form(request, get_workspace_object_or_404(request, Source, id=source_id))


def _source_form(request: HttpRequest, source: Source | None) -> HttpResponse:
    """A source's common fields and the settings form of its kind; a new source first asks for
    its kind (``?kind=rss``)."""
    from ambassade.listening.source_settings import settings_form
    from ambassade.listening.sources import kind_choices

    workspace = request.workspace  # type: ignore[attr-defined]
    kinds = kind_choices()
    kind = source.kind if source else str(request.POST.get("kind") or request.GET.get("kind", ""))
    if source is None and kind not in dict(kinds):
        return render(request, "listening/source_form.html", {"kinds": kinds, "source": None})
    data = request.POST or None
    form = SourceForm(data, instance=source, workspace=workspace, kind=kind)
    settings = settings_form(kind, data, config=source.config if source else None)
    if request.method == "POST" and form.is_valid() and settings.is_valid():
        values = form.cleaned_data
        try:
            if source is None:
                services.create_source(
                    workspace,
                    request.user,
                    name=values["name"],
                    kind=kind,
                    config=settings.config(),
                    connection=values["connection"],
                    interval=values["interval_minutes"] * 60,
                    enabled=values["enabled"],
                )
                messages.success(request, _("The source was added; it is checked within a minute."))
            else:
                services.update_source(
                    source,
                    request.user,
                    name=values["name"],
                    config=settings.config(),
                    connection=values["connection"],
                    interval=values["interval_minutes"] * 60,
                    enabled=values["enabled"],
                )
                messages.success(request, _("The source was saved."))
        except services.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("listening:sources", workspace.slug)
    return render(
        request,
        "listening/source_form.html",
        {
            "form": form,
            "settings": settings,
            "source": source,
            "kind": kind,
            "kind_label": dict(kinds).get(kind) or (source.kind_label if source else kind),
        },
    )


@workspace_view(LISTENING_MANAGE)
@require_http_methods(["GET", "POST"])
def source_import(request: HttpRequest) -> HttpResponse:
    """Upload an export; it is imported in the background, its progress shown on the sources page."""
    from ambassade.listening import imports, tasks

    workspace = request.workspace  # type: ignore[attr-defined]
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = imports.start_file_import(
                workspace,
                request.user,
                name=form.cleaned_data["name"],
                data=form.cleaned_data["file"].chunks(),  # streamed to disk, never held whole
                file_format=form.file_format(),
                mapping=form.mapping(),
                network=form.cleaned_data["network"].strip(),
                timezone_name=workspace.time_zone,
            )
        except services.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            tasks.import_file(source.id)
            messages.success(request, _("The file is being imported; follow its progress below."))
            return redirect("listening:sources", workspace.slug)
    return render(request, "listening/source_import.html", {"form": form})


@workspace_view(LISTENING_MANAGE)
@require_POST
def source_retry(request: HttpRequest, source_id: int) -> HttpResponse:
    """Queue a failed import again."""
    from ambassade.listening import imports, tasks

    source = get_workspace_object_or_404(request, Source, id=source_id, kind="file")
    try:
        imports.retry_file_import(source, request.user)
    except services.ActionError as exc:
        messages.error(request, str(exc))
    else:
        tasks.import_file(source.id)
        messages.success(request, _("The import starts again; follow its progress below."))
    return redirect("listening:sources", request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(LISTENING_VIEW)
def source_progress(request: HttpRequest, source_id: int) -> HttpResponse:
    """The htmx fragment of an import's progress (polled while it runs)."""
    source = get_workspace_object_or_404(request, Source, id=source_id)
    return render(request, "listening/includes/import_progress.html", {"source": source})


@workspace_view(LISTENING_MANAGE)
@require_POST
def source_run(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_workspace_object_or_404(
        request, Source.objects.select_related("connection"), id=source_id
    )
    services.poll_now(source)
    messages.success(request, _("The source will be checked within a minute."))
    return redirect("listening:sources", request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(LISTENING_MANAGE)
@require_POST
def source_delete(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_workspace_object_or_404(request, Source, id=source_id)
    services.delete_source(source, request.user)
    messages.success(request, _("The source and its mentions were removed."))
    return redirect("listening:sources", request.workspace.slug)  # type: ignore[attr-defined]


# --- insights -------------------------------------------------------------------------------------


@workspace_view(LISTENING_VIEW)
def insights_page(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    days = 30
    if form.is_valid() and form.cleaned_data.get("days"):
        days = int(form.cleaned_data["days"])
    workspace = request.workspace  # type: ignore[attr-defined]
    trend_days = min(days, 7)
    chart = insights.share_of_voice(workspace, days)
    return render(
        request,
        "listening/insights.html",
        {
            "form": form,
            "days": days,
            "trend_days": trend_days,
            "chart": chart,
            "spec": json.dumps(insights.share_spec(chart)) if chart.total else "",
            "chart_locale": locale_json(),
            "sentiment": insights.volume_by_sentiment(workspace, days),
            "trends": insights.trending_terms(workspace, trend_days),
            "authors": insights.top_authors(workspace, days),
            "competitors": workspace_queryset(request, Competitor),
        },
    )


@workspace_view(LISTENING_MANAGE)
@require_http_methods(["GET", "POST"])
def competitor_create(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = CompetitorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            competitor = services.create_competitor(
                workspace,
                request.user,
                name=form.cleaned_data["name"],
                color=form.cleaned_data["color"],
            )
        except services.ActionError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(
                request,
                _("%(name)s was added. Now give it a query.") % {"name": competitor.name},
            )
            return redirect(
                f"{_url('listening:query_create', workspace.slug)}?competitor={competitor.pk}"
            )
    return render(request, "listening/competitor_form.html", {"form": form})


def _url(name: str, slug: str) -> str:
    from django.urls import reverse

    return reverse(name, args=[slug])
