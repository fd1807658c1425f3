from django.urls import path

from ambassade.community import privacy_views, views

app_name = "community"

urlpatterns = [
    path("w/<slug:workspace_slug>/community/", views.members, name="members"),
    path("w/<slug:workspace_slug>/community/author/", views.author, name="author"),
    path("w/<slug:workspace_slug>/community/merges/", views.merge_review, name="merge_review"),
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
        "w/<slug:workspace_slug>/community/members/<int:member_id>/edit/",
        views.member_edit,
        name="member_edit",
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
    path("consent/<str:consent_token>/", privacy_views.optin_page, name="optin"),
    path(
        "w/<slug:workspace_slug>/community/identities/<int:identity_id>/split/",
        views.identity_split,
        name="identity_split",
    ),
]
