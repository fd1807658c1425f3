"""Who a campaign goes to, and who is left out and why (docs/mailing.md, "Who receives a
campaign").

A campaign's audience is a saved segment of the community (``community.segments``) or, without
one, every member of the workspace. From those members the campaign reaches only the ones whose
latest consent to e-mailing is *given* (the double opt-in confirmed) for the address they have now,
one e-mail per address; the brand's staff are left out unless the segment asks for them
(``staff: include`` or ``only``). :func:`breakdown` counts each reason a member is left out, in the
order of :data:`REASONS` (a member counts once, for the first reason that applies);
:func:`recipients` gives the members who receive it, what ``services.start`` freezes.

An erased member no longer exists (``community.privacy.erase_member`` deletes them): they are in no
audience, and nothing of them is left to count.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from ambassade.community import segments
from ambassade.community.models import Consent, Member, Segment
from ambassade.workspaces.models import Workspace

__all__ = [
    "REASONS",
    "AudienceError",
    "Breakdown",
    "Reader",
    "breakdown",
    "of_campaign",
    "recipients",
]

#: Why a member of the audience does not receive the campaign, in the order they are checked.
REASONS = (
    "staff",  # one of the brand's own people, and the segment does not ask for them
    "no_address",  # no e-mail address
    "no_consent",  # never asked to receive e-mails
    "pending",  # asked, the confirmation (double opt-in) not clicked yet
    "unsubscribed",  # withdrew through an unsubscribe link
    "bounced",  # their address bounced for good (hard bounce)
    "withdrawn",  # withdrew otherwise (recorded by the team)
    "address_changed",  # their consent is for another address than the one they have now
    "duplicate",  # another member of the audience has the same address: one e-mail per address
)


class AudienceError(Exception):
    """The audience cannot be read: its segment was deleted, or no longer fits the workspace.
    ``code`` says which (``segment_deleted``, ``segment_invalid``); ``error`` is the segment's
    own (a SegmentError, worded where shown)."""

    def __init__(self, code: str, error: Any = None) -> None:
        super().__init__(code)
        self.code = code
        self.error = error


@dataclass(frozen=True)
class Reader:
    """A member who receives the campaign: their address and the language of their consent."""

    member_id: int
    email: str
    name: str
    optin_lang: str


@dataclass
class Breakdown:
    #: Members the audience selects (its staff counted, when they are left out).
    selected: int = 0
    #: E-mails that would go out now.
    recipients: int = 0
    #: reason → members left out for it (only reasons with at least one member, in REASONS order).
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "selected": self.selected,
            "recipients": self.recipients,
            "left_out": dict(self.left_out),
        }

    @classmethod
    def from_json(cls, data: Any) -> Breakdown | None:
        if not isinstance(data, dict) or "selected" not in data:
            return None
        left = data.get("left_out") or {}
        return cls(
            selected=int(data.get("selected") or 0),
            recipients=int(data.get("recipients") or 0),
            left_out={k: int(v) for k, v in left.items() if k in REASONS and v},
        )


def _selected(workspace: Workspace | int, segment: Segment | None, deleted: bool) -> Any:
    """The members the audience selects, staff included, and whether its staff are left out."""
    if deleted:
        raise AudienceError("segment_deleted")
    if segment is None:
        return Member.objects.filter(workspace=workspace), True
    try:
        definition = segments.definition_of(segment)
    except segments.SegmentError as error:
        raise AudienceError("segment_invalid", error) from None
    leave_staff_out = definition.staff == "exclude"
    if leave_staff_out:
        # Read the staff too, to count them among those left out.
        definition = dataclasses.replace(definition, staff="include")
    try:
        members = segments.members_matching(segment.workspace_id, definition)
    except segments.SegmentError as error:
        raise AudienceError("segment_invalid", error) from None
    return members, leave_staff_out


def _rows(members: QuerySet[Member]) -> Iterator[tuple[Any, ...]]:
    latest = (
        Consent.objects.filter(member=OuterRef("pk"), purpose=Consent.Purpose.EMAILING)
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
    )
    pending = Consent.objects.filter(
        member=OuterRef("pk"), purpose=Consent.Purpose.EMAILING, state=Consent.State.PENDING
    )
    return (
        members.annotate(
            c_state=Subquery(latest.values("state")[:1]),
            c_source=Subquery(latest.values("source")[:1]),
            c_email=Subquery(latest.values("email")[:1]),
            c_lang=Subquery(latest.values("lang")[:1]),
            c_pending=Exists(pending),
        )
        .order_by("id")
        .values_list(
            "id",
            "email",
            "display_name",
            "staff",
            "c_state",
            "c_source",
            "c_email",
            "c_lang",
            "c_pending",
        )
        .iterator(chunk_size=2000)
    )


def _reason(row: tuple[Any, ...], leave_staff_out: bool) -> str:
    _id, email, _name, staff, state, source, consent_email, _lang, pending = row
    if staff and leave_staff_out:
        return "staff"
    if not (email or "").strip():
        return "no_address"
    if state == Consent.State.GRANTED:
        if consent_email and consent_email.strip().casefold() != email.strip().casefold():
            return "address_changed"
        return ""
    if state == Consent.State.WITHDRAWN:
        if source == Consent.Source.UNSUBSCRIBE:
            return "unsubscribed"
        if source == Consent.Source.BOUNCE:
            return "bounced"
        return "withdrawn"
    return "pending" if pending else "no_consent"


def _walk(
    workspace: Workspace | int,
    segment: Segment | None,
    deleted: bool,
    only: Iterable[int] | None,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    members, leave_staff_out = _selected(workspace, segment, deleted)
    if only is not None:
        members = members.filter(pk__in=list(only))
    seen: set[str] = set()
    for row in _rows(members):
        reason = _reason(row, leave_staff_out)
        if not reason:
            key = row[1].strip().casefold()
            if key in seen:
                reason = "duplicate"
            else:
                seen.add(key)
        yield reason, row


def breakdown(
    workspace: Workspace | int,
    segment: Segment | None = None,
    *,
    deleted: bool = False,
    only: Iterable[int] | None = None,
) -> Breakdown:
    """How many members the audience selects, how many receive the campaign, and who is left out
    and why. ``deleted``: the campaign's segment was deleted (raises AudienceError)."""
    counts = dict.fromkeys(REASONS, 0)
    found = Breakdown()
    for reason, _row in _walk(workspace, segment, deleted, only):
        found.selected += 1
        if reason:
            counts[reason] += 1
        else:
            found.recipients += 1
    found.left_out = {reason: n for reason, n in counts.items() if n}
    return found


def recipients(
    workspace: Workspace | int,
    segment: Segment | None = None,
    *,
    deleted: bool = False,
    only: Iterable[int] | None = None,
) -> Iterator[Reader]:
    """The members who receive the campaign now, in id order, one per address."""
    for reason, row in _walk(workspace, segment, deleted, only):
        if not reason:
            member_id, email, name, *_rest = row
            yield Reader(member_id, email.strip(), name or "", (row[7] or "")[:2])


def of_campaign(campaign: Any) -> tuple[Segment | None, bool]:
    """A campaign's segment, and whether it had one that was deleted since."""
    return campaign.segment, campaign.segment_id is None and bool(campaign.segment_name)
