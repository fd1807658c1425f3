"""The demo brand's e-mailing: some members who confirmed their consent (double opt-in), a
campaign sent last week with its results (opens, clicks, a hard bounce, an unsubscription, each on
the member's timeline), and a draft. The demo's e-mail connection points at no real server: a
test send says it cannot reach it; connect a real account to send. Running it again creates
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from ambassade.community import crm
from ambassade.community.models import Activity, Consent, Identity, Member, Segment
from ambassade.mailing import audiences, sending, services
from ambassade.mailing.models import Campaign, CampaignLink, Recipient
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Connection

SENT = "Calendrier de l'Avent"
DRAFT = "Nouveautés de décembre"
ADDRESS = "newsletter@cafe-lumiere.example"
#: Members given an address and consent (the most followed ones).
PEOPLE = 40
#: The campaigns' audience: a saved segment, as a team would target one (not every member).
SEGMENT = "Relais de la marque"
SEGMENT_DESCRIPTION = (
    "Abonnés à nos e-mails suivis par au moins 500 personnes : ceux qui font circuler nos "
    "nouvelles."
)
SEGMENT_DEFINITION = {"consents": ["emailing"], "followers": {"min": 500}}

BODY_FR = (
    'Bonjour {{ first_name|"à vous" }},\n\n'
    "Chaque matin de décembre, une case du calendrier de l'Avent s'ouvre au comptoir : un café, "
    "une douceur, une surprise.\n\n"
    "Le programme : https://cafe-lumiere.example/avent\n\n"
    "À très vite,\n{{ brand }}"
)
BODY_EN = (
    'Hello {{ first_name|"there" }},\n\n'
    "Every morning in December, a door of our Advent calendar opens at the counter: a coffee, a "
    "treat, a surprise.\n\n"
    "The programme: https://cafe-lumiere.example/advent\n\n"
    "See you soon,\n{{ brand }}"
)


def _connection(workspace: Any, owner: Any) -> Connection:
    found = Connection.objects.filter(workspace=workspace, network="email", account_name=ADDRESS)
    if found.exists():
        return found.get()
    with transaction.atomic():
        connection = workspace_services.connect_account(
            workspace,
            network="email",
            account_name=ADDRESS,
            secret={
                "address": ADDRESS,
                "display_name": workspace.name,
                "username": ADDRESS,
                "password": "demo-password-not-a-real-account",
                "imap_host": "imap.cafe-lumiere.example",
                "imap_security": "ssl",
                "smtp_host": "smtp.cafe-lumiere.example",
                "smtp_security": "ssl",
            },
            actor=owner,
        )
        # Like the publishing demo's accounts: no real server behind it, so the worker neither
        # sends from it nor polls it until someone connects a real mailbox.
        workspace_services.mark_needs_reconnection(connection.pk, coded("mailing.demo_account"))
    connection.refresh_from_db()
    return connection


def _consents(workspace: Any, now: datetime) -> None:
    if Consent.objects.filter(workspace=workspace, purpose=Consent.Purpose.EMAILING).exists():
        return
    members = list(
        Member.objects.filter(workspace=workspace, staff=False).order_by("-reach", "id")[:PEOPLE]
    )
    for n, member in enumerate(members):
        if not member.email:
            handle = "".join(c for c in member.display_name.lower() if c.isalnum())[:30]
            member.email = f"{handle or 'membre'}{member.pk}@exemple.fr"
            Member.objects.filter(pk=member.pk).update(email=member.email)
        lang = "en" if n % 4 == 3 else "fr"
        asked = now - timedelta(days=30 - n % 20, hours=n)
        Consent.objects.create(
            workspace=workspace,
            member=member,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.GRANTED,
            source=Consent.Source.DOUBLE_OPT_IN,
            proof=f"confirmed {(asked + timedelta(minutes=7)).isoformat(timespec='seconds')} · "
            f"link sent {asked.isoformat(timespec='seconds')} to {member.email} (demo)",
            email=member.email,
            lang=lang,
            recorded_at=asked + timedelta(minutes=7),
        )


def _segment(workspace: Any, owner: Any) -> Segment:
    found = Segment.objects.filter(workspace=workspace, name=SEGMENT).first()
    if found is not None:
        return found
    return crm.save_segment(
        workspace,
        owner,
        name=SEGMENT,
        description=SEGMENT_DESCRIPTION,
        definition=SEGMENT_DEFINITION,
    )


def ensure_demo_mailing(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    connection = _connection(workspace, owner)
    _consents(workspace, now)
    segment = _segment(workspace, owner)
    if not Campaign.objects.filter(workspace=workspace, name=SENT).exists():
        campaign = services.create_campaign(
            workspace,
            owner,
            name=SENT,
            connection=connection,
            segment=segment,
            subject_fr="Le calendrier de l'Avent ouvre demain, {{ first_name }}",
            body_fr=BODY_FR,
            subject_en="Our Advent calendar opens tomorrow",
            body_en=BODY_EN,
            rate_per_hour=3600,
        )
        started = now - timedelta(days=6)
        total = sending.freeze_audience(campaign, audiences.recipients(workspace, segment))
        links = sending.make_links(campaign)
        rows = list(Recipient.objects.filter(campaign=campaign).order_by("id"))
        identities: dict[int, int] = {}
        for identity_id, member_id in (
            Identity.objects.filter(member_id__in=[r.member_id for r in rows])
            .order_by("id")
            .values_list("id", "member_id")
        ):
            identities.setdefault(member_id, identity_id)
        activities = []
        for n, row in enumerate(rows):
            at = started + timedelta(seconds=2 * n)
            row.state, row.sent_at = Recipient.State.SENT, at
            row.message_id = f"campaign-{campaign.pk}.{row.pk}.demo@cafe-lumiere.example"
            kinds = [("email_sent", "mailing.sent", at)]
            if n == 5:
                row.bounce, row.bounce_status, row.bounced_at = (
                    "hard",
                    "5.1.1",
                    at + timedelta(minutes=3),
                )
                kinds.append(("email_bounce", "mailing.bounce", row.bounced_at))
            elif n % 3 == 0:
                row.clicked_at, row.clicks = at + timedelta(hours=2 + n % 7), 1 + n % 2
                kinds.append(("email_click", "mailing.click", row.clicked_at))
            if n == 9:
                row.unsubscribed_at = at + timedelta(hours=5)
                kinds.append(("email_unsubscribe", "mailing.unsubscribe", row.unsubscribed_at))
            row.save()
            if n in (5, 9) and row.member_id is not None:
                Consent.objects.create(
                    workspace=workspace,
                    member_id=row.member_id,
                    purpose=Consent.Purpose.EMAILING,
                    state=Consent.State.WITHDRAWN,
                    source=Consent.Source.BOUNCE if n == 5 else Consent.Source.UNSUBSCRIBE,
                    proof="hard bounce 5.1.1 (demo)" if n == 5 else "one-click (RFC 8058) (demo)",
                    email=row.email,
                    recorded_at=row.bounced_at or row.unsubscribed_at or at,
                )
            identity = identities.get(row.member_id or 0)
            if identity is not None:
                for kind, source, when in kinds:
                    activities.append(
                        Activity(
                            workspace_id=workspace.pk,
                            identity_id=identity,
                            kind=kind,
                            occurred_at=when,
                            source=source,
                            source_id=row.pk,
                            weight={"email_click": 0.5}.get(kind, 0.0),
                        )
                    )
        Activity.objects.bulk_create(activities, ignore_conflicts=True)
        clicks = sum(r.clicks for r in rows)
        CampaignLink.objects.filter(campaign=campaign, code__in=list(links.values())).update(
            clicks=clicks
        )
        Campaign.objects.filter(pk=campaign.pk).update(
            state=Campaign.State.SENT,
            total=total,
            started_at=started,
            finished_at=started + timedelta(seconds=2 * total),
            created_at=started - timedelta(days=1),
        )
        out.write(f"Sent the demo campaign {SENT} to {total} members\n")
    if not Campaign.objects.filter(workspace=workspace, name=DRAFT).exists():
        services.create_campaign(
            workspace,
            owner,
            name=DRAFT,
            connection=connection,
            segment=segment,
            subject_fr="Trois nouveautés pour l'hiver",
            body_fr='Bonjour {{ first_name|"à vous" }},\n\nLe chocolat chaud aux épices est de '
            "retour, avec deux nouveaux cafés de Colombie.\n\nhttps://cafe-lumiere.example/hiver"
            "\n\n{{ brand }}",
            subject_en="Three new things for winter",
            body_en='Hello {{ first_name|"there" }},\n\nThe spiced hot chocolate is back, with '
            "two new coffees from Colombia.\n\nhttps://cafe-lumiere.example/winter\n\n{{ brand }}",
            rate_per_hour=3600,
        )
