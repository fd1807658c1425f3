"""The demo workspace's inbox, made by the product's own paths from the demo stream.

:func:`ensure_demo_inbox` gives the workspace a team, labels, routing rules and round-robin
assignment, then, the first time only:

1. replays the routing receiver over the last day (``REPLAY``) of demo mentions, as if they had just been
   ingested: mentions of the brand's Mastodon account (``@cafelumiere``) and what the rules choose
   (the double-charge incident, questions, influencers) become conversations, auto-assigned; and
   before that over a sample of the older mentions (``OLDER_AUTHORS``, ``OLDER_SHARE``), back to the
   start of the last complete month, nearly all answered within hours and most resolved back then,
   so that the sample monthly report's inbox block has a response rate and a first-response time;
2. answers some of the last day's the way a team does: natively on Mastodon (items from the brand's own
   account, ingested through listening's pipeline: routing threads them as outbound replies), or
   from Ambassade (``services.record_outbound``), in the conversation's language; some customers
   write back, some conversations are resolved, one is snoozed;
3. receives a few direct messages (private: never mentions) about the double charge, through the
   same pipeline.

Everything is derived from the conversations' ids in order and fixed texts, so the same stream gives
the same inbox. Running it again creates nothing (the workspace has conversations already).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.connectors.base import Author, ItemKind, RawItem
from ambassade.inbox import routing, services
from ambassade.inbox.models import Conversation, InboxSettings, Label, RoutingRule, Status, Team

__all__ = ["ensure_demo_inbox"]

REPLAY = timedelta(hours=24)
#: Before the last day, the mentions routed to the inbox are a sample: those of a third of the
#: authors (in percent; the others stay authors the brand never answered, whom influencer discovery
#: can still suggest), and a third of their mentions: a team's pace of conversations over the rest of
#: the demo's history, without the demo taking long to build.
OLDER_AUTHORS = 35
OLDER_SHARE = 35
BRAND_MASTODON = "cafelumiere@mastodon.example"

# Answers by intent and language; {name} is the person's first name.
ANSWERS: dict[str, dict[str, tuple[str, ...]]] = {
    "incident": {
        "fr": (
            "Bonjour {name}, toutes nos excuses pour ce double débit. Le remboursement est lancé : "
            "il apparaîtra sous 3 à 5 jours ouvrés. Nous vous écrivons en privé pour le suivi.",
            "Bonjour {name}, nous sommes désolés. L'erreur vient de la mise à jour de l'appli, elle "
            "est corrigée et chaque double paiement est remboursé automatiquement.",
        ),
        "en": (
            "Hi {name}, we're so sorry about the double charge. Your refund is on its way and will "
            "show within 3 to 5 working days. We'll message you privately to follow up.",
            "Hi {name}, apologies! The app update caused it; it's fixed now and every double charge "
            "is being refunded automatically.",
        ),
    },
    "question": {
        "fr": (
            "Bonjour {name} ! Oui, et sans supplément 🌱 Tous les détails sont sur notre carte en "
            "boutique et dans l'appli.",
            "Bonjour {name}, merci pour votre question ! Nos équipes en boutique vous renseignent "
            "volontiers, et le service client répond ici 7 j/7.",
        ),
        "en": (
            "Hi {name}! Yes, at no extra cost 🌱 All the details are on the menu in store and in the "
            "app.",
            "Hi {name}, thanks for asking! Our baristas will gladly help in store, and our care team "
            "answers here every day.",
        ),
    },
    "complaint": {
        "fr": (
            "Bonjour {name}, nous sommes navrés de cette expérience. Pouvez-vous nous dire dans quelle "
            "boutique c'était ? Nous voulons arranger ça.",
        ),
        "en": (
            "Hi {name}, we're sorry to hear that. Could you tell us which café it was? We'd like to "
            "make it right.",
        ),
    },
    "other": {
        "fr": ("Merci {name} pour votre message ! ☕",),
        "en": ("Thanks a lot {name}! ☕",),
    },
}
FOLLOW_UPS = {
    "fr": (
        "Merci pour la réponse rapide !",
        "D'accord, je vous écris en privé.",
        "Toujours rien reçu…",
    ),
    "en": (
        "Thanks for the quick answer!",
        "OK, messaging you now.",
        "Still nothing on my account…",
    ),
}
DIRECT_MESSAGES = (
    ("lea.moreau", "Léa Moreau", "fr",
     "Bonjour, l'appli m'a débité deux fois 4,80 € ce matin (commande 58213). Pouvez-vous me "
     "rembourser ? Merci."),
    ("tom.walker", "Tom Walker", "en",
     "Hi, I was charged twice for my flat white yesterday evening. Order 58377. Can you refund "
     "the second one please?"),
    ("ines.blanc", "Inès Blanc", "fr",
     "Re-bonjour, je n'ai toujours pas reçu le remboursement du double paiement de lundi…"),
)  # fmt: skip


def _setup(workspace: Any, owner: Any, teammate: Any) -> tuple[Team, dict[str, Label]]:
    team, _created = Team.objects.get_or_create(workspace=workspace, name=_("Customer care"))
    team.members.add(owner, teammate)
    labels = {}
    for key, name, color in (
        ("refund", _("Refund"), "#b42318"),
        ("app", _("App"), "#0a63c9"),
        ("vip", _("VIP"), "#8a5300"),
    ):
        labels[key], _created = Label.objects.get_or_create(
            workspace=workspace, name=name, defaults={"color": color}
        )
    settings = services.settings_for(workspace)
    if settings.auto_assign == InboxSettings.AutoAssign.OFF:
        settings.auto_assign = InboxSettings.AutoAssign.ROUND_ROBIN
        settings.default_team = team
        settings.save()
    return team, labels


def _rules(workspace: Any, team: Team, labels: dict[str, Label]) -> None:
    from ambassade.listening.demo import QUERIES
    from ambassade.listening.models import ListeningQuery

    queries = {q.name: q for q in ListeningQuery.objects.filter(workspace=workspace)}
    brand, incident = queries.get(QUERIES[0][0]), queries.get(QUERIES[5][0])
    specs = (
        (_("Double charges"), {"query": incident, "team": team, "label": labels["refund"]}),
        (_("Questions about the brand"), {"query": brand, "intent": "question", "team": team}),
        (_("Bug reports"), {"query": brand, "intent": "bug", "label": labels["app"]}),
        (_("Influencers"), {"query": brand, "min_followers": 50_000, "label": labels["vip"]}),
    )
    for name, fields in specs:
        if fields.get("query") is None:
            continue
        RoutingRule.objects.get_or_create(workspace=workspace, name=name, defaults=fields)


def _first_name(conversation: Conversation) -> str:
    name = (conversation.contact_name or conversation.contact_handle or "").split()
    return name[0] if name else ""


def _answer(conversation: Conversation, index: int) -> str:
    lang = "fr" if conversation.lang == "fr" else "en"
    labels = {label.name for label in conversation.labels.all()}
    kind = "incident" if _("Refund") in labels else conversation.intent
    texts = ANSWERS.get(kind, ANSWERS["other"])[lang]
    return texts[index % len(texts)].format(name=_first_name(conversation))


def ensure_demo_inbox(
    workspace: Any, owner: Any, teammate: Any, out: TextIO, *, now: datetime | None = None
) -> int:
    """Set the demo inbox up (see the module's documentation). Returns how many conversations it
    has."""
    from ambassade.listening import services as listening_services
    from ambassade.listening.models import Mention, Source

    now = now or timezone.now()
    with translation.override(workspace.language):
        team, labels = _setup(workspace, owner, teammate)
        _rules(workspace, team, labels)
    conversations = Conversation.objects.filter(workspace=workspace)
    if conversations.exists():
        return conversations.count()
    services.set_available(workspace, owner, True)
    services.set_available(workspace, teammate, True)
    out.write("Routing the demo's mentions to the inbox…\n")
    older = _older(workspace, owner, now)
    mentions = list(
        Mention.objects.filter(workspace=workspace, created_at__gte=now - REPLAY).order_by(
            "created_at", "id"
        )
    )
    for start in range(0, len(mentions), 500):
        routing.route_mentions(workspace, mentions[start : start + 500])
    source = Source.objects.filter(workspace=workspace, kind="demo").first()
    # Answer, in order: every third conversation natively when it is on Mastodon, else from
    # Ambassade; leave the newest ones waiting, and some older ones too.
    ordered = list(
        conversations.filter(first_inbound_at__gte=now - REPLAY)
        .order_by("first_inbound_at", "id")
        .prefetch_related("labels")
    )
    native: list[RawItem] = []
    answered = 0
    for index, conversation in enumerate(ordered):
        if conversation.first_inbound_at is None or conversation.first_inbound_at > now - timedelta(
            hours=3
        ):
            continue
        if index % 5 in (1, 3):
            continue  # still waiting for an answer
        delay = timedelta(minutes=8 + (index * 37) % 170)
        at = min(conversation.first_inbound_at + delay, now - timedelta(minutes=5))
        text = _answer(conversation, index)
        if conversation.network == "mastodon" and source is not None and index % 3 == 0:
            native.append(
                RawItem(
                    source="mastodon",
                    external_id=f"demo-answer-{conversation.thread_key}",
                    text=f"@{conversation.contact_handle} {text}",
                    created_at=at,
                    url=f"https://mastodon.example/@cafelumiere/answer-{conversation.pk}",
                    author=Author(handle=BRAND_MASTODON, name="Café Lumière", id="cafelumiere"),
                    parent_id=conversation.thread_key,
                )
            )
        else:
            agent = conversation.assignee or owner
            services.record_outbound(conversation, text=text, sender=agent, created_at=at)
        answered += 1
    if native and source is not None:
        listening_services.ingest(source, native)
        routing.route_mentions(
            workspace,
            list(
                Mention.objects.filter(workspace=workspace, external_id__startswith="demo-answer-")
            ),
        )
    _after(workspace, ordered, owner, source, now)
    if source is not None:
        _direct_messages(source, now)
    count = conversations.count()
    out.write(
        f"  {count} conversations, {answered} answered in the last day, {older} answered before\n"
    )
    return count


def _older(workspace: Any, owner: Any, now: datetime) -> int:
    """The conversations before the last day, from a sample (``OLDER_AUTHORS``, ``OLDER_SHARE``)
    of the older mentions routed as they came: the team answered nearly all of them within hours, and resolved
    most (the satisfaction demo then asks those). Returns how many were answered."""
    from ambassade.listening.demo import sampled
    from ambassade.listening.models import Mention

    mentions = [
        mention
        for mention in Mention.objects.filter(
            workspace=workspace, created_at__lt=now - REPLAY
        ).order_by("created_at", "id")
        if sampled(f"inbox:{mention.author_handle}", OLDER_AUTHORS)
        and sampled(mention.external_id, OLDER_SHARE)
    ]
    for start in range(0, len(mentions), 500):
        routing.route_mentions(workspace, mentions[start : start + 500])
    ordered = (
        Conversation.objects.filter(workspace=workspace, first_inbound_at__lt=now - REPLAY)
        .order_by("first_inbound_at", "id")
        .prefetch_related("labels")
    )
    answered = 0
    for index, conversation in enumerate(ordered):
        if index % 9 == 4 or conversation.first_inbound_at is None:
            continue  # never answered
        at = conversation.first_inbound_at + timedelta(minutes=6 + (index * 53) % 300)
        agent = conversation.assignee or owner
        services.record_outbound(
            conversation, text=_answer(conversation, index), sender=agent, created_at=at
        )
        answered += 1
        if index % 5 != 2:
            services.set_status(conversation, Status.RESOLVED, agent)
            # Resolved a few hours after the answer, back then (set_status says "now").
            Conversation.objects.filter(pk=conversation.pk).update(
                resolved_at=at + timedelta(hours=1 + index % 20)
            )
    return answered


def _after(
    workspace: Any, ordered: list[Conversation], owner: Any, source: Any, now: datetime
) -> None:
    """Some customers write back (mentions answering their first one, through the pipeline), some
    conversations are resolved, one in eleven snoozed."""
    from ambassade.listening import services as listening_services
    from ambassade.listening.models import Mention

    follow_ups = []
    for index, conversation in enumerate(ordered):
        conversation.refresh_from_db()
        if conversation.last_outbound_at is None:
            continue
        lang = "fr" if conversation.lang == "fr" else "en"
        if index % 7 == 2 and source is not None:
            at = min(
                conversation.last_outbound_at + timedelta(minutes=20), now - timedelta(minutes=2)
            )
            follow_ups.append(
                RawItem(
                    source=conversation.network,
                    external_id=f"demo-follow-up-{conversation.thread_key}",
                    text=FOLLOW_UPS[lang][index % 3],
                    created_at=at,
                    author=Author(
                        handle=conversation.contact_handle,
                        name=conversation.contact_name,
                        followers=conversation.contact_followers,
                    ),
                    lang=lang,
                    parent_id=conversation.thread_key,
                )
            )
        elif index % 4 == 0:
            services.set_status(conversation, Status.RESOLVED, conversation.assignee or owner)
        elif index % 11 == 5:
            services.snooze(
                conversation,
                max(now, timezone.now()) + timedelta(days=1),
                conversation.assignee or owner,
            )
    if follow_ups:
        listening_services.ingest(source, follow_ups)
        routing.route_mentions(
            workspace,
            list(
                Mention.objects.filter(
                    workspace=workspace, external_id__startswith="demo-follow-up-"
                )
            ),
        )


def _direct_messages(source: Any, now: datetime) -> None:
    from ambassade.listening import services as listening_services

    items = [
        RawItem(
            source="mastodon",
            external_id=f"demo-dm-{i}",
            text=text,
            created_at=(now - timedelta(hours=5 - i * 2)).astimezone(UTC),
            author=Author(handle=handle, name=name, id=handle, followers=120 + 40 * i),
            lang=lang,
            thread_id=f"demo-dm-thread-{handle}",
            kind=ItemKind.MESSAGE,
        )
        for i, (handle, name, lang, text) in enumerate(DIRECT_MESSAGES)
    ]
    listening_services.ingest(source, items)
