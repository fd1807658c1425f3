from django.urls import path

from ambassade.products import views

app_name = "products"

W = "w/<slug:workspace_slug>/products/"

urlpatterns = [
    path(W, views.products, name="products"),
    path(W + "new/", views.product_new, name="product_new"),
    path(W + "<int:product_id>/", views.product_detail, name="product"),
    path(W + "<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path(W + "<int:product_id>/delete/", views.product_delete, name="product_delete"),
]
