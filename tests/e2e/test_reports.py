"""Issue 15's flow in Chromium: an objective set with a KPI and its progress seen, then a report
as an agency builds it, from the monthly template, with its logo and a commentary, shown for
November, sent by e-mail and received by a real SMTP server (aiosmtpd), the PDF attached with the
objective's progress in it."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, Personas
from tests.crisis.conftest import SmtpServer, smtp_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


def _log_in(page: Any, base: str, email_address: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email_address)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def test_it_builds_a_report_and_receives_it_by_e_mail(
    page: Any,
    live_server: Any,
    personas: Personas,
    smtp_server: SmtpServer,  # noqa: F811
    immediate_tasks: None,
    tmp_path: Path,
    settings: Any,
) -> None:
    from PIL import Image

    from tests.analytics.report_data import november

    settings.LANGUAGE_CODE = "en"
    november(personas)
    logo = tmp_path / "agency.png"
    Image.new("RGB", (240, 80), (0, 90, 200)).save(logo)
    base, slug = live_server.url, personas.workspace_a.slug
    # "Send now" renders the charts and the PDF within the request (tasks run at once here).
    page.set_default_timeout(120_000)
    _log_in(page, base, "alice@example.com")
    # An objective and its KPI: November's 3 brand mentions against a target of 6.
    page.goto(f"{base}/w/{slug}/analytics/objectives/")
    page.get_by_role("link", name="Set an objective").first.click()
    page.wait_for_url(re.compile(r"/objectives/new/$"))
    page.get_by_label("Name").fill("Être entendu en novembre")
    page.get_by_label("Type").select_option("visibility")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/objectives/\d+/$"))
    page.get_by_label("Indicator", exact=True).select_option("mention_volume")
    page.get_by_label("Target", exact=True).fill("6")
    page.locator("#add-kpi").get_by_label("From", exact=True).fill("2026-11-01")
    page.locator("#add-kpi").get_by_label("To", exact=True).fill("2026-11-30")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("The indicator was added.").wait_for()
    kpi = page.locator("li.kpi")
    assert kpi.locator(".kpi-value").inner_text().split() == ["3", "/", "6"]
    assert kpi.get_by_role("progressbar").get_attribute("value") == "50"
    assert "50 % of the target" in kpi.locator(".kpi-meta").inner_text()

    page.goto(f"{base}/w/{slug}/analytics/reports/")
    page.get_by_role("link", name="Monthly report").click()
    page.get_by_label("Name").fill("Rapport client — novembre")
    page.locator("#id_language").select_option("fr")
    page.get_by_label("Commentary").fill("Un bon mois.\n\nLa campagne de Noël démarre.")
    page.get_by_label("Recipients").fill("client@example.org")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_role("button", name="Create the report").click()
    page.wait_for_url(re.compile(r"/analytics/reports/\d+/$"))

    page.get_by_label("From").first.fill("2026-11-01")
    page.get_by_label("To").first.fill("2026-11-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"start=2026-11-01"))
    expect(page.get_by_text("From 1 November 2026 to 30 November 2026")).to_be_visible()
    page.get_by_role("button", name="Send now").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The report is being sent to 1 address(es).")).to_be_visible()

    assert len(smtp_server.messages) == 1
    message = email.message_from_bytes(smtp_server.messages[0].as_bytes())
    assert message["To"] == "client@example.org"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "Rapport client — novembre, 1 novembre 2026 – 30 novembre 2026"
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename().endswith("-2026-11-01-2026-11-30.pdf")
    pdf = attachment.get_payload(decode=True)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    assert "Un bon mois." in text and "Chiffres clés" in text
    every_page = "\n".join(
        document[n].get_textpage().get_text_range() for n in range(len(document))
    )
    document.close()
    # The objectives' block: the objective, its indicator and its progress, in French.
    assert "Être entendu en novembre" in every_page
    assert "Volume de mentions" in every_page
    assert re.search(r"cible\s+6\s+·\s+50\s+%", every_page), every_page
    # The delivery is listed on the report's page.
    page.reload()
    expect(page.get_by_role("cell", name="Sent")).to_be_visible()
