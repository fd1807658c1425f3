"""The demo brand's events: a latte art workshop next week, full, with a waiting list; an online
roasters' Q&A the week after; and a tasting held ten days ago, its attendees checked in and on
their members' timelines. RSVPs are made through the services as guests would (matched to
members by e-mail, consents recorded with their proof); their e-mails count as sent then. The
roasters' Q&A invites a saved segment (the members who agreed to event e-mails): its invitations
count as sent yesterday, some opened and clicked (events/tracking.py), on the E-mails page and the
members' timelines. Running it again creates nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from ambassade.community import crm
from ambassade.community.activities import weight_of
from ambassade.community.models import Activity, Identity, Segment
from ambassade.events import invitations, services, tracking
from ambassade.events.models import Event, EventLink, Invitation, Rsvp

#: The segment the Q&A invites.
INVITED = "Inscrits aux e-mails d’événements"
WORKSHOP = "Latte art workshop"
QA = "Live Q&A with our roasters"
TASTING = "Ethiopian coffee tasting"

GUESTS = [
    ("Chloé Martin", "fr"),
    ("Sam Carter", "en"),
    ("Inès Bernard", "fr"),
    ("Hugo Petit", "fr"),
    ("Maya Lefèvre", "fr"),
    ("Tom Baker", "en"),
    ("Nadia Haddad", "fr"),
    ("Lucas Moreau", "fr"),
    ("Emma Wilson", "en"),
    ("Jules Garnier", "fr"),
    ("Sofia Rossi", "en"),
    ("Paul Girard", "fr"),
    ("Léna Roux", "fr"),
    ("Omar Benali", "fr"),
    ("Clara Fontaine", "fr"),
]


def _email(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return plain.replace(" ", ".") + "@example.com"


def _register(event: Event, guests: list[tuple[str, str]], at: datetime) -> list[Rsvp]:
    made = []
    for n, (name, lang) in enumerate(guests):
        made.append(
            services.register(
                event,
                name=name,
                email=_email(name),
                lang=lang,
                consent=n % 3 != 2,
                address="192.0.2.10",
                agent="Demo browser",
                now=at + timedelta(hours=3 * n),
            ).rsvp
        )
    return made


def ensure_demo_events(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    local = timezone.localtime(now, ZoneInfo("Europe/Paris")).replace(
        minute=0, second=0, microsecond=0
    )
    common = {"organiser": "Café Lumière", "time_zone": "Europe/Paris", "reminder_hours": 24}
    if not Event.objects.filter(workspace=workspace, title_en=TASTING).exists():
        starts = (local - timedelta(days=10)).replace(hour=18)
        event = services.create_event(
            workspace,
            owner,
            title_en=TASTING,
            title_fr="Dégustation de cafés d’Éthiopie",
            description_en="Three washed and natural coffees from Sidama and Guji, tasted side by "
            "side with our head roaster.",
            description_fr="Trois cafés lavés et nature de Sidama et Guji, dégustés côte à côte "
            "avec notre torréfacteur en chef.",
            format=Event.Format.PHYSICAL,
            venue="Café Lumière — Bastille",
            address="12 rue des Cafés, 75011 Paris",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=20,
            followup_en="Thank you {name} for coming to {event}! The three coffees are in the "
            "shop this month, 10% off with the code ETHIOPIA.",
            followup_fr="Merci {name} d’être venu·e à la {event} ! Les trois cafés sont en "
            "boutique ce mois-ci, -10 % avec le code ETHIOPIE.",
            now=starts - timedelta(days=21),
            **common,
        )
        rsvps = _register(event, GUESTS[:14], starts - timedelta(days=14))
        for rsvp in rsvps[:11]:
            services.check_in(event, owner, rsvp_id=rsvp.pk, now=starts + timedelta(minutes=5))
        services.cancel(rsvps[13], now=starts - timedelta(days=1))
        Rsvp.objects.filter(event=event).update(
            notified_status=F("status"), reminded_at=starts - timedelta(hours=24)
        )
        out.write(f"Held the demo event {TASTING} (11 checked in)\n")
    if not Event.objects.filter(workspace=workspace, title_en=WORKSHOP).exists():
        starts = (local + timedelta(days=6)).replace(hour=10)
        event = services.create_event(
            workspace,
            owner,
            title_en=WORKSHOP,
            title_fr="Atelier latte art",
            description_en="Learn to pour a heart, a tulip and a rosetta with our baristas. Milk, "
            "cups and aprons provided.",
            description_fr="Apprenez à dessiner un cœur, une tulipe et une rosace avec nos "
            "baristas. Lait, tasses et tabliers fournis.",
            format=Event.Format.PHYSICAL,
            venue="Café Lumière — Bastille",
            address="12 rue des Cafés, 75011 Paris",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2, minutes=30),
            capacity=12,
            **common,
        )
        _register(event, GUESTS, now - timedelta(days=5))
        Rsvp.objects.filter(event=event).update(notified_status=F("status"))
        out.write(f"Opened the demo event {WORKSHOP} (full, 3 on the waiting list)\n")
    if not Event.objects.filter(workspace=workspace, title_en=QA).exists():
        starts = (local + timedelta(days=13)).replace(hour=19)
        event = services.create_event(
            workspace,
            owner,
            title_en=QA,
            title_fr="Questions en direct à nos torréfacteurs",
            description_en="Forty minutes online: how we choose, roast and rest our coffees. Bring "
            "your questions.",
            description_fr="Quarante minutes en ligne : comment nous choisissons, torréfions et "
            "laissons reposer nos cafés. Venez avec vos questions.",
            format=Event.Format.ONLINE,
            online_url="https://meet.example.com/cafe-lumiere-roasters",
            starts_at=starts,
            ends_at=starts + timedelta(minutes=40),
            capacity=None,
            track_opens=True,
            **common,
        )
        _register(event, GUESTS[2:6], now - timedelta(days=2))
        Rsvp.objects.filter(event=event).update(notified_status=F("status"))
        invited = _invite(event, owner, now)
        out.write(f"Opened the demo event {QA} (online, {invited} invited from a segment)\n")


def _invite(event: Event, owner: Any, now: datetime) -> int:
    """Invite the segment of the members who agreed to event e-mails (those registered already
    are left out); the invitations count as sent yesterday, every other one opened, every third
    one's link clicked, as the tracker would have recorded them."""
    workspace = event.workspace
    segment = Segment.objects.filter(workspace=workspace, name=INVITED).first()
    if segment is None:
        segment = crm.save_segment(
            workspace,
            owner,
            name=INVITED,
            description="Les membres d’accord pour recevoir les e-mails de nos événements.",
            definition={"consents": ["events"]},
        )
    sent = now - timedelta(days=1)
    invitations.invite_segment(event, owner, segment, now=sent - timedelta(minutes=5))
    rows = list(Invitation.objects.filter(event=event).order_by("id"))
    if not rows:
        return 0
    page = tracking.Tracker(event, rows[0]).url(services.public_url(event))
    code = page.split("/l/", 1)[1].split("?", 1)[0]
    identities: dict[int, int] = {}
    for identity_id, member_id in (
        Identity.objects.filter(member_id__in=[r.member_id for r in rows])
        .order_by("id")
        .values_list("id", "member_id")
    ):
        identities.setdefault(member_id, identity_id)
    made, clicks = [], 0
    for n, row in enumerate(rows):
        tracking.ensure_token(row)
        at = sent + timedelta(seconds=2 * n)
        fields: dict[str, Any] = {"state": "sent", "sent_at": at, "attempts": 1}
        done = []
        if n % 2 == 0:
            fields["opened_at"] = at + timedelta(minutes=40 + 7 * n)
            done.append(("email_open", "open", fields["opened_at"]))
        if n % 3 == 0:
            fields["clicked_at"] = at + timedelta(hours=1, minutes=3 * n)
            fields["clicks"] = 1 + n % 2
            clicks += fields["clicks"]
            done.append(("email_click", "click", fields["clicked_at"]))
        Invitation.objects.filter(pk=row.pk).update(**fields)
        identity = identities.get(row.member_id or 0)
        for kind, what, when in done if identity is not None else []:
            made.append(
                Activity(
                    workspace_id=workspace.pk,
                    identity_id=identity,
                    kind=kind,
                    occurred_at=when,
                    source=tracking.SOURCES[(Invitation, what)],
                    source_id=row.pk,
                    weight=weight_of(kind),
                )
            )
    Activity.objects.bulk_create(made, ignore_conflicts=True)
    EventLink.objects.filter(code=code).update(clicks=clicks)
    return len(rows)
