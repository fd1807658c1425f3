"""Influencer discovery: authors not yet in the community, most influential first, with why.

**In the community** (the one place it is defined, docs/community.md "Influencer discovery"): every
author listening observes is made a :class:`Member`, so being a member says nothing. A member is *in
the community* when they have a relationship with the brand beyond being observed:

- any consent record (asked, given or withdrawn: the brand talked with them about it);
- a tag, a custom field value or a note the team set;
- an e-mail address (it comes from a customer file, a consent or the team, never from listening);
- an activity on their timeline that is a relationship, not an observation (:data:`RELATIONSHIP_KINDS`):
  an RSVP to an event or being checked in at one, a contest entry, a referral (made, received or
  converted), a mission completed, or an answer of the brand in one of their conversations.

Staff are never candidates. Every other member is an *author not yet in the community*: the
stored scores (``Member.influence`` and ``sentiment``, written by ``community.score_members``)
choose the candidates, their scores are then computed afresh from their timeline with
``Person(member=False)`` and given to :func:`ambassade.engine.scoring.discover`, which keeps those
that qualify and explains each with coded reasons (worded in ``community/messages.py``). Tagging a
candidate brings them into the community, so they leave the list.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from ambassade.community.models import Activity, Consent, FieldValue, Member, MemberTag, Note
from ambassade.community.scores import _rows, _scored
from ambassade.engine.scoring import Discovery, Person, Scorer, ScoringSettings, discover

__all__ = ["LIMIT", "RELATIONSHIP_KINDS", "candidates", "in_community"]

#: Candidates shown at most.
LIMIT = 50

#: Timeline kinds (``Activity.kind``, recorded by each app through ``community.activities``) that
#: bring a person into the community: each is something they did *with* the brand (an RSVP,
#: attending, entering a contest, referring or being referred, a mission) or the brand did with them
#: (``answered``: a reply in their conversation). Mentions, private messages not answered, moderation
#: decisions, e-mail opens and clicks are not: they are observed, or (e-mail) need a consent that
#: counts already.
RELATIONSHIP_KINDS = frozenset(
    {
        "rsvp",
        "event",
        "contest_entry",
        "referral",
        "referred",
        "referral_converted",
        "mission",
        "answered",
    }
)


def in_community() -> Q:
    """The members in the community (see the module's docstring); its negation: the others."""
    related = [
        Exists(model.objects.filter(member_id=OuterRef("pk")))
        for model in (Consent, MemberTag, FieldValue, Note)
    ]
    related.append(
        Exists(
            Activity.objects.filter(
                identity__member_id=OuterRef("pk"), kind__in=sorted(RELATIONSHIP_KINDS)
            )
        )
    )
    found = ~Q(email="")
    for one in related:
        found |= Q(one)
    return found


def outsiders(workspace_id: int) -> QuerySet[Member]:
    """The workspace's authors not yet in the community (staff left out)."""
    return Member.objects.filter(workspace_id=workspace_id, staff=False).exclude(in_community())


def candidates(
    workspace_id: int, now: dt.datetime, limit: int = LIMIT
) -> list[tuple[Member, Discovery]]:
    """Up to ``limit`` authors not yet in the community worth discovering, most influential
    first, each with the engine's discovery (influence and coded reasons)."""
    settings = ScoringSettings()
    stored = list(
        outsiders(workspace_id)
        .filter(
            influence__gte=settings.discover_min_influence,
            sentiment__gte=settings.discover_min_sentiment,
        )
        .order_by("-influence", "id")
        .only("id", "display_name", "reach", "staff", "influence", "mention_count")[:limit]
    )
    if not stored:
        return []
    people = [Person(str(m.pk), followers=m.reach, member=False, staff=m.staff) for m in stored]
    activities = [
        _scored(str(row[7]), row)
        for row in _rows(Q(identity__member_id__in=[m.pk for m in stored]), now).iterator(
            chunk_size=5000
        )
    ]
    scores = Scorer(settings=settings).update(activities, people, now)
    by_key = {str(m.pk): m for m in stored}
    return [(by_key[found.key], found) for found in discover(scores.values(), settings, limit)]
