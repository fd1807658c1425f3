"""The demo's sample monthly report, in the workspace's language, with a commentary and a logo
drawn here (no file fetched); sent by e-mail on the 1st to a demo address. Running it again makes
nothing."""

from __future__ import annotations

import io
from typing import Any, TextIO

from ambassade.analytics import reports, reports_services
from ambassade.analytics.reports_logo import normalise
from ambassade.analytics.reports_models import Report

COMMENTARY = {
    "fr": (
        "Un mois porté par le lancement de la nouvelle torréfaction : les mentions ont augmenté "
        "et le sentiment reste positif.\n\nÀ surveiller : le délai de réponse en messagerie le "
        "week-end."
    ),
    "en": (
        "A month carried by the launch of the new roast: mentions went up and sentiment stays "
        "positive.\n\nTo watch: the inbox's response time at weekends."
    ),
}
NAME = {"fr": "Rapport mensuel client", "en": "Monthly client report"}


def _logo() -> Any:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 112, 112), fill=(122, 74, 42, 255))
    draw.ellipse((38, 30, 82, 90), fill=(244, 226, 200, 255))
    draw.rectangle((130, 44, 350, 76), fill=(122, 74, 42, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return normalise(out.getvalue())


def ensure_demo_report(workspace: Any, owner: Any, out: TextIO) -> int:
    if Report.objects.filter(workspace=workspace).exists():
        return 0
    language = "fr" if getattr(workspace, "language", "fr").startswith("fr") else "en"
    reports_services.create_report(
        workspace,
        owner,
        logo=_logo(),
        name=NAME[language],
        template="monthly",
        language=language,
        blocks=reports.TEMPLATE_BLOCKS["monthly"],
        commentary=COMMENTARY[language],
        schedule="monthly",
        recipients="direction@cafe-lumiere.example",
    )
    out.write("Reports: 1 sample monthly report.\n")
    return 1
