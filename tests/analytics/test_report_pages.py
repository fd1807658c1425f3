"""Reports through their pages: made from a template with a logo and a commentary, shown as HTML,
rendered as PDF (pages drawn to images with PDFium and looked at, text extracted), tables as CSV
with formulas neutralised, bad input refused without a 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from ambassade.analytics.reports_models import Report
from ambassade.listening.models import Mention
from tests.analytics.report_data import monthly, november
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def _url(personas: Personas, name: str, *args: Any) -> str:
    return reverse(f"analytics:{name}", args=[personas.workspace_a.slug, *args])


def _logo() -> io.BytesIO:
    from PIL import Image

    image = Image.new("RGB", (300, 100), (0, 90, 200))
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    out.name = "logo.png"
    return out


def test_a_manager_makes_a_report_from_a_template(personas: Personas, client: Any) -> None:
    personas.client_for(client, personas.alice)
    page = client.get(_url(personas, "report_create") + "?template=weekly")
    assert page.status_code == 200
    assert page.context["form"].initial["blocks"] == [
        "kpis",
        "mentions",
        "top_posts",
        "top_mentions",
        "inbox",
    ]
    response = client.post(
        _url(personas, "report_create"),
        {
            "name": "Client monthly",
            "template": "client",
            "language": "en",
            "blocks": ["community", "kpis"],
            "commentary": "Line one\r\n\r\nLine two\x07",
            "schedule": "monthly",
            "recipients": "boss@example.com, client@example.org",
            "logo_file": _logo(),
        },
    )
    assert response.status_code == 302, response.content
    report = Report.objects.get(name="Client monthly")
    # The template's order: key figures first, whatever the order ticked.
    assert report.blocks == ["kpis", "community"]
    assert report.commentary == "Line one\n\nLine two"
    assert report.recipient_list == ["boss@example.com", "client@example.org"]
    assert bytes(report.logo).startswith(b"\x89PNG") and report.logo_width == 300
    assert report.scheduled_since is not None


def test_wrong_input_is_refused_and_nothing_saved(personas: Personas, client: Any) -> None:
    personas.client_for(client, personas.alice)
    response = client.post(
        _url(personas, "report_create"),
        {
            "name": "Bad",
            "template": "campaign",
            "language": "en",
            "blocks": ["kpis"],
            "schedule": "weekly",
            "recipients": "ok@example.com\nnope@",
            "logo_file": io.BytesIO(b"GIF89a not really"),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "« nope@ » (adresse 2) n’est pas une adresse e-mail." in errors["recipients"]
    assert "period_start" in errors  # a campaign report covers the campaign's dates
    assert "logo_file" in errors
    assert not Report.objects.exists()


def test_an_editor_sees_reports_but_cannot_change_them(personas: Personas, client: Any) -> None:
    report = monthly(personas)
    personas.client_for(client, personas.bob)  # an editor
    assert client.get(_url(personas, "report", report.pk)).status_code == 200
    assert client.post(_url(personas, "report", report.pk), {"name": "x"}).status_code == 403
    assert client.get(_url(personas, "report_create")).status_code == 403
    assert client.post(_url(personas, "report_delete", report.pk)).status_code == 403


def test_the_document_escapes_the_commentary_and_shows_the_period(
    personas: Personas, client: Any
) -> None:
    november(personas)
    report = monthly(
        personas,
        language="en",
        blocks=["kpis", "top_mentions"],
        commentary='<script>alert("x")</script>\n\nA good month.',
    )
    personas.client_for(client, personas.alice)
    response = client.get(_url(personas, "report_html", report.pk), PERIOD)
    assert response.status_code == 200
    assert "script-src" not in response["Content-Security-Policy"]  # no script at all
    html = response.content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "From 1 November 2026 to 30 November 2026" in html
    assert "Mention volume" in html and "+200 %" in html


def test_a_period_that_cannot_be_shown_is_a_400(personas: Personas, client: Any) -> None:
    report = monthly(personas)
    personas.client_for(client, personas.alice)
    for query in (
        {"start": "2026-11-30", "end": "2026-11-01"},
        {"start": "30/11/2026", "end": "2026-12-01"},
        {"start": "2000-01-01", "end": "2026-12-01"},
    ):
        for name in ("report_html", "report_pdf", "report"):
            assert client.get(_url(personas, name, report.pk), query).status_code == 400
    assert client.get(_url(personas, "report_csv", report.pk, "nothing"), PERIOD).status_code == 404


def test_every_table_downloads_as_csv_with_formulas_neutralised(
    personas: Personas, client: Any
) -> None:
    data = november(personas)
    Mention.objects.filter(author_followers=100).update(text='=HYPERLINK("http://x","y")')
    data.member("@x")
    report = monthly(personas, language="en")
    personas.client_for(client, personas.alice)
    for code in report.blocks:
        response = client.get(_url(personas, "report_csv", report.pk, code), PERIOD)
        assert response.status_code == 200, code
        assert response["Content-Type"].startswith("text/csv")
        assert (
            f"rapport-mensuel-2026-11-01-2026-11-30-{code}.csv" in response["Content-Disposition"]
        )
    body = b"".join(
        client.get(
            _url(personas, "report_csv", report.pk, "top_mentions"), PERIOD
        ).streaming_content
    ).decode()
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_the_pdf_has_the_report_s_text_charts_and_logo(personas: Personas, client: Any) -> None:
    """The PDF drawn to images with PDFium: the logo's colour where the logo goes, the charts'
    bars in the sentiment colours; its text extracted and checked, in French."""
    import pypdfium2 as pdfium

    november(personas)
    personas.client_for(client, personas.alice)
    report = monthly(personas, commentary="Un mois de lancement.\n\nMerci à l'équipe.")
    client.post(
        _url(personas, "report", report.pk),
        {
            "name": report.name,
            "template": "monthly",
            "language": "fr",
            "blocks": report.blocks,
            "commentary": report.commentary,
            "logo_file": _logo(),
        },
    )
    response = client.get(_url(personas, "report_pdf", report.pk), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(response.content)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for expected in (
        "Rapport mensuel",
        "Du 1 novembre 2026 au 30 novembre 2026",
        "Un mois de lancement.",
        "Chiffres clés",
        "Volume de mentions",
        "+200 %",
        "Part de voix",
        "Meilleures publications",
        "Brand A",
    ):
        assert expected in text, expected
    assert "Produit par Ambassade" in " ".join(text.split())
    first = pdf[0].render(scale=1).to_pil().convert("RGB")
    first.save("/tmp/r/report-page-1.png") if _keep() else None
    width, height = first.size
    colours = {
        colour for _n, colour in first.crop((width // 2, 0, width, height // 5)).getcolors(1 << 24)
    }
    assert (0, 90, 200) in colours  # the logo, top right
    pages = [pdf[i].render(scale=1).to_pil().convert("RGB") for i in range(len(pdf))]
    drawn = {colour for page in pages for _n, colour in page.getcolors(1 << 24)}
    assert {(46, 125, 79), (180, 35, 24)} <= drawn  # positive and negative bars of the chart


def _keep() -> bool:
    import os

    return bool(os.environ.get("AMBASSADE_KEEP_REPORT_IMAGES"))
