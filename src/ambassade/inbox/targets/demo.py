"""The demo workspace's response-time targets, through the product's own services.

:func:`ensure_demo_targets` gives the workspace business hours (Monday to Friday 09:00–18:00 and
Saturday 10:00–13:00, in the workspace's zone, French public holidays), two targets (urgent
conversations: 30 min / 30 min / 4 h; the others: 2 h / 1 h / 24 h of business time) and a
"response time" alert rule, recomputes the due times of the open conversations, and makes sure one
conversation is breaching its first-response target whatever the hour the demo is built at: a
customer's e-mail about the double charge, sent long enough ago in business time. The
breach watch then raises the rule's alert (in the notification centre once the worker delivers it).
Running it again creates nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, TextIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.crisis.models import AlertRule, Channel
from ambassade.engine.scheduling import business_time_between
from ambassade.inbox import services as inbox_services
from ambassade.inbox.models import Channel as InboxChannel
from ambassade.inbox.models import Conversation, Message
from ambassade.inbox.targets import services
from ambassade.inbox.targets.models import Holiday, Level, Target

__all__ = ["ensure_demo_targets"]

WEEK = [
    *({"weekday": day, "start": "09:00", "end": "18:00"} for day in range(5)),
    {"weekday": 5, "start": "10:00", "end": "13:00"},
]
# French public holidays on fixed dates (Easter's move every year: not listed).
HOLIDAYS = (
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice"),
    (12, 25, "Noël"),
)
LATE_ADDRESS = "margaux.petit@example.net"
LATE_SUBJECT = "Double débit sur ma commande"
LATE_TEXT = (
    "Bonjour,\n\nJ'ai été débitée deux fois pour ma commande de samedi (2 × 8,40 €). J'ai déjà "
    "écrit sur Mastodon et personne ne me répond. Pouvez-vous regarder ?\n\nMargaux Petit"
)


def ensure_demo_targets(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> Conversation | None:
    """Set the demo's targets up (see the module's documentation); returns the conversation made
    to breach its target (None when it existed already)."""
    now = now or timezone.now()
    if Target.objects.filter(workspace=workspace).exists():
        return None
    out.write("Setting business hours and response-time targets…\n")
    with translation.override(workspace.language):
        hours = services.hours_for(workspace)
        hours.enabled = True
        hours.time_zone = workspace.time_zone or "Europe/Paris"
        hours.week = WEEK
        services.save_hours(hours, owner)
        for month, day, name in HOLIDAYS:
            services.save_holiday(
                Holiday(workspace=workspace, day=date(2000, month, day), yearly=True, name=name),
                owner,
            )
        services.save_target(
            Target(
                workspace=workspace,
                name=_("Urgent"),
                level=Level.URGENT,
                first_response_minutes=30,
                next_response_minutes=30,
                resolution_minutes=4 * 60,
                position=1,
            ),
            owner,
        )
        standard = services.save_target(
            Target(
                workspace=workspace,
                name=_("Standard"),
                first_response_minutes=2 * 60,
                next_response_minutes=60,
                resolution_minutes=24 * 60,
                position=2,
            ),
            owner,
        )
        rule = AlertRule.objects.create(
            workspace=workspace,
            name=_("Late answers"),
            kind=AlertRule.Kind.RESPONSE_TIME,
            severity="high",
            cooldown_minutes=60,
        )
        channel = Channel.objects.filter(workspace=workspace, kind=Channel.Kind.EMAIL).first()
        if channel is not None:
            rule.channels.add(channel)
    services.recompute(workspace.pk)
    late = _late_conversation(workspace, standard, now)
    breached = services.find_breaches(now)
    out.write(
        f"  business hours, {Target.objects.filter(workspace=workspace).count()} targets, "
        f"{len(breached)} conversation(s) past their target\n"
    )
    return late


def _late_conversation(workspace: Any, target: Target, now: datetime) -> Conversation:
    """An e-mail waiting for an answer for its target and a half of business time."""
    calendar = services.calendar_for(workspace)
    wanted = (target.duration("first_response") or timedelta(hours=2)) * 3 / 2
    start = now - timedelta(hours=1)
    while business_time_between(calendar, start, now) < wanted and start > now - timedelta(days=60):
        start -= timedelta(minutes=30)
    conversation = Conversation.objects.create(
        workspace=workspace,
        network="email",
        channel=InboxChannel.EMAIL,
        thread_key="<demo-late-1@example.net>",
        subject=LATE_SUBJECT,
        contact_handle=LATE_ADDRESS,
        contact_name="Margaux Petit",
        lang="fr",
        last_message_at=start,
    )
    inbox_services.add_message(
        conversation,
        Message(
            direction=Message.Direction.INBOUND,
            network="email",
            external_id="<demo-late-1@example.net>",
            text=LATE_TEXT,
            author_handle=LATE_ADDRESS,
            author_name="Margaux Petit",
            lang="fr",
            sentiment="negative",
            intent="complaint",
            created_at=start,
            received_at=start,
        ),
    )
    inbox_services.auto_assign(conversation)  # in turn, as the inbox does with new ones
    return conversation
