"""What a crisis covers: from its alert's window (or a chosen start) to its close, counted from the
stored mentions of the queries it watches, with the day before for comparison; its duration in words;
and closing with checklist items not done only when confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.connectors.base import Author, RawItem
from ambassade.crisis import services
from ambassade.crisis.models import AlertRule, Crisis
from tests.conftest import Personas
from tests.crisis.conftest import series

HOUR = timedelta(hours=1)
WORDS = ["kettle", "grinder", "espresso", "latte", "mug", "filter", "beans", "roast", "milk", "cup"]


def _ingest(p: Personas, texts_at: list[tuple[str, datetime]], capture: Any) -> None:
    from ambassade.listening import services as listening
    from ambassade.listening.models import Source

    source, _ = Source.objects.get_or_create(workspace=p.workspace_a, name="Feed", kind="rss")
    items = [
        RawItem(
            source="rss",
            external_id=f"{at.isoformat()}-{n}",
            text=text,
            created_at=at,
            url=f"https://example.net/{n}-{at.timestamp():.0f}",
            author=Author(handle=f"@author{n}"),
        )
        for n, (text, at) in enumerate(texts_at)
    ]
    with capture(execute=True):
        listening.ingest(source, items)


def _queries(p: Personas) -> tuple[Any, Any]:
    from ambassade.listening.models import ListeningQuery

    brand = ListeningQuery.objects.create(
        workspace=p.workspace_a, name="Brand A", text="branda", kind="brand"
    )
    rival = ListeningQuery.objects.create(
        workspace=p.workspace_a, name="Rival", text="rival", kind="competitor"
    )
    return brand, rival


def _mark_negative(contains: str) -> None:
    """These mentions negative and every other one neutral, whatever the text model said."""
    from ambassade.listening.models import Mention

    Mention.objects.exclude(text__contains=contains).update(sentiment="neutral")
    Mention.objects.filter(text__contains=contains).update(sentiment="negative")


@pytest.fixture
def incident(personas: Personas, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Brand and competitor mentions: three the day before, a burst five hours ago (8 negative
    brand mentions, then 4 more the next hour) with 6 competitor mentions beside it."""
    brand, rival = _queries(personas)
    window = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0) - 5 * HOUR
    minute = timedelta(minutes=1)
    texts = [(f"branda {WORDS[i]} was fine {i}", window - 20 * HOUR + i * HOUR) for i in range(3)]
    texts += [
        (f"branda charged me twice for my {WORDS[i]}", window + 5 * i * minute) for i in range(8)
    ]
    texts += [(f"branda refund my {WORDS[i]} now", window + HOUR + i * minute) for i in range(4)]
    texts += [(f"rival {WORDS[i]} is great", window + i * minute) for i in range(6)]
    _ingest(personas, texts, django_capture_on_commit_callbacks)
    _mark_negative("twice")
    return {"brand": brand, "rival": rival, "window": window}


def _spike_alert(p: Personas, window: datetime, query_ids: list[int]) -> Any:
    rule = AlertRule.objects.create(
        workspace=p.workspace_a, name="Volume", kind="volume_spike", query_ids=query_ids
    )
    return services.trigger(
        rule,
        dedup_key="volume:all:s5",
        title="Unusual volume of mentions",
        value=8,
        baseline=1,
        score=0.9,
        period_start=window,
        now=window + HOUR + timedelta(minutes=2),
    )


def _no_checklist(p: Personas) -> None:
    services.save_playbook(p.workspace_a, [], p.alice)


def test_it_reports_what_happened_before_the_crisis_was_opened(
    personas: Personas, incident: dict[str, Any]
) -> None:
    _no_checklist(personas)
    alert = _spike_alert(personas, incident["window"], [incident["brand"].id])
    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    services.close_crisis(crisis, personas.alice)
    crisis.refresh_from_db()
    context = services.report_context(crisis)
    # The burst happened hours before the crisis was opened: it is the crisis.
    assert context["total_volume"] == 12
    assert context["total_negative"] == 8
    assert context["peak"] == 8
    html = crisis.report_html
    assert "The day before" in html and "During the crisis" in html
    assert "“Brand A”" in html  # the mentions counted: the brand's query, not the rival's


def test_it_starts_at_the_alert_window_and_counts_the_day_before(
    personas: Personas, incident: dict[str, Any]
) -> None:
    alert = _spike_alert(personas, incident["window"], [incident["brand"].id])
    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    assert crisis.started_at == incident["window"]
    assert crisis.query_ids == [incident["brand"].id]
    figures = services.crisis_figures(crisis)
    before = [row for row in figures["hours"] if not row["during"]]
    during = [row for row in figures["hours"] if row["during"]]
    assert len(before) == 24 and during[0]["at"] == incident["window"]
    assert sum(row["volume"] for row in before) == 3
    assert figures["usual_per_hour"] == pytest.approx(3 / 24)
    assert [row["volume"] for row in during[:3]] == [8, 4, 0]
    assert figures["peak_at"] == incident["window"]


