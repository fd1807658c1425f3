"""Products: aliases compiled like queries, mentions linked at ingest and by a resumable scan,
volume and sentiment, the pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from ambassade.products import services, stats
from ambassade.products.models import Product, ProductMention
from tests.listening.conftest import NOW, item

HOSTILE = '<img src=x onerror="alert(1)">'


def _linked(product: Product) -> set[str]:
    return set(
        ProductMention.objects.filter(product=product).values_list(
            "mention__external_id", flat=True
        )
    )


def test_it_compiles_aliases_like_queries_and_names_the_bad_line() -> None:
    query = services.compile_query(
        'Cold "Brew"',
        ["#coldbrew", "cold NEAR/2 brew"],
        ["https://shop.example/cold-brew/", "https://cafe.example"],
    )
    assert query == (
        '"Cold Brew" OR (#coldbrew) OR (cold NEAR/2 brew) OR (url:shop.example/cold-brew) '
        "OR (site:cafe.example)"
    )
    with pytest.raises(services.AliasError) as bad:
        services.compile_query("Latte", ["latte", '"oat latte'], [])
    assert bad.value.field == "aliases" and bad.value.line == 2
    assert bad.value.message.code == "product.bad_alias"


def test_it_links_new_mentions_and_scans_the_stored_ones(
    personas: Any, source: Any, ingest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ingest(
        source,
        [
            item("1", "I love the cold brew", handle="ana"),
            item("2", "#ColdBrew is great", handle="ben"),
            item("3", "a latte please", handle="cleo"),
            item("4", "see https://shop.example/cold-brew/bottle", handle="dan"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=False):  # the scan is run below, by hand
        product = services.save_product(
            personas.workspace_a,
            personas.alice,
            name="Cold brew",
            aliases="#coldbrew",
            links="https://shop.example/cold-brew",
        )
    assert _linked(product) == set() and product.scan_total == 4

    def killed(state: Product) -> None:
        raise KeyboardInterrupt  # the worker dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        services.scan(product.pk, batch=2, progress=killed)
    product.refresh_from_db()
    assert product.scanned == 2 and product.scan_done_at is None
    assert services.scan(product.pk, batch=2) is None  # its claim holds until the heartbeat is old
    Product.objects.filter(pk=product.pk).update(scan_heartbeat_at=NOW - timedelta(hours=1))
    assert services.scannable() == [product.pk]
    done = services.scan(product.pk, batch=2)
    assert done is not None and done.scan_done_at is not None and done.scanned == 4
    assert _linked(product) == {"1", "2", "4"}
    # New mentions are linked as they are ingested.
    ingest(source, [item("5", "cold brew again", handle="eve"), item("6", "nothing", handle="fay")])
    assert _linked(product) == {"1", "2", "4", "5"}
    # Changing its aliases drops its links and scans again.
    services.save_product(personas.workspace_a, personas.alice, product, links="")
    assert _linked(product) == set()
    assert services.scan(product.pk) is not None
    assert _linked(product) == {"1", "2", "5"}


def test_it_counts_volume_sentiment_and_who_speaks_of_it(
    personas: Any, source: Any, ingest: Any
) -> None:
    product = services.save_product(personas.workspace_a, personas.alice, name="Croissant")
    ingest(
        source,
        [
            item("1", "great croissant", handle="ana"),
            item("2", "croissant love", handle="ana", at=NOW - timedelta(days=1)),
            item("3", "terrible croissant", handle="ben", at=NOW - timedelta(days=2)),
            item("4", "croissant", handle="cleo", at=NOW - timedelta(days=40)),
        ],
    )
    since = stats.start_of(personas.workspace_a, 30, now=NOW)
    figures = stats.figures([product], since)[product.pk]
    assert (figures.total, figures.positive, figures.negative, figures.net) == (3, 2, 1, 33)
    assert figures.share_positive + figures.share_neutral + figures.share_negative == 100
    chart = stats.daily(product, 7, now=NOW)
    assert [day.count for day in chart.days][-3:] == [1, 1, 1] and chart.peak == 1
    members = stats.top_members(product, since)
    assert [(row["total"], row["positive"], row["negative"]) for row in members] == [
        (2, 2, 0),
        (1, 0, 1),
    ]


def test_its_pages_escape_what_people_wrote_and_refuse_bad_aliases(
    client: Any, personas: Any, source: Any, ingest: Any
) -> None:
    client.force_login(personas.bob)
    slug = personas.workspace_a.slug
    new = reverse("products:product_new", args=[slug])
    bad = client.post(new, {"name": "Latte", "aliases": 'latte\n"oat latte', "links": "shop"})
    assert bad.status_code == 200 and not Product.objects.exists()
    assert b"a link starts with https://" in bad.content
    bad = client.post(new, {"name": "Latte", "aliases": 'latte\n"oat latte'})
    assert b"Line 2, column" in bad.content and not Product.objects.exists()
    response = client.post(new, {"name": HOSTILE, "category": HOSTILE, "aliases": "latte"})
    product = Product.objects.get()
    assert response.status_code == 302
    ingest(source, [item("1", f"latte {HOSTILE}", handle="ana", at=NOW)])
    for url in (
        reverse("products:products", args=[slug]),
        reverse("products:product", args=[slug, product.pk]) + "?days=7&sentiment=negative",
        reverse("products:product", args=[slug, product.pk]) + "?days=abc&page=x",
        reverse("products:product_edit", args=[slug, product.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200 and HOSTILE.encode() not in page.content, url
    again = client.post(new, {"name": HOSTILE})
    assert b"Another product has this name" in again.content
    client.post(reverse("products:product_delete", args=[slug, product.pk]))
    assert not Product.objects.exists() and not ProductMention.objects.exists()
