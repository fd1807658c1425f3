"""Segments in the database: a definition (``ambassade.engine.segments``) as one query.

- :func:`segment_members` — the members of a saved segment, a queryset: what every app that needs
  a list of members (e-mailing campaigns, exports, contests) reads.
- :func:`members_matching` — the same for a definition not saved yet (the builder's preview).
- :func:`definition_of` — a segment's stored JSON checked against the workspace's custom fields
  now (a field deleted since makes it refuse, rather than silently widen to more people).
- :func:`facts_of` — a member's facts as the pure predicate reads them (tests hold both equal).

Scores, levels and classes are the ones stored on members (``scores.store_scores``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ambassade.community.models import (
    Consent,
    CustomField,
    FieldValue,
    Identity,
    Member,
    MemberTag,
    Segment,
)
from ambassade.engine.segments import Definition, Facts, FieldCondition, SegmentError, parse
from ambassade.workspaces.models import Workspace

__all__ = [
    "SegmentError",
    "consents_of",
    "definition_of",
    "facts_of",
    "field_specs",
    "members_matching",
    "parse_for",
    "segment_members",
]

_COLUMN = {
    "text": "text_key",
    "choice": "text",
    "number": "number",
    "date": "date",
    "yes_no": "flag",
}
_LOOKUP = {"lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "eq": "exact", "ne": "exact"}


def field_specs(workspace: Workspace | int) -> dict[str, tuple[str, list[str]]]:
    """The workspace's custom fields as the engine reads them: key → (type, choices)."""
    return {
        key: (kind, list(choices or []))
        for key, kind, choices in CustomField.objects.filter(workspace=workspace).values_list(
            "key", "type", "choices"
        )
    }


def parse_for(workspace: Workspace | int, data: Mapping[str, Any]) -> Definition:
    """``data`` checked against the workspace's fields (SegmentError names what is wrong)."""
    return parse(data, field_specs(workspace), [value for value, _ in Consent.Purpose.choices])


def definition_of(segment: Segment) -> Definition:
    return parse_for(segment.workspace_id, segment.definition or {})


def segment_members(segment: Segment, now: dt.datetime | None = None) -> QuerySet[Member]:
    """The members of ``segment`` at ``now`` (default: now), most reach first. Raises
    SegmentError when the segment no longer fits the workspace (a custom field it names was
    deleted): a campaign must not go to more people than the segment said."""
    return members_matching(segment.workspace_id, definition_of(segment), now)


def _field_q(condition: FieldCondition, fields: Mapping[str, int]) -> Q:
    values = FieldValue.objects.filter(member=OuterRef("pk"), field_id=fields[condition.field])
    op, wanted, column = condition.op, condition.value, _COLUMN[condition.type]
    if op == "set":
        return Q(Exists(values))
    if op == "unset":
        return ~Q(Exists(values))
    if op in ("in", "not_in"):
        assert isinstance(wanted, tuple)
        found = Exists(values.filter(**{f"{column}__in": list(wanted)}))
        return ~Q(found) if op == "not_in" else Q(found)
    if op == "is":
        return Q(Exists(values.filter(flag=wanted)))
    if op == "contains":
        return Q(Exists(values.filter(text_key__contains=wanted)))
    found = Exists(values.filter(**{f"{column}__{_LOOKUP[op]}": wanted}))
    return ~Q(found) if op == "ne" else Q(found)


def _consent_state(purpose: str) -> Subquery:
    return Subquery(
        Consent.objects.filter(member=OuterRef("pk"), purpose=purpose)
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
        .values("state")[:1]
    )


