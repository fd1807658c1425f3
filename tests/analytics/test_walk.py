"""What a new user's walk through the analytics pages found (issue 15's closing walk, 2026-12-07):
each test pins one thing that read wrong in French or English, or looked broken."""

from __future__ import annotations

import gettext
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

import ambassade
from ambassade.analytics import kpis
from ambassade.analytics.dashboard import local_today
from ambassade.analytics.models import Kpi, Objective
from ambassade.analytics.templatetags.areas import area_cell
from tests.analytics.fixtures import Data
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

PACKAGE = Path(ambassade.__file__).parent


def _get(client: Any, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_dashboard_writes_its_mention_total_in_the_readers_digits(
    personas: Personas, client: Any
) -> None:
    data = Data(personas.workspace_a, personas.connection)
    data.rollup(data.brand, local_today(personas.workspace_a), 1200, "neutral")
    client.force_login(personas.alice)
    url = reverse("workspace_home", args=[personas.workspace_a.slug])
    assert "1,200 mentions of the brand" in _get(client, url, "en")
    assert re.search(r"1[\s\u00a0\u202f]200 mentions de la marque", _get(client, url, "fr"))


def test_a_kpi_of_a_period_that_is_over_reached_or_missed_its_target(
    personas: Personas, client: Any
) -> None:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    data = Data(personas.workspace_a, personas.connection)
    today = local_today(personas.workspace_a)
    past = today - timedelta(days=20)
    for hour in (9, 10):
        data.mention(
            datetime.combine(past, time(hour), ZoneInfo("Europe/Paris")), "positive", [data.brand]
        )
    objective = Objective.objects.create(
        workspace=personas.workspace_a, name="Be heard", type="visibility"
    )
    missed = Kpi.objects.create(
        workspace=personas.workspace_a,
        objective=objective,
        metric="mention_volume",
        target=8,
        period_start=past - timedelta(days=5),
        period_end=past + timedelta(days=5),
    )
    assert kpis.measure(missed).ended and kpis.measure(missed).on_track is False
    client.force_login(personas.alice)
    url = reverse("analytics:objective", args=[personas.workspace_a.slug, objective.pk])
    html = _get(client, url, "en")
    assert "target missed" in html and "· behind" not in html
    assert "cible manquée" in _get(client, url, "fr")
    Kpi.objects.filter(pk=missed.pk).update(target=2)
    html = _get(client, url, "en")
    assert "target reached" in html and "· on track" not in html
    assert "cible atteinte" in _get(client, url, "fr")
    # A period still running keeps "on track" and "behind".
    Kpi.objects.filter(pk=missed.pk).update(target=1000, period_end=today + timedelta(days=1))
    assert "· behind" in _get(client, url, "en")


def test_a_profile_link_in_a_table_says_open_as_a_verb() -> None:
    with translation.override("fr"):
        assert ">Ouvrir</a>" in area_cell("https://example.org/@someone", "url")
    with translation.override("en"):
        assert ">Open</a>" in area_cell("https://example.org/@someone", "url")


def test_the_area_pages_call_a_tag_a_tag_and_count_e_mails_sent_in_the_plural(
    personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    inbox = _get(client, reverse("analytics:area", args=[slug, "inbox"]), "fr")
    assert "Étiquette" in inbox and "Libellé" not in inbox
    listening = _get(client, reverse("analytics:area", args=[slug, "listening"]), "fr")
    assert "Étiquette" in listening and "Libellé" not in listening
    community = _get(client, reverse("analytics:area", args=[slug, "community"]), "fr")
    assert ">Envoyés<" in community and ">Envoyée<" not in community


def test_no_french_sentence_is_written_twice_or_glued_to_the_next() -> None:
    # The definition of "active members" once read its sentence twice, the second glued to the
    # first ("…est exclu.Membres de la communauté…").
    with (PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for key, value in catalogue._catalog.items():  # type: ignore[attr-defined]
        if not value or not isinstance(value, str):
            continue
        assert not re.search(r"[a-zé]\.[A-ZÉ][a-zé]{2}", value), (key, value)
        sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s*", value) if len(s.strip()) > 25]
        assert len(sentences) == len(set(sentences)), (key, value)


def test_tables_style_row_heads_as_cells_and_lists_of_buttons_as_rows() -> None:
    css = (PACKAGE / "static" / "ambassade" / "ambassade.css").read_text(encoding="utf-8")
    # A row's head (the traffic page's channels, networks, campaigns) is not a column's title
    # in capitals, and the last row has no line under its head alone.
    assert re.search(r"\.table tbody th \{[^}]*text-transform: none", css)
    assert ".table tbody tr:last-child th { border-bottom: 0; }" in css
    # "63,2 %" never breaks before its sign in a narrow column.
    assert ".table td.num { white-space: nowrap; }" in css
    # The reports page's templates are a row of buttons, not a bulleted list.
    assert re.search(r"\.inline-list \{[^}]*list-style: none", css)


def test_the_reports_page_offers_its_templates_as_a_row_of_buttons(
    personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    html = _get(client, reverse("analytics:reports", args=[personas.workspace_a.slug]), "en")
    assert '<ul class="inline-list">' in html


def test_the_logo_help_speaks_the_language_of_each_reader(personas: Personas, client: Any) -> None:
    # Once formatted when the form's class was built, it kept the first reader's language.
    client.force_login(personas.alice)
    url = reverse("analytics:report_create", args=[personas.workspace_a.slug])
    assert "1024 Ko au plus" in _get(client, url + "?template=monthly", "fr")
    html = _get(client, url + "?template=monthly", "en")
    assert "at most 1024 KB" in html and "Ko au plus" not in html


def test_the_inbox_page_filters_by_every_network_its_tables_show(
    personas: Personas, client: Any
) -> None:
    # The demo's inbox holds conversations from X, heard through listening, with no X account:
    # the table showed "X" but choosing it was refused (400).
    data = Data(personas.workspace_a, personas.connection)
    today = local_today(personas.workspace_a)
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    conversation = data.conversation(
        datetime.combine(today, time(9), ZoneInfo("Europe/Paris")), None
    )
    type(conversation).objects.filter(pk=conversation.pk).update(network="x")
    assert not personas.workspace_a.connections.filter(network="x").exists()
    client.force_login(personas.alice)
    url = reverse("analytics:area", args=[personas.workspace_a.slug, "inbox"])
    response = client.get(url + "?network=x", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<option value="x" selected>X</option>' in response.content.decode()


def test_adding_a_kpi_starts_on_an_indicator_suited_to_the_objective(
    personas: Personas, client: Any
) -> None:
    # A traffic objective said "Suited to this objective: Link clicks, …" above a list opened on
    # "Mention volume".
    objective = Objective.objects.create(
        workspace=personas.workspace_a, name="Bring visits", type="traffic"
    )
    client.force_login(personas.alice)
    url = reverse("analytics:objective", args=[personas.workspace_a.slug, objective.pk])
    html = _get(client, url, "en")
    assert '<option value="link_clicks" selected>' in html
    assert '<option value="mention_volume" selected>' not in html


def test_the_report_tables_head_their_columns_in_good_french(personas: Personas) -> None:
    # The KPI table's "Change" read "Changer" (the verb), and the objectives' table had two
    # columns called "Objectif" (the objective and its target).
    from ambassade.analytics import reports
    from tests.analytics.report_data import NOVEMBER, monthly, november

    november(personas)
    report = monthly(personas, language="fr", blocks=["kpis", "objectives"])
    with translation.override("fr"):
        context = reports.build(report, *NOVEMBER, with_charts=False)
    headers = {section.code: section.tables[0].header for section in context["sections"]}
    assert "Évolution" in headers["kpis"] and "Changer" not in headers["kpis"]
    assert headers["objectives"].count("Objectif") == 1 and "Cible" in headers["objectives"]


def test_a_reports_tables_write_their_numbers_in_the_readers_digits() -> None:
    # The PDF's tables read "1499" beside tiles reading "1 499"; the CSV keeps plain numbers.
    from django.template import Context, Template

    from ambassade.analytics.reports_parts import Table

    table = Table(["Brand", "Mentions", "Share"], [["Café <b>", 1499, 52.7], ["Rival", 12, ""]])
    template = Template(
        "{% load analytics %}{% for row in table.cells %}{% for cell, numeric in row %}"
        "[{% if numeric %}{{ cell|table_number }}{% else %}{{ cell }}{% endif %}]"
        "{% endfor %}{% endfor %}"
    )
    table.numeric = {1, 2}
    with translation.override("fr"):
        written = template.render(Context({"table": table}))
    assert re.sub(r"[\u00a0\u202f]", " ", written) == "[Café &lt;b&gt;][1 499][52,7][Rival][12][]"
    with translation.override("en"):
        assert "[1,499][52.7]" in Template(template.source).render(Context({"table": table}))


def test_no_text_to_translate_hides_inside_an_f_string() -> None:
    # makemessages does not read inside f-strings: the agency view's "New client report" was
    # never extracted, so it read in English on the French page.
    pattern = re.compile(r"""f(['"]).*\{[^}]*\b(_|gettext|pgettext|ngettext|npgettext)\(""")
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_the_agency_view_offers_a_client_report_in_french(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    html = _get(client, reverse("analytics:agency"), "fr")
    assert "Nouveau rapport client" in html and "New client report" not in html


def test_a_report_writes_a_response_time_as_the_pages_do() -> None:
    # The report's tile read "2,5 h" where the inbox page and the dashboard read "2 h 28".
    from ambassade.analytics.catalogue import MINUTES
    from ambassade.analytics.reports_parts import format_value
    from ambassade.analytics.templatetags.analytics import kpi_value

    with translation.override("fr"):
        for minutes in (30.0, 59.6, 60.0, 148.0, 1501.0):
            assert format_value(minutes, MINUTES) == kpi_value(minutes, MINUTES), minutes
        assert format_value(148.0, MINUTES) == "2 h 28"


def test_the_report_form_names_the_inbox_as_the_product_does_and_always_has_a_language(
    personas: Personas, client: Any
) -> None:
    # The block read "Performance de la messagerie" in a product whose menu says "Boîte de
    # réception"; the language list began with "---------".
    client.force_login(personas.alice)
    url = reverse("analytics:report_create", args=[personas.workspace_a.slug])
    html = _get(client, url + "?template=client", "fr")
    assert "Performance de la boîte de réception" in html and "messagerie" not in html
    language = html.split('name="language"', 1)[1].split("</select>", 1)[0]
    assert "---------" not in language and 'value="fr"' in language and 'value="en"' in language


def test_on_a_phone_an_area_page_shows_two_figures_a_row_and_stacked_rows_keep_no_stray_line() -> (
    None
):
    css = (PACKAGE / "static" / "ambassade" / "ambassade.css").read_text(encoding="utf-8")
    phone = css.split("@media (max-width: 560px) {", 1)[1].split("\n}\n", 1)[0]
    assert ".area-figures { grid-template-columns: repeat(2, minmax(0, 1fr)); }" in phone
    assert ".area-figures .stat-value { white-space: nowrap; }" in phone
    assert ".table tbody th { display: block; border-bottom: 0;" in phone


def test_the_best_time_heatmap_leaves_out_hours_that_would_overlap() -> None:
    from ambassade.engine.charts import week_heatmap

    spec = week_heatmap(
        [(0, "Monday", 12, 40.0, 3)],
        day_labels=["Monday"],
        description="d",
        value_title="v",
        day_title="day",
        hour_title="hour",
        posts_title="posts",
    )
    assert spec["encoding"]["x"]["axis"]["labelOverlap"] == "parity"


def test_the_audience_and_traffic_figures_sit_two_a_row_on_a_phone(
    personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    url = reverse("analytics:audience", args=[personas.workspace_a.slug])
    assert '<div class="stats area-figures">' in _get(client, url, "fr")
    # The traffic page shows its figures once a site is connected.
    traffic = PACKAGE / "analytics" / "templates" / "analytics" / "traffic.html"
    assert '<div class="stats area-figures">' in traffic.read_text(encoding="utf-8")


def test_a_reports_table_breaks_a_word_only_when_it_cannot_fit() -> None:
    # With "overflow-wrap: anywhere" the PDF's top mentions squeezed their short columns to a
    # few letters ("Net/wor/k", "Neutr/al") to give the text all the width.
    document = PACKAGE / "analytics" / "templates" / "analytics" / "report_document.html"
    styles = document.read_text(encoding="utf-8").split("</style>", 1)[0]
    cells = styles.split("th, td {", 1)[1].split("}", 1)[0]
    assert "overflow-wrap: break-word" in cells and "anywhere" not in cells


def test_the_publishing_area_s_best_posts_give_a_mastodon_post_its_rate_per_follower(
    personas: Personas,
) -> None:
    """Mastodon counts no impressions: Buffer's rate has nothing to divide by, but the rate per
    follower does (engagements ÷ the account's followers when the post was read × 100)."""
    from datetime import date

    from ambassade.analytics import area_publishing
    from ambassade.analytics.kpis import Scope
    from ambassade.analytics.models import PostResult, TrackedAccount
    from ambassade.engine.measures import Period

    workspace = personas.workspace_a
    own = TrackedAccount.objects.create(
        workspace=workspace, role="own", network="mastodon", connection=personas.connection
    )
    period = Period(date(2026, 11, 1), date(2026, 11, 30), workspace.time_zone)
    first, _after = period.bounds()
    for n, (engagements, followers, impressions) in enumerate(
        ((30, 1200, None), (9, None, None), (40, 2000, 800))
    ):
        PostResult.objects.create(
            workspace=workspace,
            account=own,
            external_id=f"uri:{n}",
            published_at=first + timedelta(days=n + 1),
            metrics={"likes": engagements},
            engagements=engagements,
            impressions=impressions,
            followers=followers,
            read_at=first + timedelta(days=9),
        )
    with translation.override("en"):
        table = area_publishing._best_posts(workspace, period, Scope()).table
        header = table.header
    rate, per_follower = (
        header.index("Engagement rate"),
        header.index("Engagement rate per follower"),
    )
    rows = {row[header.index("Engagements")]: row for row in table.rows}
    # By hand: 30 ÷ 1,200 = 2.5 %; 40 ÷ 800 = 5 % and 40 ÷ 2,000 = 2 %; no followers read: none.
    assert (rows[30][rate], rows[30][per_follower]) == (None, 2.5)
    assert (rows[40][rate], rows[40][per_follower]) == (5.0, 2.0)
    assert (rows[9][rate], rows[9][per_follower]) == (None, None)
