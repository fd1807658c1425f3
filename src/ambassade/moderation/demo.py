"""The demo brand's moderation: a published charter, a default rule set whose actions on the
networks stay off (log only) until a person enables them, a queue made by reading the demo's
mentions with it, a raid (the same message from six accounts within minutes: held, and a crisis
alert suggested) and a member warned from the queue. Running it again creates nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from ambassade.listening.models import Mention
from ambassade.moderation import services
from ambassade.moderation.defaults import RULES
from ambassade.moderation.models import Decision, Review, Rule, Strike

RAID_TEXT = (
    "Boycott Lumière Café now: they poison their customers and lie about it. Share before they "
    "delete this!"
)
RAID_AUTHORS = [
    "truth_now",
    "wake_up_fr",
    "boycott_2026",
    "real_news_77",
    "cafe_exposed",
    "no_lies",
]

CHARTER_EN = """Be kind: speak to others as you would at our counter.

No insults, threats or hateful words, about anyone.

No advertising, spam or links to scams.

Stay on topic: our cafés, our products, your experience with them.

Moderators may hide a message that breaks this charter, and mute or ban its author if it happens again."""

CHARTER_FR = """Soyez bienveillants : parlez aux autres comme au comptoir.

Pas d'insultes, de menaces ni de propos haineux, envers qui que ce soit.

Pas de publicité, de spam ni de liens vers des arnaques.

Restez dans le sujet : nos cafés, nos produits, votre expérience.

Les modérateurs peuvent masquer un message qui enfreint cette charte, et rendre muet ou bannir son auteur s'il recommence."""


def ensure_demo_moderation(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> None:
    if services.current_version(workspace) is None:
        services.save_charter(workspace, CHARTER_EN, CHARTER_FR, True, owner)
        out.write("Wrote the demo charter\n")
    if not Rule.objects.filter(workspace=workspace).exists():
        for position, fields in enumerate(RULES):
            Rule.objects.create(workspace=workspace, position=position, **fields)
        out.write(f"Created {len(RULES)} demo moderation rules\n")
    if not Decision.objects.filter(workspace=workspace).exists():
        mentions = list(Mention.objects.filter(workspace=workspace).order_by("-created_at")[:2000])
        matched = services.moderate_mentions(workspace, mentions)
        out.write(f"The moderation rules matched {matched} demo mentions\n")
    ensure_demo_raid(workspace, out, now=now)
    ensure_demo_warning(workspace, owner, out)


def ensure_demo_raid(workspace: Any, out: TextIO, *, now: datetime | None = None) -> None:
    """Six accounts post the same message within eight minutes, two hours ago: the raid rule holds
    them and suggests crisis mode."""
    from ambassade.connectors.base import Author, RawItem
    from ambassade.listening import services as listening
    from ambassade.listening.models import Source

    source = Source.objects.filter(workspace=workspace, kind="demo").first()
    if source is None or Mention.objects.filter(source=source, external_id="raid-0").exists():
        return
    start = (now or datetime.now(UTC)) - timedelta(hours=2)
    items = [
        RawItem(
            source="mastodon",
            external_id=f"raid-{number}",
            text=RAID_TEXT,
            created_at=start + timedelta(minutes=number * 1.5),
            url=f"https://mastodon.example/@{handle}/raid{number}",
            author=Author(handle=handle, name=handle.replace("_", " ").title(), followers=12),
        )
        for number, handle in enumerate(RAID_AUTHORS)
    ]
    listening.ingest(source, items)
    raid = list(
        Mention.objects.filter(source=source, external_id__startswith="raid-").order_by(
            "created_at", "id"
        )
    )
    # Listening's routing hook reads them once the ingest commits; inside a transaction that
    # has not committed (a test), read them here.
    if not Decision.objects.filter(mention__in=raid).exists():
        services.moderate_mentions(workspace, raid)
    out.write(f"Replayed a raid of {len(items)} accounts\n")


def ensure_demo_warning(workspace: Any, owner: Any, out: TextIO) -> None:
    """The owner warns the author of the latest insult in the queue."""
    if Strike.objects.filter(workspace=workspace, kind=Strike.Kind.WARN).exists():
        return
    from ambassade.workspaces.models import Connection

    candidates = (
        Review.objects.filter(
            workspace=workspace, state=Review.State.PENDING, rule__article__isnull=False
        )
        .exclude(mention__author_handle="")
        .exclude(mention__author_handle__in=RAID_AUTHORS)
        .select_related("mention", "workspace")
        .order_by("-created_at", "-id")
    )
    # On a network where the demo has an account, so the warning is written as a reply.
    connected = Connection.objects.filter(workspace=workspace).values_list("network", flat=True)
    review = candidates.filter(mention__network__in=list(connected)).first() or candidates.first()
    if review is None:
        return
    services.decide(review, "warn", owner, "Demo: a first warning.")
    out.write(f"Warned {review.mention.author_handle}\n")