def test_it_counts_the_queries_of_the_alert_rule_or_all_mentions_when_asked(
    personas: Personas, incident: dict[str, Any]
) -> None:
    alert = _spike_alert(personas, incident["window"], [incident["rival"].id])
    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    assert crisis.query_ids == [incident["rival"].id]
    assert services.crisis_figures(crisis)["total_volume"] == 6
    services.close_crisis(crisis, personas.alice, undone_confirmed=True)
    everything = services.open_crisis(
        personas.workspace_a,
        personas.alice,
        title="All",
        started_at=incident["window"],
        query_ids=[],
    )
    assert services.crisis_figures(everything)["total_volume"] == 18
    assert "competitors" in services.scope_text(everything)


def test_it_starts_from_the_first_mention_of_a_per_mention_alert(
    personas: Personas, incident: dict[str, Any]
) -> None:
    from ambassade.listening.models import Mention

    first = Mention.objects.filter(text__contains="twice").order_by("created_at").first()
    later = Mention.objects.filter(text__contains="refund").first()
    rule = AlertRule.objects.create(
        workspace=personas.workspace_a,
        name="Double charges",
        kind="query_match",
        query_ids=[incident["brand"].id],
    )
    alert = services.trigger(
        rule, dedup_key="query:x", title="New mentions", mention_ids=[later.id, first.id]
    )
    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    assert crisis.started_at == first.created_at


def test_it_opens_by_hand_on_the_brand_queries_from_now(
    personas: Personas, incident: dict[str, Any]
) -> None:
    before = timezone.now()
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="By hand")
    assert crisis.started_at >= before and crisis.query_ids == [incident["brand"].id]


@pytest.mark.parametrize(
    ("offset", "message"),
    [(timedelta(hours=1), "in the future"), (-timedelta(days=40), "within the last 31 days")],
)
def test_it_refuses_a_start_in_the_future_or_too_far_back(
    personas: Personas, offset: timedelta, message: str
) -> None:
    with pytest.raises(services.ServiceError, match=message):
        services.open_crisis(
            personas.workspace_a, personas.alice, title="X", started_at=timezone.now() + offset
        )
    assert not Crisis.objects.exists()


def test_it_says_the_duration_in_words(personas: Personas) -> None:
    _no_checklist(personas)
    start = timezone.now() - timedelta(hours=26, minutes=10)
    crisis = services.open_crisis(
        personas.workspace_a, personas.alice, title="Long", started_at=start
    )
    services.close_crisis(crisis, personas.alice)
    crisis.refresh_from_db()
    assert "1\xa0day, 2\xa0hours" in crisis.report_html
    assert " h</strong>" not in crisis.report_html


def test_it_computes_the_hourly_figures_of_an_open_crisis(personas: Personas) -> None:
    start = datetime(2026, 3, 10, 9, 40, tzinfo=UTC)
    crisis = Crisis(
        workspace=personas.workspace_a,
        title="t",
        started_at=start,
        opened_at=start,
        closed_at=start + 3 * HOUR,
    )
    spike = start.replace(minute=0) + HOUR
    figures = services.crisis_figures(crisis, count=series({spike: 90}))
    assert len(figures["hours"]) == 24 + 4  # the day before, then 09:00 to 12:00 (12:40 is the end)
    assert figures["peak"] == 90 and figures["peak_at"] == spike
    assert figures["hours"][24]["at"] == start.replace(minute=0)


def test_it_asks_before_closing_with_checklist_items_not_done(
    personas: Personas, client: Any
) -> None:
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    undone = crisis.checklist.count()
    services.set_item_done(crisis.checklist.first(), True, personas.alice)
    with pytest.raises(services.UndoneItems) as refused:
        services.close_crisis(crisis, personas.alice)
    assert refused.value.count == undone - 1
    crisis.refresh_from_db()
    assert crisis.is_open

    client.force_login(personas.alice)
    page = reverse(
        "crisis:crisis",
        kwargs={"workspace_slug": personas.workspace_a.slug, "crisis_id": crisis.id},
    )
    close = reverse(
        "crisis:crisis_close",
        kwargs={"workspace_slug": personas.workspace_a.slug, "crisis_id": crisis.id},
    )
    html = client.get(page).content.decode()
    assert f"Close although {undone - 1} checklist items are not done" in html
    response = client.post(close, {"summary": "x", "resume": "on"}, follow=True)
    assert "checklist items are not done: tick them" in response.content.decode()
    assert Crisis.objects.get(id=crisis.id).is_open
    client.post(close, {"summary": "x", "resume": "on", "undone_confirmed": "on"})
    assert not Crisis.objects.get(id=crisis.id).is_open


def test_it_closes_without_asking_when_the_checklist_is_done(personas: Personas) -> None:
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    for item in crisis.checklist.all():
        services.set_item_done(item, True, personas.bob)
    services.close_crisis(crisis, personas.alice)
    assert not Crisis.objects.get(id=crisis.id).is_open