def members_matching(
    workspace: Workspace | int, definition: Definition, now: dt.datetime | None = None
) -> QuerySet[Member]:
    """The workspace's members in ``definition`` at ``now``, one query (subqueries, no joins
    that repeat a member), most reach first."""
    now = now or timezone.now()
    d = definition
    rows = Member.objects.filter(workspace=workspace)
    q = Q()
    if d.staff == "exclude":
        q &= Q(staff=False)
    elif d.staff == "only":
        q &= Q(staff=True)
    columns = {
        "love": "love",
        "sentiment": "sentiment",
        "influence": "influence",
        "followers": "reach",
    }
    for name, bounds in d.ranges().items():
        if bounds.min is not None:
            q &= Q(**{f"{columns[name]}__gte": bounds.min})
        if bounds.max is not None:
            q &= Q(**{f"{columns[name]}__lte": bounds.max})
    if d.levels:
        q &= Q(level__in=sorted(d.levels))
    if d.classes:
        either = Q()
        for name in sorted(d.classes):
            either |= Q(**{name: True})
        q &= either
    tags = MemberTag.objects.filter(member=OuterRef("pk"))
    if d.tags_any:
        q &= Q(Exists(tags.filter(name__in=sorted(d.tags_any))))
    for name in sorted(d.tags_all):
        q &= Q(Exists(tags.filter(name=name)))
    if d.tags_none:
        q &= ~Q(Exists(tags.filter(name__in=sorted(d.tags_none))))
    if d.networks:
        q &= Q(
            Exists(Identity.objects.filter(member=OuterRef("pk"), network__in=sorted(d.networks)))
        )
    if d.languages:
        q &= Q(language__in=sorted(d.languages))
    if d.seen_within_days is not None:
        q &= Q(last_seen_at__gte=now - dt.timedelta(days=d.seen_within_days))
    if d.not_seen_for_days is not None:
        q &= Q(last_seen_at__isnull=True) | Q(
            last_seen_at__lt=now - dt.timedelta(days=d.not_seen_for_days)
        )
    if d.has_email is True:
        q &= ~Q(email="")
    elif d.has_email is False:
        q &= Q(email="")
    if d.fields:
        ids = dict(
            CustomField.objects.filter(
                workspace=workspace, key__in=[c.field for c in d.fields]
            ).values_list("key", "id")
        )
        for condition in d.fields:
            if condition.field not in ids:
                raise SegmentError(
                    f"no custom field {condition.field!r}",
                    "segment.unknown_field",
                    where="fields",
                    value=condition.field,
                )
            q &= _field_q(condition, ids)
    if d.consents:
        rows = rows.alias(
            **{f"consent_{purpose}": _consent_state(purpose) for purpose in sorted(d.consents)}
        )
        for purpose in sorted(d.consents):
            q &= Q(**{f"consent_{purpose}": Consent.State.GRANTED})
    return rows.filter(q).order_by("-reach", "-id")


def consents_of(member_ids: Iterable[int]) -> dict[int, set[str]]:
    """The purposes each member has given (and not withdrawn) consent to."""
    consents: dict[int, set[str]] = {}
    seen: set[tuple[int, str]] = set()
    for member_id, purpose, state in (
        Consent.objects.filter(member_id__in=list(member_ids))
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
        .values_list("member_id", "purpose", "state")
    ):
        if (member_id, purpose) in seen:
            continue
        seen.add((member_id, purpose))
        if state == Consent.State.GRANTED:
            consents.setdefault(member_id, set()).add(purpose)
    return consents


def facts_of(members: Iterable[Member]) -> dict[int, Facts]:
    """Each member's facts, read with a few queries (for tests and checks, not for lists)."""
    members = list(members)
    ids = [member.pk for member in members]
    tags: dict[int, set[str]] = {}
    for member_id, name in MemberTag.objects.filter(member_id__in=ids).values_list(
        "member_id", "name"
    ):
        tags.setdefault(member_id, set()).add(name)
    networks: dict[int, set[str]] = {}
    for member_id, network in Identity.objects.filter(member_id__in=ids).values_list(
        "member_id", "network"
    ):
        networks.setdefault(member_id, set()).add(network)
    consents = consents_of(ids)
    fields: dict[int, dict[str, Any]] = {}
    for value in FieldValue.objects.filter(member_id__in=ids).select_related("field"):
        if value.value is not None:
            fields.setdefault(value.member_id, {})[value.field.key] = value.value
    return {
        member.pk: Facts(
            love=member.love,
            level=member.level,
            sentiment=member.sentiment,
            influence=member.influence,
            followers=member.reach,
            classes=frozenset(
                name
                for name in ("ambassador", "detractor", "rising", "dormant")
                if getattr(member, name)
            ),
            tags=frozenset(tags.get(member.pk, ())),
            networks=frozenset(networks.get(member.pk, ())),
            language=member.language,
            last_seen_at=member.last_seen_at,
            consents=frozenset(consents.get(member.pk, ())),
            staff=member.staff,
            has_email=bool(member.email),
            fields=fields.get(member.pk, {}),
        )
        for member in members
    }
