from django.urls import path

from ambassade.listening import views

app_name = "listening"

urlpatterns = [
    path("w/<slug:workspace_slug>/listening/", views.stream, name="stream"),
    path("w/<slug:workspace_slug>/listening/export.csv", views.export, name="export"),
    path(
        "w/<slug:workspace_slug>/listening/corrections.jsonl",
        views.feedback_export,
        name="feedback_export",
    ),
    path(
        "w/<slug:workspace_slug>/listening/mentions/<int:mention_id>/",
        views.mention_detail,
        name="mention",
    ),
    path(
        "w/<slug:workspace_slug>/listening/mentions/<int:mention_id>/feedback/",
        views.mention_feedback,
        name="mention_feedback",
    ),
    path("w/<slug:workspace_slug>/listening/queries/", views.queries, name="queries"),
    path("w/<slug:workspace_slug>/listening/queries/new/", views.query_create, name="query_create"),
    path(
        "w/<slug:workspace_slug>/listening/queries/preview/",
        views.query_preview,
        name="query_preview",
    ),
    path(
        "w/<slug:workspace_slug>/listening/queries/<int:query_id>/",
        views.query_edit,
        name="query_edit",
    ),
    path(
        "w/<slug:workspace_slug>/listening/queries/<int:query_id>/backfill/",
        views.query_backfill,
        name="query_backfill",
    ),
    path(
        "w/<slug:workspace_slug>/listening/queries/<int:query_id>/backfill/progress/",
        views.query_backfill_progress,
        name="query_backfill_progress",
    ),
    path(
        "w/<slug:workspace_slug>/listening/queries/<int:query_id>/delete/",
        views.query_delete,
        name="query_delete",
    ),
    path("w/<slug:workspace_slug>/listening/sources/", views.sources, name="sources"),
    path(
        "w/<slug:workspace_slug>/listening/sources/new/", views.source_create, name="source_create"
    ),
    path(
        "w/<slug:workspace_slug>/listening/sources/import/",
        views.source_import,
        name="source_import",
    ),
    path(
        "w/<slug:workspace_slug>/listening/sources/<int:source_id>/progress/",
        views.source_progress,
        name="source_progress",
    ),
    path(
        "w/<slug:workspace_slug>/listening/sources/<int:source_id>/",
        views.source_edit,
        name="source_edit",
    ),
    path(
        "w/<slug:workspace_slug>/listening/sources/<int:source_id>/run/",
        views.source_run,
        name="source_run",
    ),
    path(
        "w/<slug:workspace_slug>/listening/sources/<int:source_id>/retry/",
        views.source_retry,
        name="source_retry",
    ),
    path(
        "w/<slug:workspace_slug>/listening/sources/<int:source_id>/delete/",
        views.source_delete,
        name="source_delete",
    ),
    path("w/<slug:workspace_slug>/listening/insights/", views.insights_page, name="insights"),
    path(
        "w/<slug:workspace_slug>/listening/competitors/new/",
        views.competitor_create,
        name="competitor_create",
    ),
]