def test_it_opens_from_the_alert_page_with_a_chosen_start_and_queries(
    personas: Personas, client: Any, incident: dict[str, Any]
) -> None:
    alert = _spike_alert(personas, incident["window"], [incident["brand"].id])
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    page = client.get(
        reverse("crisis:alert", kwargs={"workspace_slug": slug, "alert_id": alert.id})
    ).content.decode()
    local = timezone.localtime(incident["window"], timezone.get_default_timezone())
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in page  # the alert's window, in ISO for the input
    assert "Brand A · Brand" in page and "Rival · Competitor" in page
    chosen = incident["window"] - 2 * HOUR
    response = client.post(
        reverse("crisis:crisis_open", kwargs={"workspace_slug": slug}),
        {
            "title": "",
            "severity": "high",
            "alert": alert.id,
            "started_at": f"{timezone.localtime(chosen, timezone.get_default_timezone()):%Y-%m-%dT%H:%M}",
            "scope": "queries",
            "queries": [incident["brand"].id, incident["rival"].id],
        },
    )
    crisis = Crisis.objects.get(workspace=personas.workspace_a)
    assert response.status_code == 302
    assert crisis.started_at == chosen
    assert crisis.query_ids == sorted([incident["brand"].id, incident["rival"].id])
    html = client.get(response["Location"]).content.decode()
    assert 'id="crisis-mentions">18<' in html


def test_it_explains_a_scope_without_query(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    response = client.post(
        reverse("crisis:crisis_open", kwargs={"workspace_slug": slug}),
        {"title": "X", "severity": "high", "scope": "queries"},
        follow=True,
    )
    assert "Tick at least one query" in response.content.decode()
    assert not Crisis.objects.exists()


def test_the_crisis_chart_is_a_vega_lite_spec_with_its_table_and_the_report_renders_it(
    personas: Personas, incident: dict[str, Any], client: Any
) -> None:
    """No style attribute (the Content-Security-Policy allows none): the page ships the hourly
    chart's Vega-Lite spec (two counts an hour, the day before faded, a rule at the start) with the
    table of its numbers; the post-mortem has the same chart rendered by the server as an image."""
    import base64
    import html as html_module
    import json
    import re

    alert = _spike_alert(personas, incident["window"], [incident["brand"].id])
    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    client.force_login(personas.alice)
    hours = services.crisis_figures(crisis)["hours"]
    for language, negative in (("en", "Negative"), ("fr", "Négatif")):
        page = client.get(
            reverse("crisis:crisis", args=[personas.workspace_a.slug, crisis.pk]),
            HTTP_ACCEPT_LANGUAGE=language,
        ).content.decode()
        assert not re.search(r"\sstyle\s*=", page)
        (raw,) = re.findall(r'data-chart="([^"]*)"', page)
        spec = json.loads(html_module.unescape(raw))
        values = spec["data"]["values"]
        assert len(values) == 2 * len(hours)
        assert negative in {v["series"] for v in values}
        during = [i for i, hour in enumerate(hours) if hour["during"]]
        # The busiest hour (8 mentions, all negative), then 4 an hour later.
        first = [v for v in values if v["position"] == during[0]]
        assert sorted(v["count"] for v in first) == [8, 8]
        assert sorted(v["count"] for v in values if v["position"] == during[1]) == [0, 4]
        assert sum(1 for v in values if not v["after"]) == 2 * 24
        bars, rule = spec["layer"]
        assert bars["encoding"]["y"]["axis"]["tickMinStep"] == 1  # no half mention
        assert rule["mark"]["type"] == "rule"
        assert page.count("<tr><td>") >= len(hours)  # the table behind it, one row an hour
    crisis.refresh_from_db()
    services.close_crisis(crisis, personas.alice, undone_confirmed=True)
    crisis.refresh_from_db()
    assert not re.search(r"\sstyle\s*=", crisis.report_html)
    (uri,) = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', crisis.report_html)
    svg = base64.b64decode(uri).decode()
    assert "<svg" in svg and "#d92d20" in svg.lower()
    assert not re.search(r"\sstyle\s*=", svg)
    # the PDF (WeasyPrint) keeps the chart: its negative bars' red drawn by PDFium
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(services.report_pdf(crisis))
    pages = [pdf[i].render(scale=1).to_pil().convert("RGB") for i in range(len(pdf))]
    drawn = {colour for page in pages for _n, colour in page.getcolors(1 << 24)}
    assert (0xD9, 0x2D, 0x20) in drawn


def test_an_open_crisis_report_reads_in_the_readers_language_until_frozen(
    personas: Personas, client: Any
) -> None:
    """While the crisis is open the report is drawn for whoever reads it (issue #10, item 14); at
    closing it is frozen, as a document of record, in the workspace's language."""
    _no_checklist(personas)
    personas.workspace_a.language = "fr"
    personas.workspace_a.save(update_fields=["language"])
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Panne")
    client.force_login(personas.alice)
    report = reverse("crisis:crisis_report", args=[personas.workspace_a.slug, crisis.pk])
    english = client.get(report, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Post-mortem report" in english and "Rapport" not in english
    french = client.get(report, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rapport de retour" in french
    services.close_crisis(crisis, personas.alice)
    frozen = client.get(report, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rapport de retour" in frozen
