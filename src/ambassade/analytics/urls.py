from django.urls import path

from ambassade.analytics import reports_views, views

app_name = "analytics"

W = "w/<slug:workspace_slug>/analytics/"

urlpatterns = [
    path(W + "objectives/", views.objectives, name="objectives"),
    path(W + "objectives/new/", views.objective_create, name="objective_create"),
    path(W + "objectives/<int:objective_id>/", views.objective_detail, name="objective"),
    path(
        W + "objectives/<int:objective_id>/delete/",
        views.objective_delete,
        name="objective_delete",
    ),
    path(W + "kpis/<int:kpi_id>/delete/", views.kpi_delete, name="kpi_delete"),
    path(W + "charts/mentions.svg", views.trend_svg, name="trend_svg"),
    path(W + "charts/mentions.csv", views.trend_csv, name="trend_csv"),
    path(W + "reports/", reports_views.report_list, name="reports"),
    path(W + "reports/new/", reports_views.report_create, name="report_create"),
    path(W + "reports/<int:report_id>/", reports_views.report_detail, name="report"),
    path(
        W + "reports/<int:report_id>/report.html", reports_views.report_document, name="report_html"
    ),
    path(W + "reports/<int:report_id>/report.pdf", reports_views.report_pdf, name="report_pdf"),
    path(
        W + "reports/<int:report_id>/<slug:block>.csv", reports_views.report_csv, name="report_csv"
    ),
    path(W + "reports/<int:report_id>/send/", reports_views.report_send, name="report_send"),
    path(W + "reports/<int:report_id>/delete/", reports_views.report_delete, name="report_delete"),
]

from ambassade.analytics import audience_views  # noqa: E402

urlpatterns += [
    path(W + "audience/", audience_views.overview, name="audience"),
    path(W + "audience/accounts.csv", audience_views.accounts_csv, name="accounts_csv"),
    path(W + "audience/posts.csv", audience_views.posts_csv, name="posts_csv"),
    path(W + "audience/followers.csv", audience_views.followers_csv, name="followers_csv"),
    path(W + "audience/best-time.csv", audience_views.best_time_csv, name="best_time_csv"),
    path(W + "competitors/", audience_views.competitors, name="competitors"),
    path(
        W + "competitors/<int:account_id>/delete/",
        audience_views.competitor_delete,
        name="competitor_delete",
    ),
]

from ambassade.analytics import traffic_views  # noqa: E402

urlpatterns += [
    path(W + "traffic/", traffic_views.traffic_page, name="traffic"),
    path(W + "traffic/visits.csv", traffic_views.traffic_csv, name="traffic_csv"),
    path(
        W + "traffic/sites/<int:site_id>/delete/",
        traffic_views.site_delete,
        name="traffic_site_delete",
    ),
]

from ambassade.analytics import areas_views  # noqa: E402

urlpatterns += [
    path(W + "areas/", areas_views.areas_index, name="areas"),
    path(W + "areas/<slug:area>/", areas_views.area_page, name="area"),
    path(W + "areas/<slug:area>/<slug:table>.csv", areas_views.area_csv, name="area_csv"),
]

from ambassade.analytics import agency_views  # noqa: E402

urlpatterns += [
    path("analytics/agency/", agency_views.agency_page, name="agency"),
    path("analytics/agency/workspaces.csv", agency_views.agency_csv, name="agency_csv"),
]
