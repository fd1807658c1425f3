"""Products on the member's side: a timeline's mention shows the product it speaks of, linked to
the product's page, and the member's page lists the products they talk about with sentiment."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ambassade.community.models import Identity
from ambassade.products import services
from tests.listening.conftest import days_ago, item
from tests.workspaces.html import parse

HOSTILE = '<img src=x onerror="alert(1)">'


def test_the_member_page_shows_the_products_they_talk_about(
    client: Any, personas: Any, source: Any, ingest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    workspace = personas.workspace_a
    with django_capture_on_commit_callbacks(execute=True):
        cold = services.save_product(workspace, personas.alice, name="Cold brew")
        odd = services.save_product(workspace, personas.alice, name=HOSTILE, aliases="croissant")
    ingest(
        source,
        [
            item("1", "I love the cold brew", handle="ana", at=days_ago(3)),
            item("2", "cold brew was terrible", handle="ana", at=days_ago(2)),
            item("3", "cold brew and a croissant, great", handle="ana", at=days_ago(1)),
            item("4", "nothing to say", handle="ana", at=days_ago(1)),
            item("5", "cold brew for ben", handle="ben", at=days_ago(1)),
        ],
    )
    member = Identity.objects.get(handle="ana").member
    client.force_login(personas.bob)
    response = client.get(reverse("community:member", args=[workspace.slug, member.pk]))
    assert response.status_code == 200
    assert HOSTILE.encode() not in response.content  # a product's name is escaped
    page = parse(response.content.decode())
    cold_link = reverse("products:product", args=[workspace.slug, cold.pk])
    odd_link = reverse("products:product", args=[workspace.slug, odd.pk])
    # On the timeline: each mention with its products' badges, linked.
    lines = {
        li.find("p", class_="mention-text").text: [
            a.attrs["href"] for a in li.find_all("a", class_="badge timeline-tag")
        ]
        for li in page.find_all("li")
        if li.find("p", class_="mention-text") is not None
    }
    assert lines == {
        "cold brew and a croissant, great": [odd_link, cold_link],
        "nothing to say": [],
        "cold brew was terrible": [cold_link],
        "I love the cold brew": [cold_link],
    }
    # On the side: the products, the most talked about first, with their sentiment.
    panel = page.find("ul", class_="plain-list member-products")
    assert panel is not None
    rows = panel.find_all("li")
    assert [row.find("a").attrs["href"] for row in rows] == [cold_link, odd_link]
    assert "3 mentions" in rows[0].text and "1 mention" in rows[1].text
    bar = rows[0].find(class_="chart-inline")  # a Vega-Lite spec the browser draws
    assert bar is not None and bar.attrs["aria-label"] == "2 positive, 0 neutral, 1 negative"
    # Someone else's products are not theirs.
    other = Identity.objects.get(handle="ben").member
    response = client.get(reverse("community:member", args=[workspace.slug, other.pk]))
    rows = (
        parse(response.content.decode())
        .find("ul", class_="plain-list member-products")
        .find_all("li")
    )
    assert len(rows) == 1


def test_the_member_page_loads_the_chart_library_once(
    client: Any, personas: Any, source: Any, ingest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Their score history and the products' sentiment bars both draw charts: one library."""
    from ambassade.community import scores

    workspace = personas.workspace_a
    with django_capture_on_commit_callbacks(execute=True):
        services.save_product(workspace, personas.alice, name="Cold brew")
    ingest(source, [item("1", "I love the cold brew", handle="ana", at=days_ago(1))])
    ingest(source, [item("2", "nothing to say", handle="ben", at=days_ago(1))])
    ana = Identity.objects.get(handle="ana").member
    ben = Identity.objects.get(handle="ben").member
    client.force_login(personas.bob)

    def libraries(member: Any) -> list[int]:
        html = client.get(reverse("community:member", args=[workspace.slug, member.pk]))
        text = html.content.decode()
        sources = [script.attrs.get("src", "") for script in parse(text).find_all("script")]
        charts = text.count(" data-chart=")
        return [
            sum("vega-lite" in s for s in sources),
            sum("charts.js" in s for s in sources),
            charts,
        ]

    assert libraries(ana) == [1, 1, 1]  # the products' bar only
    assert libraries(ben) == [0, 0, 0]  # nothing drawn: nothing loaded
    scores.store_scores(workspace)
    assert libraries(ana) == [1, 1, 2]  # the history and the bar: still one library
    assert libraries(ben) == [1, 1, 1]
