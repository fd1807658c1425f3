"""The demo brand's community CRM: stored scores, custom fields filled for its best-known members,
tags, a note, and three segments. Running it again creates nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from ambassade.community import crm, scores
from ambassade.community.models import CustomField, Member, Segment

FIELDS = (
    ("customer_number", "N° client", "text", ()),
    ("city", "Ville", "text", ()),
    ("loyalty", "Fidélité", "choice", ("Bronze", "Argent", "Or")),
    ("customer_since", "Client depuis", "date", ()),
    ("orders", "Commandes", "number", ()),
    ("newsletter", "Lettre d’information", "yes_no", ()),
)
CITIES = ("Lyon", "Paris", "Lille", "Nantes", "Bordeaux", "Grenoble")
LOYALTY = ("Or", "Argent", "Bronze", "Or", "Argent")
SEGMENTS = (
    (
        "Ambassadeurs à remercier",
        "Les plus engagés (niveaux 1 et 2), positifs envers la marque.",
        {"levels": [1, 2], "sentiment": {"min": 0.2}},
    ),
    (
        "Clients fidèles",
        "Fidélité Or ou Argent, pour les avant-premières.",
        {
            "tags": {"any": ["client"]},
            "fields": [{"field": "loyalty", "op": "in", "value": ["Or", "Argent"]}],
        },
    ),
    (
        "Détracteurs à suivre",
        "Sentiment négatif : à recontacter par le service client.",
        {"sentiment": {"max": -0.2}, "tags": {"none": ["traité"]}},
    ),
)


def ensure_demo_community(
    workspace: Any, owner: Any, out: TextIO, *, now: dt.datetime | None = None
) -> None:
    stored = scores.store_scores(workspace, now=now)
    if CustomField.objects.filter(workspace=workspace).exists():
        return
    for key, label, kind, choices in FIELDS:
        crm.save_field(workspace, owner, key=key, label=label, type=kind, choices=choices)
    best = list(
        Member.objects.filter(workspace=workspace, staff=False).order_by("-love", "-id")[:12]
    )
    for number, member in enumerate(best):
        tags = ["client"] if number % 3 != 2 else ["presse"]
        if number < 4:
            tags.append("VIP")
        crm.set_tags(member, owner, tags)
        if "client" in tags:
            crm.set_values(
                member,
                owner,
                {
                    "customer_number": f"CL-{1040 + number * 7}",
                    "city": CITIES[number % len(CITIES)],
                    "loyalty": LOYALTY[number % len(LOYALTY)],
                    "customer_since": f"{2019 + number % 6}-0{1 + number % 9}-15",
                    "orders": str(3 + number * 4),
                    "newsletter": "oui" if number % 2 == 0 else "non",
                },
            )
    if best:
        crm.add_note(
            best[0],
            owner,
            "Rencontré(e) au salon du café de Lyon : partant(e) pour tester la nouvelle carte "
            "avant tout le monde. Lui envoyer le kit ambassadeur.",
        )
    for name, description, definition in SEGMENTS:
        if not Segment.objects.filter(workspace=workspace, name=name).exists():
            crm.save_segment(
                workspace, owner, name=name, description=description, definition=definition
            )
    out.write(
        f"Scored {stored} community members; added custom fields, tags, a note and "
        f"{len(SEGMENTS)} segments\n"
    )
