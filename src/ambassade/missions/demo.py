"""The demo brand's ambassador missions: a hashtag, a post to share, a product to review and a
question to answer, one of them completed by a message of an ambassador heard on the stream and
one marked done by hand; the first whose ambassadors may be e-mailed is announced to them
(``missions/announcements.py``: a campaign through the demo's e-mail account, counted as sent two
days ago, since no real server is behind it). Running it again creates nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from ambassade.community.models import Member, Segment
from ambassade.connectors.base import Author, RawItem
from ambassade.listening.models import Mention, Source
from ambassade.missions import services
from ambassade.missions.models import Mission
from ambassade.products.models import Product

SHARE_URL = "https://cafe-lumiere.example/blog/nouvelle-torrefaction"


def ensure_demo_missions(
    workspace: Any, owner: Any, teammate: Any, out: TextIO, *, now: datetime | None = None
) -> None:
    if Mission.objects.filter(workspace=workspace).exists():
        return
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    people = list(
        Member.objects.filter(workspace=workspace, staff=False, identities__isnull=False)
        .order_by("-ambassador", "-love", "id")
        .distinct()[:3]
    )
    if not people:
        return
    # For the members classed ambassador by their scores when there are two or more; else for
    # the most engaged, chosen by hand.
    classed = [member for member in people if member.ambassador]
    if len(classed) >= 2:
        people = classed
        audience: dict[str, Any] = {"audience": "ambassadors"}
    else:
        audience = {"audience": "chosen", "chosen": [member.pk for member in people]}
    period = {"starts_at": now - timedelta(days=3), "ends_at": now + timedelta(days=11)}
    share = services.save_mission(
        workspace,
        owner,
        title="Partagez notre nouvelle torréfaction",
        kind="share",
        instructions="Un lien vers l’article du blog suffit, avec vos mots.",
        target_url=SHARE_URL + "?utm_source=newsletter",
        points=10,
        **audience,
        **period,
    )
    services.save_mission(
        workspace,
        owner,
        title="Un café chez nous ? Dites-le avec #cafelumiere",
        kind="hashtag",
        hashtag="cafelumiere",
        points=5,
        **audience,
        **period,
    )
    cold_brew = Product.objects.filter(workspace=workspace, name="Cold brew").first()
    segment = Segment.objects.filter(workspace=workspace, name="Ambassadeurs à remercier").first()
    if cold_brew is not None:
        services.save_mission(
            workspace,
            owner,
            title="Votre avis sur le cold brew",
            kind="review",
            product=cold_brew,
            points=15,
            **({"audience": "segment", "segment": segment} if segment is not None else audience),
            **period,
        )
    question = (
        Mention.objects.filter(workspace=workspace, text__contains="?")
        .exclude(url="")
        .order_by("-created_at")
        .first()
    )
    if question is not None:
        services.save_mission(
            workspace,
            owner,
            title="Aidez un client qui pose une question",
            kind="answer",
            target_url=question.url,
            points=10,
            audience="chosen",
            chosen=[member.pk for member in people],
            **period,
        )
    # The first ambassador shares the post (heard on the stream, found by the matching task)…
    first = people[0]
    identity = first.identities.order_by("-max_followers", "id").first()
    source = Source.objects.filter(workspace=workspace, kind="demo").first()
    if identity is not None and source is not None:
        from ambassade.listening import services as listening

        listening.ingest(
            source,
            [
                RawItem(
                    source=identity.network,
                    external_id=f"demo-mission-{identity.pk}",
                    text=(
                        "La nouvelle torréfaction de Café Lumière est une merveille, lisez ça : "
                        f"{SHARE_URL}?utm_source=mastodon&fbclid=demo"
                    ),
                    created_at=now - timedelta(hours=2),
                    url=f"https://{identity.network}.example/@{identity.handle}/demo-mission",
                    author=Author(handle=identity.handle, name=identity.name),
                    lang="fr",
                )
            ],
        )
        services.match_new(workspace.pk)
    # …and the second did it at the shop, which the team marks by hand.
    if len(people) > 1:
        services.mark_done(
            share, people[1], teammate, "A mis l’article en vitrine de la boutique de Lyon."
        )
    done = share.completions.count()
    told = _announce(workspace, owner, now)
    out.write(
        f"Added {Mission.objects.filter(workspace=workspace).count()} missions ({done} done, "
        f"{told} ambassadors told by e-mail)\n"
    )


def _announce(workspace: Any, owner: Any, now: datetime) -> int:
    """Announce the first mission that has ambassadors who may be e-mailed; its campaign counts
    as sent two days ago (the demo's account has no server: the worker never sends from it)."""
    from ambassade.mailing.models import Campaign, Recipient
    from ambassade.missions import announcements

    connection = announcements.connections(workspace).first()
    if connection is None:
        return 0
    for mission in Mission.objects.filter(workspace=workspace).order_by("id"):
        try:
            announcement = announcements.announce(mission, owner, connection)
        except services.MissionError:
            continue
        at = now - timedelta(days=2)
        rows = Recipient.objects.filter(campaign=announcement.campaign)
        told = rows.update(state=Recipient.State.SENT, sent_at=at)
        Campaign.objects.filter(pk=announcement.campaign_id).update(
            state=Campaign.State.SENT, total=told, started_at=at, finished_at=at
        )
        return told
    return 0
