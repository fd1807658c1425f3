"""Product pages. Thin: they read through ``workspace_queryset`` and write through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.listening.models import Mention
from ambassade.products import charts, services, stats
from ambassade.products.forms import PERIODS, ProductForm
from ambassade.products.models import Product, ProductMention
from ambassade.products.permissions import PRODUCTS_MANAGE, PRODUCTS_VIEW
from ambassade.workspaces.charts import locale_json
from ambassade.workspaces.messages import words
from ambassade.workspaces.params import parse_int
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

PAGE_SIZE = 20


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _days(request: HttpRequest) -> int:
    days = parse_int(request.GET.get("days"), minimum=1, maximum=365) or 30
    return days if days in {value for value, _label in PERIODS} else 30


@workspace_view(PRODUCTS_VIEW)
def products(request: HttpRequest) -> HttpResponse:
    days = _days(request)
    items = list(workspace_queryset(request, Product))
    category = request.GET.get("category", "")[:80]
    categories = sorted({p.category for p in items if p.category})
    if category:
        items = [p for p in items if p.category == category]
    found = stats.figures(items, stats.start_of(_ws(request), days))
    rows = [
        {
            "product": p,
            "figures": found[p.pk],
            "bar": charts.sentiment_bar_spec(found[p.pk]) if found[p.pk].total else "",
        }
        for p in items
    ]
    rows.sort(key=lambda row: (-row["figures"].total, row["product"].name.casefold()))
    return render(
        request,
        "products/products.html",
        {
            "rows": rows,
            "days": days,
            "periods": PERIODS,
            "category": category,
            "categories": categories,
            "chart_locale": locale_json(),
            "can_manage": can_role(request.membership.role, PRODUCTS_MANAGE),  # type: ignore[attr-defined]
        },
    )


def _save(request: HttpRequest, form: ProductForm, product: Product | None) -> Product | None:
    try:
        return services.save_product(_ws(request), request.user, product, **form.cleaned_data)
    except services.AliasError as error:
        form.add_error(error.field, words(error.message))
    except IntegrityError:
        form.add_error("name", _("Another product has this name."))
    return None


@workspace_view(PRODUCTS_MANAGE)
@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if workspace_queryset(request, Product).filter(name=form.cleaned_data["name"]).exists():
            form.add_error("name", _("Another product has this name."))
        else:
            saved = _save(request, form, None)
            if saved is not None:
                messages.success(request, _("Product added; its past mentions are being found."))
                return redirect("products:product", _ws(request).slug, saved.pk)
    return render(
        request, "products/product_form.html", {"form": form, "heading": _("New product")}
    )


@workspace_view(PRODUCTS_MANAGE)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_workspace_object_or_404(request, Product, pk=product_id)
    initial = {name: getattr(product, name) for name in ("name", "category", "aliases", "links")}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        taken = (
            workspace_queryset(request, Product)
            .filter(name=form.cleaned_data["name"])
            .exclude(pk=product.pk)
            .exists()
        )
        if taken:
            form.add_error("name", _("Another product has this name."))
        elif _save(request, form, product) is not None:
            messages.success(request, _("Product saved."))
            return redirect("products:product", _ws(request).slug, product.pk)
    return render(
        request,
        "products/product_form.html",
        {"form": form, "product": product, "heading": product.name},
    )


@workspace_view(PRODUCTS_MANAGE)
@require_POST
def product_delete(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_workspace_object_or_404(request, Product, pk=product_id)
    services.delete_product(product, request.user)
    messages.success(request, _("Product deleted."))
    return redirect("products:products", _ws(request).slug)


@workspace_view(PRODUCTS_VIEW)
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_workspace_object_or_404(
        request, Product.objects.select_related("workspace"), pk=product_id
    )
    days = _days(request)
    since = stats.start_of(_ws(request), days)
    sentiment = request.GET.get("sentiment", "")
    links = ProductMention.objects.filter(product=product).order_by("-created_at", "-id")
    if sentiment in stats.SENTIMENTS:
        links = links.filter(sentiment=sentiment)
    else:
        sentiment = ""
    page = Paginator(links.values_list("mention_id", flat=True), PAGE_SIZE).get_page(
        parse_int(request.GET.get("page"), minimum=1)
    )
    ids = list(page.object_list)
    found = {m.pk: m for m in Mention.objects.filter(pk__in=ids)}
    figures = stats.figures([product], since)[product.pk]
    chart = stats.daily(product, days)
    return render(
        request,
        "products/product.html",
        {
            "product": product,
            "days": days,
            "periods": PERIODS,
            "figures": figures,
            "bar": charts.sentiment_bar_spec(figures) if figures.total else "",
            "chart": chart,
            "spec": charts.daily_spec(chart),
            "chart_locale": locale_json(),
            "members": stats.top_members(product, since),
            "page": page,
            "mentions": [found[pk] for pk in ids if pk in found],
            "sentiment": sentiment,
            "can_manage": can_role(request.membership.role, PRODUCTS_MANAGE),  # type: ignore[attr-defined]
        },
    )
