"""The demo brand's contests: one drawn last week from the mentions holding the brand's hashtag
(its entries collected from the stream, frozen at the close, then drawn: the public page shows the
seed and the winners, and the draw file verifies), whose winners may not be the recent winners of a
saved segment (one entrant, tagged so, is left out at the freeze); and one open now, by hashtag or
the public form, with its commitment published. Running it again creates nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO

from django.utils import timezone

from ambassade.community import crm
from ambassade.community.models import Segment
from ambassade.contests import drawing, entries, services
from ambassade.contests.models import Contest, Entry

DRAWN = "Calendrier de l'Avent Café Lumière"
OPEN = "Barista d'un jour"
#: The segment the drawn contest leaves out: people who won a contest lately.
RECENT_WINNERS = "Gagnants récents"
RECENT_TAG = "gagnant-récent"


def _recent_winners(workspace: Any, owner: Any) -> Segment:
    found = Segment.objects.filter(workspace=workspace, name=RECENT_WINNERS).first()
    if found is not None:
        return found
    return crm.save_segment(
        workspace,
        owner,
        name=RECENT_WINNERS,
        description="Gagnants d’un jeu ces derniers mois : ils laissent leur chance aux autres.",
        definition={"tags": {"any": [RECENT_TAG]}},
    )


def ensure_demo_contests(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    if not Contest.objects.filter(workspace=workspace, name=DRAWN).exists():
        contest = services.create_contest(
            workspace,
            owner,
            name=DRAWN,
            organiser="Café Lumière SAS, 12 rue des Cafés, 75011 Paris",
            prize="un coffret de cafés de spécialité",
            description=(
                "Publiez un message avec #cafelumiere pendant la semaine du jeu : trois coffrets "
                "à gagner, tirés au sort parmi les participants."
            ),
            starts_at=now - timedelta(days=14),
            closes_at=now - timedelta(days=7),
            winners=3,
            reserves=2,
            hashtag="cafelumiere",
            exclude_staff=True,
            exclude_bots=True,
            exclude_segments=[_recent_winners(workspace, owner)],
            now=now - timedelta(days=15),
        )
        # One entrant won the summer contest: tagged so, the segment leaves them out.
        entries.collect(contest.pk)
        winner = (
            Entry.objects.filter(contest=contest, excluded="", identity__isnull=False)
            .select_related("identity")
            .order_by("-id")
            .first()
        )
        if winner is not None and winner.identity is not None:
            crm.add_tags(workspace, [winner.identity.member_id], owner, [RECENT_TAG])
        frozen = drawing.freeze(contest.pk, now=contest.closes_at + timedelta(minutes=5))
        if frozen is not None:
            drawing.draw(frozen, owner, now=contest.closes_at + timedelta(hours=1))
            out.write(f"Drew the demo contest {DRAWN} ({frozen.entry_count} entries)\n")
    if not Contest.objects.filter(workspace=workspace, name=OPEN).exists():
        contest = services.create_contest(
            workspace,
            owner,
            name=OPEN,
            organiser="Café Lumière SAS, 12 rue des Cafés, 75011 Paris",
            prize="une matinée derrière le comptoir avec nos baristas",
            description="Écrivez #barista, ou remplissez le formulaire ci-dessous.",
            starts_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=12),
            winners=1,
            reserves=1,
            hashtag="barista",
            form_entry=True,
        )
        entries.collect(contest.pk)
        for name, email, lang in (
            ("Chloé Martin", "chloe.martin@example.com", "fr"),
            ("Sam Carter", "sam.carter@example.com", "en"),
        ):
            entries.enter_by_form(contest, name=name, email=email, lang=lang, now=now)
        out.write(f"Opened the demo contest {OPEN}\n")
