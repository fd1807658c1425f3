"""The demo brand's community CRM: stored scores with months of history, custom fields filled for
its best-known members, tags, a note, and three segments. Running it again creates nothing.

The history: the most active members' scores stored once a month over the past half year, as the
nightly task would have (``scores.store_scores`` at each date), so the member page's chart and
the community area's class counts have months to show: each of them was around once a month
(a synthetic past mention, ``SOURCE_PAST``), and three were regulars more than a year ago (35
synthetic mentions then): their engagement counts in the early months then leaves the year's
look-back, and their level drops at a new month (Orbit's rule)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.utils import timezone

from ambassade.community import crm, scores
from ambassade.community.models import Activity, CustomField, Member, ScoreHistory, Segment

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


#: The timeline source of the synthetic past activities (regulars of more than a year ago).
SOURCE_PAST = "community.demo_past"
#: Members whose scores get a history, and the months of it.
HISTORY_MEMBERS = 40
HISTORY_MONTHS = 6


def _history(workspace: Any, now: dt.datetime) -> None:
    """Months of stored scores for the most active members (module docstring)."""
    if ScoreHistory.objects.filter(workspace=workspace).exists():
        return
    people = list(
        Member.objects.filter(workspace=workspace, staff=False, identities__isnull=False)
        .order_by("-mention_count", "id")
        .distinct()[:HISTORY_MEMBERS]
    )
    past = []
    for number, member in enumerate(people[-3:]):  # the least active of them: no level 1 now
        identity = member.identities.order_by("id").first()
        assert identity is not None
        for n in range(35):
            past.append(
                Activity(
                    workspace_id=workspace.pk,
                    identity=identity,
                    kind="mention",
                    occurred_at=now - dt.timedelta(days=400 + number * 3 + n % 20, hours=n),
                    source=SOURCE_PAST,
                    source_id=member.pk * 100 + n,
                    weight=1.0,
                )
            )
    # And each of them was around once a month (their scores move from month to month).
    for member in people:
        identity = member.identities.order_by("id").first()
        assert identity is not None
        for month in range(HISTORY_MONTHS, 0, -1):
            past.append(
                Activity(
                    workspace_id=workspace.pk,
                    identity=identity,
                    kind="mention",
                    occurred_at=now - dt.timedelta(days=30 * month + 5 + member.pk % 9),
                    source=SOURCE_PAST,
                    source_id=member.pk * 100 + 50 + month,
                    weight=1.0,
                )
            )
    Activity.objects.bulk_create(past, ignore_conflicts=True)
    ids = [member.pk for member in people]
    for months in range(HISTORY_MONTHS, 0, -1):
        scores.store_scores(workspace, ids, now=now - dt.timedelta(days=30 * months + 1))


def ensure_demo_community(
    workspace: Any, owner: Any, out: TextIO, *, now: dt.datetime | None = None
) -> None:
    _history(workspace, now or timezone.now())
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
