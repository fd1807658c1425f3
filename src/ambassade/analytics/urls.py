from django.urls import path

from ambassade.analytics import views

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
]
