from django.urls import path

from ambassade.community import (
    crm_views,
    discovery_views,
    history_views,
    import_views,
    privacy_views,
    segment_views,
    views,
)

app_name = "community"

urlpatterns = [
    path("w/<slug:workspace_slug>/community/", views.members, name="members"),
    path("w/<slug:workspace_slug>/community/author/", views.author, name="author"),
    path("w/<slug:workspace_slug>/community/merges/", views.merge_review, name="merge_review"),
    path("w/<slug:workspace_slug>/community/discover/", discovery_views.discover, name="discover"),
    path(
        "w/<slug:workspace_slug>/community/discover/add/",
        discovery_views.discover_add,
        name="discover_add",
    ),
    path(
        "w/<slug:workspace_slug>/community/merges/merge/",
        views.merge_review_merge,
        name="merge_review_merge",
    ),
    path(
        "w/<slug:workspace_slug>/community/merges/dismiss/",
        views.merge_review_dismiss,
        name="merge_review_dismiss",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/",
        views.member_detail,
        name="member",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/scores.csv",
        history_views.member_scores_csv,
        name="member_scores_csv",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/staff/",
        views.member_staff,
        name="member_staff",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/merge/",
        views.member_merge,
        name="member_merge",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/consents/",
        privacy_views.consent_record,
        name="consent_record",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/consents/optin/",
        privacy_views.consent_optin,
        name="consent_optin",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/export.json",
        privacy_views.member_export,
        name="member_export",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/erase/",
        privacy_views.member_erase,
        name="member_erase",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/tags/",
        crm_views.member_tags,
        name="member_tags",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/fields/",
        crm_views.member_fields,
        name="member_fields",
    ),
    path(
        "w/<slug:workspace_slug>/community/members/<int:member_id>/notes/",
        crm_views.note_add,
        name="note_add",
    ),
    path(
        "w/<slug:workspace_slug>/community/notes/<int:note_id>/delete/",
        crm_views.note_delete,
        name="note_delete",
    ),
    path(
        "w/<slug:workspace_slug>/community/segments/",
        segment_views.segment_list,
        name="segments",
    ),
    path(
        "w/<slug:workspace_slug>/community/segments/new/",
        segment_views.segment_edit,
        name="segment_new",
    ),
    path(
        "w/<slug:workspace_slug>/community/segments/<int:segment_id>/",
        segment_views.segment_edit,
        name="segment_edit",
    ),
    path(
        "w/<slug:workspace_slug>/community/segments/<int:segment_id>/delete/",
        segment_views.segment_delete,
        name="segment_delete",
    ),
    path(
        "w/<slug:workspace_slug>/community/segments/<int:segment_id>/export.csv",
        segment_views.segment_export,
        name="segment_export",
    ),
    path("w/<slug:workspace_slug>/community/fields/", crm_views.field_list, name="fields"),
    path(
        "w/<slug:workspace_slug>/community/fields/<int:field_id>/",
        crm_views.field_list,
        name="field_edit",
    ),
    path(
        "w/<slug:workspace_slug>/community/fields/<int:field_id>/delete/",
        crm_views.field_delete,
        name="field_delete",
    ),
    path("w/<slug:workspace_slug>/community/imports/", import_views.import_list, name="imports"),
    path(
        "w/<slug:workspace_slug>/community/imports/<int:import_id>/",
        import_views.import_detail,
        name="import",
    ),
    path(
        "w/<slug:workspace_slug>/community/imports/<int:import_id>/delete/",
        import_views.import_delete,
        name="import_delete",
    ),
    path("w/<slug:workspace_slug>/community/tags/", crm_views.members_tags, name="members_tags"),
    path("consent/<str:consent_token>/", privacy_views.optin_page, name="optin"),
    path(
        "w/<slug:workspace_slug>/community/identities/<int:identity_id>/split/",
        views.identity_split,
        name="identity_split",
    ),
]
